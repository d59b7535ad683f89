//! The real binary on port 0 with a real database: serving, the CLI, graceful shutdown, and an
//! acknowledged comment surviving SIGKILL. Runs on SQLite always and on PostgreSQL when
//! `GAZETTE_TEST_POSTGRES` is set.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use common::{BIN, Db, Server, cli, cli_output, client, post_comment};
use std::process::Command;
use std::time::Duration;

async fn reading_publishing_commenting_and_moderating(db: &Db) {
    cli(db, &["migrate"], "");
    let added = cli(
        db,
        &[
            "user",
            "add",
            "alice",
            "--email",
            "alice@newsroom.example",
            "--role",
            "admin",
            "--password-stdin",
        ],
        "a long enough password\n",
    );
    assert!(added.contains("created admin alice"), "{added}");
    let dir = tempfile::tempdir().expect("dir");
    let body = dir.path().join("budget.md");
    std::fs::write(&body, "The council **approved** the budget.").expect("write body");
    let published = cli(
        db,
        &[
            "article",
            "new",
            "--title",
            "Council approves budget",
            "--author",
            "alice",
            "--file",
            body.to_str().unwrap_or_default(),
            "--category",
            "Politics",
            "--tag",
            "budget",
        ],
        "",
    );
    assert!(
        published.contains("/articles/council-approves-budget"),
        "{published}"
    );

    let server = Server::start(db);
    let front = client().get(server.url("/")).send().await.expect("front");
    assert_eq!(front.status(), 200);
    let front = front.text().await.expect("text");
    assert!(front.contains("Council approves budget") && front.contains("Welcome to Gazette"));

    let posted = post_comment(
        &server,
        "council-approves-budget",
        "comment=Well+done&author=Reader&email=reader%40example.org",
    )
    .await;
    assert_eq!(posted.status(), 303);
    let location = posted.headers()["location"]
        .to_str()
        .expect("location")
        .to_owned();
    let id = location.rsplit('-').next().expect("id").to_owned();

    let held = cli(db, &["comments", "list", "--held"], "");
    assert!(
        held.contains("reader@example.org")
            && held.contains("Well done")
            && held.contains("council-approves-bud"),
        "{held}"
    );
    let cached = client()
        .get(server.url("/articles/council-approves-budget"))
        .send()
        .await
        .expect("article");
    assert_eq!(cached.status(), 200);
    let approved = cli(db, &["comments", "approve", &id], "");
    assert!(approved.contains("is now approved"), "{approved}");
    // The approval happened in another process: the server learns of it from the change log
    // within about a second, and stops serving its cached page.
    let started = std::time::Instant::now();
    let page = loop {
        let page = client()
            .get(server.url("/articles/council-approves-budget"))
            .send()
            .await
            .expect("article")
            .text()
            .await
            .expect("text");
        if page.contains("1 Comment on") || started.elapsed() > Duration::from_secs(3) {
            break page;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(
        page.contains("1 Comment on “Council approves budget”"),
        "stale after 3 s"
    );
    assert!(
        started.elapsed() < Duration::from_millis(2500),
        "took {:?}",
        started.elapsed()
    );
    assert!(page.contains("Well done"));
    assert!(!page.contains("reader@example.org"));

    let missing = cli_output(db, &["comments", "spam", "999999"], "");
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("there is no comment 999999"));
    let weak = cli_output(
        db,
        &[
            "user",
            "add",
            "bob",
            "--email",
            "b@newsroom.example",
            "--password-stdin",
        ],
        "short\n",
    );
    assert!(String::from_utf8_lossy(&weak.stderr).contains("at least 12 characters"));

    let exit = server.terminate();
    assert!(exit.success(), "graceful shutdown exited with {exit:?}");
}

async fn an_acknowledged_comment_survives_sigkill(db: &Db) {
    let server = Server::start(db);
    let mut ids = Vec::new();
    for n in 0..20 {
        let posted = post_comment(
            &server,
            "welcome-to-gazette",
            &format!("comment=Durable+{n}&author=K&email=k{n}%40example.org"),
        )
        .await;
        assert_eq!(posted.status(), 303);
        ids.push(
            posted.headers()["location"]
                .to_str()
                .expect("location")
                .to_owned(),
        );
    }
    // Killed without warning right after the last acknowledgement.
    server.kill();
    let held = cli(db, &["comments", "list", "--held"], "");
    for n in 0..20 {
        assert!(
            held.contains(&format!("Durable {n}")),
            "comment {n} was lost:\n{held}"
        );
    }
    assert!(held.contains("(20 held comments)"), "{held}");
}

#[tokio::test]
async fn sqlite_site_end_to_end() {
    let db = Db::sqlite();
    reading_publishing_commenting_and_moderating(&db).await;
    an_acknowledged_comment_survives_sigkill(&db).await;
    db.cleanup().await;
}

#[tokio::test]
#[ignore = "needs GAZETTE_TEST_POSTGRES (a PostgreSQL admin URL); .ci/run sets it"]
async fn postgres_site_end_to_end() {
    let db = Db::postgres()
        .await
        .expect("GAZETTE_TEST_POSTGRES must hold a PostgreSQL admin URL");
    reading_publishing_commenting_and_moderating(&db).await;
    an_acknowledged_comment_survives_sigkill(&db).await;
    db.cleanup().await;
}

#[test]
fn a_bad_database_url_is_refused_with_a_message() {
    let output = Command::new(BIN)
        .args(["migrate", "--db", "mysql://nope"])
        .output()
        .expect("run");
    assert!(!output.status.success());
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("must start with sqlite: or postgres://")
    );
}

#[test]
fn print_config_shows_the_layers_in_force() {
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("gazette.toml");
    std::fs::write(
        &file,
        "[site]\ntitle = \"Harbour Times\"\n[comments]\nmax_depth = 3\n",
    )
    .expect("write");
    let output = Command::new(BIN)
        .args([
            "print-config",
            "--config",
            file.to_str().unwrap_or_default(),
        ])
        .env("GAZETTE_COMMENTS_MAX_DEPTH", "4")
        .output()
        .expect("run");
    assert!(output.status.success());
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(text.contains("title = \"Harbour Times\""), "{text}");
    assert!(
        text.contains("max_depth = 4"),
        "environment should win over the file: {text}"
    );
}
