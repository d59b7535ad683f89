//! What the binary's end-to-end tests share: throwaway databases, the CLI, running servers.
#![allow(clippy::expect_used, clippy::unwrap_used, dead_code)]

use gazette_store_sql::TestDatabase;
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub const BIN: &str = env!("CARGO_BIN_EXE_gazette");

/// A database for one test: a SQLite file in a temporary folder, or a throwaway PostgreSQL database.
pub enum Db {
    Sqlite {
        _dir: tempfile::TempDir,
        url: String,
    },
    Postgres(TestDatabase),
}

impl Db {
    pub fn sqlite() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite:{}", dir.path().join("site.db").display());
        Self::Sqlite { _dir: dir, url }
    }

    pub async fn postgres() -> Option<Self> {
        let admin = std::env::var("GAZETTE_TEST_POSTGRES").ok()?;
        Some(Self::Postgres(
            TestDatabase::create(&admin).await.expect("test database"),
        ))
    }

    pub fn url(&self) -> &str {
        match self {
            Self::Sqlite { url, .. } => url,
            Self::Postgres(db) => &db.url,
        }
    }

    pub async fn cleanup(self) {
        if let Self::Postgres(db) = self {
            db.drop_database().await.expect("drop test database");
        }
    }
}

/// Runs a CLI command against `db`, feeding `stdin`; returns stdout, panicking on failure.
pub fn cli(db: &Db, args: &[&str], stdin: &str) -> String {
    let output = cli_output(db, args, stdin);
    assert!(
        output.status.success(),
        "gazette {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Runs a CLI command against the database at `url`; returns stdout, panicking on failure.
pub fn cli_output_url(url: &str, args: &[&str]) -> String {
    let output = Command::new(BIN)
        .args(args)
        .args(["--db", url])
        .env("RUST_LOG", "warn")
        .output()
        .expect("run gazette");
    assert!(
        output.status.success(),
        "gazette {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn cli_output(db: &Db, args: &[&str], stdin: &str) -> std::process::Output {
    let mut child = Command::new(BIN)
        .args(args)
        .args(["--db", db.url()])
        .env("RUST_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn gazette");
    if let Some(mut input) = child.stdin.take() {
        input.write_all(stdin.as_bytes()).expect("stdin");
    }
    child.wait_with_output().expect("wait")
}

/// A running `gazette serve` and its base URL.
pub struct Server {
    pub child: Child,
    pub base: String,
}

impl Server {
    pub fn start(db: &Db) -> Self {
        Self::start_with(db.url(), &[])
    }

    /// A server on `db_url` with extra `GAZETTE_*` settings.
    pub fn start_with(db_url: &str, env: &[(&str, &str)]) -> Self {
        let mut child = Command::new(BIN)
            .args(["serve", "--listen", "127.0.0.1:0", "--db", db_url])
            .envs(env.iter().copied())
            .env("RUST_LOG", "warn")
            // The test posts as fast as a robot and many times from one address.
            .env("GAZETTE_SPAM_MIN_FORM_SECONDS", "0")
            .env("GAZETTE_SPAM_PER_IP_LIMIT", "1000")
            .env("GAZETTE_SPAM_PER_NETWORK_LIMIT", "1000")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("spawn gazette serve");
        let stdout = child.stdout.take().expect("stdout");
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("read address");
        let base = line
            .split_whitespace()
            .find(|w| w.starts_with("http://"))
            .unwrap_or_else(|| panic!("no address in {line:?}"))
            .to_owned();
        Self { child, base }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn kill(mut self) {
        self.child.kill().expect("SIGKILL");
        self.child.wait().expect("reap");
    }

    /// SIGTERM, then the exit status.
    pub fn terminate(mut self) -> std::process::ExitStatus {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("kill -TERM");
        assert!(status.success());
        for _ in 0..100 {
            if let Some(exit) = self.child.try_wait().expect("try_wait") {
                return exit;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        self.child.kill().ok();
        panic!("gazette did not stop within 5 s of SIGTERM");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(10))
        .build()
        .expect("client")
}

/// Posts the comment form as a browser would: reading the page first for its form token.
pub async fn post_comment(server: &Server, slug: &str, body: &str) -> reqwest::Response {
    let page = client()
        .get(server.url(&format!("/articles/{slug}")))
        .send()
        .await
        .expect("article page")
        .text()
        .await
        .expect("page text");
    let token = page
        .split(r#"name="form_token" value=""#)
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the form carries a token");
    client()
        .post(server.url(&format!("/articles/{slug}/comments")))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("{body}&form_token={token}"))
        .send()
        .await
        .expect("post comment")
}
