//! The live-comments script in a real browser: Chromium, driven by playwright-core from Node, on a
//! page served by the real binary. Ignored unless asked for, with `GAZETTE_TEST_BROWSER` naming a `node_modules` folder
//! holding playwright-core (`.ci/run` installs it and Debian's Chromium and sets it).
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use common::{Db, Server, cli};
use std::process::Command;

#[test]
#[ignore = "needs GAZETTE_TEST_BROWSER (node_modules with playwright-core) and Chromium; .ci/run sets it"]
fn live_comments_appear_in_chromium_without_a_reload() {
    let node_modules = std::env::var("GAZETTE_TEST_BROWSER")
        .expect("GAZETTE_TEST_BROWSER must name a node_modules folder with playwright-core");
    let db = Db::sqlite();
    cli(&db, &["migrate"], "");
    cli(
        &db,
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
    let dir = tempfile::tempdir().expect("dir");
    let body = dir.path().join("body.md");
    std::fs::write(&body, "The harbour reopened on Monday.").expect("write");
    cli(
        &db,
        &[
            "article",
            "new",
            "--title",
            "Harbour reopens",
            "--author",
            "alice",
            "--file",
            body.to_str().unwrap(),
        ],
        "",
    );
    let server = Server::start(&db);
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/browser/live-comments.cjs"
    );
    let output = Command::new("node")
        .arg(script)
        .args([&server.base, common::BIN, db.url(), "harbour-reopens"])
        .env("NODE_PATH", node_modules)
        .output()
        .expect("run node");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "the browser check failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        stdout.contains("live comments behave in Chromium"),
        "{stdout}"
    );
}
