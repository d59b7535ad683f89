//! The `gazette` command line: configuration layering, opening the database named by a URL, and
//! one module per group of subcommands.

/// Command-line syntax.
mod cli;
/// `copy-db`: a whole site from one database to another.
mod copy;
/// `gazette export wordpress`: the site as a WordPress export (WXR 1.2).
mod export;
/// `gazette import`: bringing a site in, with a progress bar and a report.
mod import;
/// `gazette user`, `gazette article`, `gazette comments`.
mod manage;
/// `gazette serve`.
mod serve;
/// Opening a store from a URL and building the configuration.
mod setup;
/// `gazette export json` / `import json`: the whole site as one JSON document.
mod site_json;

use clap::Parser;
use std::process::ExitCode;

/// Parses the command line, runs the command, and reports failure on stderr with exit code 1.
pub async fn run() -> ExitCode {
    let cli = cli::Cli::parse();
    // The server logs its work; one-off commands print their result and stay quiet otherwise.
    let default_filter = match cli.command {
        cli::Command::Serve(_) => "info,sqlx=warn",
        _ => "warn",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default_filter));
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    // GAZETTE_LOG_FORMAT=json: one JSON object per line, for log collectors.
    if std::env::var("GAZETTE_LOG_FORMAT").is_ok_and(|f| f.eq_ignore_ascii_case("json")) {
        logs.json().init();
    } else {
        logs.init();
    }
    match dispatch(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

async fn dispatch(cli: cli::Cli) -> anyhow::Result<()> {
    let config = setup::config(&cli)?;
    match cli.command {
        cli::Command::Serve(_) => serve::serve(config).await,
        cli::Command::Migrate => {
            setup::open_store(&config.db).await?.close().await;
            println!("database {} is migrated", setup::redact(&config.db));
            Ok(())
        }
        cli::Command::PrintConfig => {
            print!("{}", toml::to_string_pretty(&config)?);
            Ok(())
        }
        cli::Command::User(command) => manage::user(config, command).await,
        cli::Command::Article(command) => manage::article(config, command).await,
        cli::Command::Comments(command) => manage::comments(config, command).await,
        cli::Command::CopyDb { from, to, replace } => copy::copy_db(&from, &to, replace).await,
        cli::Command::Import(cli::ImportCommand::Json { file, replace }) => {
            site_json::import_json(&config.db, &file, replace).await
        }
        cli::Command::Import(command) => import::import(config, command).await,
        cli::Command::Export(cli::ExportCommand::Json {
            to,
            include_secrets,
        }) => site_json::export_json(&config.db, &to, include_secrets).await,
        cli::Command::Export(cli::ExportCommand::Wordpress { to }) => {
            export::export_wordpress(config, &to).await
        }
        cli::Command::Backup { to } => manage::backup(&config.db, &to).await,
    }
}
