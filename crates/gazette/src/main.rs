//! `gazette`: a thin entry point. Parsing and dispatch live in the library half of this crate.

#[tokio::main]
async fn main() -> std::process::ExitCode {
    gazette::run().await
}
