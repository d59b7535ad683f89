//! The WordPress theme test data imported through `Site`, then read as readers and staff would:
//! articles, threads, statuses and counts; old addresses answering 301; a second import that
//! changes nothing; a dry run, a malformed file and a Disqus file that write nothing.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use axum::http::StatusCode;
use common::TestApp;
use gazette_core::importing::{ImportReport, Progress};
use gazette_domain::import::Outcome;

const FIXTURE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/data/wxr/themeunittestdata.wordpress.xml"
);

async fn import(app: &TestApp, bytes: Vec<u8>, dry_run: bool) -> Result<ImportReport, String> {
    app.site
        .import_wordpress(std::io::Cursor::new(bytes), dry_run, &|_: Progress| {})
        .await
        .map_err(|e| e.to_string())
}

fn fixture() -> Vec<u8> {
    std::fs::read(FIXTURE).expect("the theme test data")
}

#[tokio::test]
async fn the_theme_test_data_comes_in_whole() {
    let app = TestApp::new().await;
    let articles_before = app.site.store().count_articles().await.expect("count");
    let report = import(&app, fixture(), false).await.expect("imports");
    assert_eq!(report.get("articles", Outcome::Created), 58);
    assert_eq!(report.get("authors", Outcome::Created), 2);
    assert_eq!(report.get("comments", Outcome::Created), 24);
    assert_eq!(report.get("tags", Outcome::Created), 110);
    assert_eq!(
        report.skipped["nav_menu_item items skipped: navigation menus are not imported"],
        70
    );
    assert_eq!(
        report.skipped["pingback comments skipped: pingbacks and trackbacks are not imported"],
        2
    );
    assert!(
        report
            .notes
            .iter()
            .any(|n| n.contains("password-protected")),
        "{report}"
    );
    assert_eq!(
        app.site.store().count_articles().await.expect("count"),
        articles_before + 58
    );

    // The article with the long thread: counts, nesting clamped at the site's depth, inert markup.
    let page = app.browser().get("/articles/template-comments").await;
    assert_eq!(page.status, StatusCode::OK);
    let article = app
        .site
        .store()
        .article_by_slug("template-comments")
        .await
        .expect("article");
    assert_eq!(article.comment_count, 19);
    assert_eq!(article.author.name, "Theme Buster");
    assert!(page.body.contains("19 comments") || page.body.contains("19 Comments"));
    assert!(
        !page.body.contains("themeshaperwp+demos@gmail.com"),
        "no email is published"
    );
    let deepest = app
        .site
        .store()
        .approved_comments(article.id, gazette_domain::PageRequest::new(1, 50))
        .await
        .expect("thread")
        .iter()
        .map(|c| c.depth)
        .max();
    assert_eq!(
        deepest,
        Some(5),
        "deeper replies attach at the deepest level"
    );

    // Titles with markup become text; the page stays inert.
    let markup = app
        .site
        .store()
        .article_by_slug("markup-title-with-markup")
        .await
        .expect("article");
    assert_eq!(markup.title, "Markup: Title With Markup");
    let protected = app
        .site
        .store()
        .article_by_slug("template-password-protected")
        .await
        .expect("article");
    assert_eq!(protected.status, gazette_domain::ArticleStatus::Draft);
    let scheduled = app
        .site
        .store()
        .article_by_slug("scheduled")
        .await
        .expect("the future post");
    assert!(scheduled.published_at.expect("a date") > app.site.now());

    // Old addresses.
    for (old, new) in [
        (
            "/2013/01/05/markup-title-with-markup/",
            "/articles/markup-title-with-markup",
        ),
        (
            "/2013/01/05/markup-title-with-markup",
            "/articles/markup-title-with-markup",
        ),
        ("/?p=1173", "/articles/markup-title-with-markup"),
        (
            "/2013/01/05/markup-title-with-markup/feed/",
            "/articles/markup-title-with-markup",
        ),
        ("/tag/8bit/", "/tag/8bit"),
        ("/category/parent/child-1/", "/category/child-1"),
        ("/feed/", "/"),
    ] {
        let response = app.browser().get(old).await;
        assert_eq!(response.status, StatusCode::MOVED_PERMANENTLY, "{old}");
        assert_eq!(response.location(), new, "{old}");
    }
    assert_eq!(
        app.browser().get("/2013/01/05/never-existed/").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(app.browser().get("/?p=424242").await.status, StatusCode::OK);

    // The same file again: everything is found, nothing is created.
    let again = import(&app, fixture(), false).await.expect("imports again");
    for what in [
        "articles",
        "authors",
        "comments",
        "categories",
        "tags",
        "redirects",
    ] {
        assert_eq!(again.get(what, Outcome::Created), 0, "{what}: {again}");
        assert_eq!(again.get(what, Outcome::Updated), 0, "{what}: {again}");
    }
    assert_eq!(again.get("articles", Outcome::Unchanged), 58);
}

#[tokio::test]
async fn a_dry_run_reports_and_writes_nothing() {
    let app = TestApp::new().await;
    let before = app.site.store().count_articles().await.expect("count");
    let report = import(&app, fixture(), true).await.expect("a dry run");
    assert!(report.dry_run);
    assert_eq!(report.get("articles", Outcome::Created), 58);
    assert!(
        report.to_string().contains("58 would be created"),
        "{report}"
    );
    assert_eq!(
        app.site.store().count_articles().await.expect("count"),
        before
    );
    assert_eq!(app.comment_rows().await, 0);
    assert_eq!(
        app.browser().get("/?p=1173").await.status,
        StatusCode::OK,
        "no redirect was stored"
    );
}

#[tokio::test]
async fn a_broken_or_foreign_file_is_refused_with_where_and_why_and_writes_nothing() {
    let app = TestApp::new().await;
    let before = app.site.store().count_articles().await.expect("count");
    // The export cut off in the middle of a comment.
    let whole = fixture();
    let text = String::from_utf8(whole).expect("UTF-8");
    let cut = text.find("<wp:comment_content>").expect("a comment");
    let error = import(&app, text[..cut + 30].as_bytes().to_vec(), false)
        .await
        .expect_err("refused");
    assert!(error.starts_with("line "), "{error}");
    assert!(error.contains("unexpected end of file"), "{error}");
    assert!(error.contains("inside <wp:comment_content>"), "{error}");
    assert_eq!(
        app.site.store().count_articles().await.expect("count"),
        before
    );
    assert_eq!(app.comment_rows().await, 0);

    let disqus = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/data/disqus/isso-test-export.xml"
    ))
    .expect("the Disqus fixture");
    let error = import(&app, disqus, false).await.expect_err("refused");
    assert!(error.contains("gazette import disqus"), "{error}");

    let bomb = b"<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;\">]><rss xmlns:wp=\"http://wordpress.org/export/1.2/\"><channel><title>&b;</title></channel></rss>".to_vec();
    let error = import(&app, bomb, false).await.expect_err("refused");
    assert!(error.contains("DOCTYPE"), "{error}");
    assert_eq!(
        app.site.store().count_articles().await.expect("count"),
        before
    );
}
