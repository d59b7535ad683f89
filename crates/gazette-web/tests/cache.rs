//! The rendered-page cache: every write that changes a page makes the next read fresh, a held
//! comment changes (and leaks) nothing, per-reader pages are never shared, and conditional and
//! compressed answers work.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use axum::http::StatusCode;
use common::{TestApp, comment_fields, comment_id_from};
use gazette_core::moderating::{Actor, Moderation};
use gazette_core::publishing::ArticleRequest;
use gazette_domain::Role;
use std::io::Read;

#[tokio::test]
async fn a_second_reader_gets_the_cached_page_with_an_etag() {
    let app = TestApp::new().await;
    app.publish("Story", "Body.").await;
    let first = app.browser().get("/articles/story").await;
    assert_eq!(first.status, StatusCode::OK);
    let etag = first.headers["etag"].to_str().unwrap().to_owned();
    assert_eq!(first.headers["cache-control"], "public, no-cache");
    assert!(app.router_cache_len() >= 1);
    let second = app.browser().get("/articles/story").await;
    assert_eq!(second.headers["etag"].to_str().unwrap(), etag);
    assert_eq!(second.body, first.body);

    let mut conditional = app.browser();
    conditional
        .headers
        .push(("if-none-match".into(), etag.clone()));
    let not_modified = conditional.get("/articles/story").await;
    assert_eq!(not_modified.status, StatusCode::NOT_MODIFIED);
    assert!(not_modified.body.is_empty());
    let mut other_tag = app.browser();
    other_tag
        .headers
        .push(("if-none-match".into(), "\"something-else\"".into()));
    assert_eq!(
        other_tag.get("/articles/story").await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn cached_pages_come_gzipped_when_asked() {
    let app = TestApp::new().await;
    app.publish("Story", &"A long paragraph of reporting. ".repeat(100))
        .await;
    let plain = app.browser().get("/articles/story").await;
    let mut gzip_reader = app.browser();
    gzip_reader
        .headers
        .push(("accept-encoding".into(), "gzip, br".into()));
    let page = app.send_raw(&gzip_reader, "/articles/story").await;
    assert_eq!(page.headers()["content-encoding"], "gzip");
    assert_eq!(page.headers()["vary"], "Accept-Encoding");
    let compressed = http_body_util::BodyExt::collect(page.into_body())
        .await
        .expect("body")
        .to_bytes();
    let mut text = String::new();
    flate2::read::GzDecoder::new(&compressed[..])
        .read_to_string(&mut text)
        .expect("gzip");
    assert_eq!(text, plain.body);
    assert!(compressed.len() < plain.body.len() / 2);
}

#[tokio::test]
async fn an_approved_comment_appears_at_once_on_a_cached_page_and_in_counts() {
    let app = TestApp::new().await;
    let article = app.publish("Story", "Body.").await;
    let before = app.browser().get("/articles/story").await;
    app.browser().get("/").await;
    app.browser()
        .get(&format!("/api/v1/articles/{}/comments", article.id.0))
        .await;
    let id = comment_id_from(
        app.browser()
            .comment(
                "story",
                &comment_fields("Fresh words", "Ada", "ada@example.com"),
            )
            .await
            .location(),
    );
    app.approve(id).await;
    let after = app.browser().get("/articles/story").await;
    assert_ne!(after.headers["etag"], before.headers["etag"]);
    assert!(after.text().contains("Fresh words"));
    assert!(app.browser().get("/").await.text().contains("1 comment"));
    let api = app
        .browser()
        .get(&format!("/api/v1/articles/{}/comments", article.id.0))
        .await
        .json();
    assert_eq!(api["total"], 1);
}

#[tokio::test]
async fn a_held_comment_neither_invalidates_nor_leaks() {
    let app = TestApp::new().await;
    app.publish("Story", "Body.").await;
    let before = app.browser().get("/articles/story").await;
    let mut author = app.browser();
    author
        .comment(
            "story",
            &comment_fields("Held words", "Ada", "ada@example.com"),
        )
        .await;
    let other = app.browser().get("/articles/story").await;
    assert_eq!(
        other.headers["etag"], before.headers["etag"],
        "served from the cache, unchanged"
    );
    assert!(!other.text().contains("Held words"));
    // Its author, carrying their cookie, gets a page of their own, never the shared one.
    let own = author.get("/articles/story").await;
    assert!(own.text().contains("Held words"));
    assert_eq!(own.headers["cache-control"], "private, no-cache");
    assert!(own.headers.get("etag").is_none());
    // And what the author saw was not stored for others.
    assert!(
        !app.browser()
            .get("/articles/story")
            .await
            .text()
            .contains("Held words")
    );
}

#[tokio::test]
async fn saved_details_never_reach_the_shared_cache() {
    let app = TestApp::new().await;
    app.publish("Story", "Body.").await;
    let mut commenter = app.browser();
    let mut fields = comment_fields("Hi", "Ada", "secret-ada@example.com");
    fields.push(("save_details", "yes"));
    commenter.comment("story", &fields).await;
    // The commenter's visit renders the form with their email...
    assert!(
        commenter
            .get("/articles/story")
            .await
            .text()
            .contains("secret-ada@example.com")
    );
    // ...and nobody else ever sees it.
    assert!(
        !app.browser()
            .get("/articles/story")
            .await
            .body
            .contains("secret-ada")
    );
}

#[tokio::test]
async fn moderation_edits_and_deletes_refresh_cached_pages() {
    let app = TestApp::new().await;
    app.publish("Story", "Body.").await;
    let id = comment_id_from(
        app.browser()
            .comment(
                "story",
                &comment_fields("Original text", "Ada", "ada@example.com"),
            )
            .await
            .location(),
    );
    app.approve(id).await;
    assert!(
        app.browser()
            .get("/articles/story")
            .await
            .text()
            .contains("Original text")
    );
    app.site
        .edit_comment(Actor::Operator, id, "Ada", "", "Edited text")
        .await
        .expect("edit");
    let page = app.browser().get("/articles/story").await.text();
    assert!(page.contains("Edited text") && !page.contains("Original text"));
    app.site
        .moderate(Actor::Operator, id, Moderation::Trash)
        .await
        .expect("trash");
    let page = app.browser().get("/articles/story").await.text();
    assert!(!page.contains("Edited text"));
    assert!(page.contains("Be the first to comment"));
}

#[tokio::test]
async fn article_edits_and_settings_refresh_every_page() {
    let app = TestApp::new().await;
    let article = app.publish("Story", "Old body.").await;
    app.browser().get("/").await;
    app.browser().get("/articles/story").await;
    let mut editor = app.editor().await;
    editor
        .admin_post(
            &format!("/admin/articles/{}", article.id.0),
            &[
                ("title", "Story, revised"),
                ("body", "New body."),
                ("version", "1"),
                ("action", "publish"),
            ],
        )
        .await;
    assert!(
        app.browser()
            .get("/articles/story")
            .await
            .text()
            .contains("New body.")
    );
    assert!(
        app.browser()
            .get("/")
            .await
            .text()
            .contains("Story, revised")
    );
    let mut admin = app.staff("boss", Role::Admin).await;
    admin
        .admin_post(
            "/admin/settings",
            &[
                ("title", "Renamed Daily"),
                ("moderation", "hold-first"),
                ("max_depth", "5"),
                ("comments_per_page", "200"),
                ("close_after_days", "0"),
                ("max_links", "2"),
            ],
        )
        .await;
    assert!(
        app.browser()
            .get("/articles/story")
            .await
            .text()
            .contains("Renamed Daily")
    );
}

#[tokio::test]
async fn a_scheduled_article_appears_on_cached_lists_when_due() {
    let app = TestApp::new().await;
    app.publish_with(ArticleRequest {
        title: "Due soon".into(),
        body_markdown: "Embargoed.".into(),
        published_at: Some(app.site.now() + 2),
        comments_open: true,
        ..Default::default()
    })
    .await;
    assert!(!app.browser().get("/").await.text().contains("Due soon"));
    assert!(
        !app.browser().get("/").await.text().contains("Due soon"),
        "cached"
    );
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    assert!(app.browser().get("/").await.text().contains("Due soon"));
    assert_eq!(
        app.browser().get("/articles/due-soon").await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn with_the_cache_off_pages_still_render() {
    let app = TestApp::with_config(|c| c.cache.max_megabytes = 0).await;
    app.publish("Story", "Body.").await;
    assert_eq!(
        app.browser().get("/articles/story").await.status,
        StatusCode::OK
    );
    assert_eq!(app.router_cache_len(), 0);
}
