//! RSS and Atom feeds, read back with a real feed parser (`feed-rs`): what they carry, what they
//! never carry (held comments, email addresses, live markup), ids that survive edits, and
//! caching with the same invalidation as pages.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use axum::http::StatusCode;
use common::{TestApp, comment_fields, comment_id_from};
use gazette_core::publishing::ArticleRequest;

/// Every article feed and its Atom twin.
const ARTICLE_FEEDS: [&str; 4] = [
    "/feed",
    "/category/world/feed",
    "/tag/iran/feed",
    "/author/edith-editor/feed",
];

fn parse(response: &common::TestResponse) -> feed_rs::model::Feed {
    feed_rs::parser::parse(response.body.as_bytes())
        .unwrap_or_else(|e| panic!("not a feed ({e}): {}", response.body))
}

async fn story(app: &TestApp) -> gazette_domain::Article {
    app.publish_with(ArticleRequest {
        title: "Talks </title><script>alert(1)</script> resume".into(),
        body_markdown:
            "Envoys met in [Vienna](/articles/earlier) on *Monday*.\n\n<script>alert(2)</script>"
                .into(),
        excerpt: "Envoys <b>met</b> & talked".into(),
        categories: vec!["World".into()],
        tags: vec!["Iran".into()],
        comments_open: true,
        ..Default::default()
    })
    .await
}

#[tokio::test]
async fn every_article_feed_parses_and_carries_whole_stories_and_no_email() {
    let app = TestApp::new().await;
    let article = story(&app).await;
    for path in ARTICLE_FEEDS {
        for (path, kind) in [
            (path.to_owned(), "application/rss+xml; charset=utf-8"),
            (
                format!("{path}/atom"),
                "application/atom+xml; charset=utf-8",
            ),
        ] {
            let response = app.browser().get(&path).await;
            assert_eq!(response.status, StatusCode::OK, "{path}");
            assert_eq!(response.headers["content-type"], kind, "{path}");
            assert!(!response.body.contains("edith@newsroom.example"), "{path}");
            assert!(
                !response.body.contains("<script"),
                "{path}: markup is escaped"
            );
            let feed = parse(&response);
            let entry = feed
                .entries
                .iter()
                .find(|e| e.links.iter().any(|l| l.href.ends_with(&article.slug)))
                .unwrap_or_else(|| panic!("{path} lists the story"));
            assert_eq!(
                entry.title.as_ref().map(|t| t.content.as_str()),
                Some("Talks </title><script>alert(1)</script> resume"),
                "{path}: the title comes back as text"
            );
            assert_eq!(
                entry.id,
                format!("tag:localhost,{}:article/{}", today(), article.id.0)
            );
            let content = entry
                .content
                .as_ref()
                .and_then(|c| c.body.clone())
                .unwrap_or_default();
            assert!(content.contains("<em>Monday</em>"), "{path}: {content}");
            assert!(
                content.contains(r#"href="http://localhost/articles/earlier""#),
                "{path}: links are absolute: {content}"
            );
            assert!(!content.contains("<script"), "{path}: {content}");
            assert_eq!(
                entry.summary.as_ref().map(|s| s.content.as_str()),
                Some("Envoys <b>met</b> & talked"),
                "{path}: the excerpt is text"
            );
            assert_eq!(
                entry.authors[0].name.as_deref(),
                Some("Edith Editor"),
                "{path}"
            );
            assert_eq!(entry.authors[0].email, None, "{path}");
            let terms: Vec<&str> = entry.categories.iter().map(|c| c.term.as_str()).collect();
            assert!(
                terms.contains(&"World") && terms.contains(&"Iran"),
                "{path}: {terms:?}"
            );
            assert!(entry.published.is_some(), "{path}");
        }
    }
}

fn today() -> String {
    jiff::Timestamp::now().strftime("%Y-%m-%d").to_string()
}

#[tokio::test]
async fn pages_announce_their_feeds() {
    let app = TestApp::new().await;
    story(&app).await;
    let front = app.browser().get("/").await.text();
    assert!(front.contains(r#"<link rel="alternate" type="application/rss+xml" title="Gazette » Feed" href="/feed">"#), "{front}");
    assert!(front.contains(r#"href="/comments/feed""#));
    let archive = app.browser().get("/category/world").await.text();
    assert!(archive.contains(r#"type="application/atom+xml" title="Gazette » World Category Feed (Atom)" href="/category/world/feed/atom""#), "{archive}");
    let page = app
        .browser()
        .get("/articles/talks-title-script-alert-1-script-resume")
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.text()
            .contains(r#"href="/articles/talks-title-script-alert-1-script-resume/comments/feed""#)
    );
}

#[tokio::test]
async fn an_edited_and_renamed_article_keeps_its_feed_id_and_updates_its_date() {
    let app = TestApp::new().await;
    let article = app.publish("First take", "Early report.").await;
    let before = parse(&app.browser().get("/feed/atom").await);
    let entry = before
        .entries
        .iter()
        .find(|e| e.title.as_ref().unwrap().content == "First take")
        .unwrap()
        .clone();
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let mut editor = app.editor().await;
    let saved = editor
        .admin_post(
            &format!("/admin/articles/{}", article.id.0),
            &[
                ("title", "Second take"),
                ("slug", "second-take"),
                ("body", "Fuller report."),
                ("version", "1"),
                ("action", "publish"),
                ("comments_open", "yes"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    for path in ["/feed", "/feed/atom"] {
        let after = parse(&app.browser().get(path).await);
        let renamed = after
            .entries
            .iter()
            .find(|e| e.id == entry.id)
            .unwrap_or_else(|| panic!("{path}: the same id"));
        assert_eq!(renamed.title.as_ref().unwrap().content, "Second take");
        assert!(renamed.links[0].href.ends_with("/articles/second-take"));
        if path.ends_with("atom") {
            assert!(renamed.updated > entry.updated, "updated moves on");
        }
    }
}

#[tokio::test]
async fn comment_feeds_carry_approved_comments_only_at_once_and_no_email() {
    let app = TestApp::new().await;
    let article = story(&app).await;
    let feeds = [
        "/comments/feed".to_owned(),
        "/comments/feed/atom".to_owned(),
        format!("/articles/{}/comments/feed", article.slug),
        format!("/articles/{}/comments/feed/atom", article.slug),
    ];
    for path in &feeds {
        let response = app.browser().get(path).await;
        assert_eq!(response.status, StatusCode::OK, "{path}");
        assert!(parse(&response).entries.is_empty(), "{path}");
    }
    let location = app
        .browser()
        .comment(
            &article.slug,
            &comment_fields(
                "Held *words* with [a link](/tag/iran) and a form feed \u{0C}",
                "Ada <b>",
                "ada@example.com",
            ),
        )
        .await
        .location()
        .to_owned();
    let id = comment_id_from(&location);
    for path in &feeds {
        let response = app.browser().get(path).await;
        assert!(
            !response.body.contains("Held"),
            "{path}: a held comment is in no feed"
        );
        assert!(parse(&response).entries.is_empty(), "{path}");
    }
    app.approve(id).await;
    for path in &feeds {
        let response = app.browser().get(path).await;
        assert!(!response.body.contains("ada@example.com"), "{path}");
        roxmltree::Document::parse(&response.body)
            .unwrap_or_else(|e| panic!("{path} is not well-formed XML ({e})"));
        let feed = parse(&response);
        assert_eq!(feed.entries.len(), 1, "{path}: the approval shows at once");
        let entry = &feed.entries[0];
        assert_eq!(entry.authors[0].name.as_deref(), Some("Ada <b>"));
        assert_eq!(entry.authors[0].email, None);
        assert!(
            entry.links[0].href.ends_with(&format!("#comment-{}", id.0)),
            "{path}"
        );
        let content = entry
            .content
            .as_ref()
            .and_then(|c| c.body.clone())
            .unwrap_or_default();
        assert!(content.contains("<em>words</em>"), "{path}: {content}");
        assert!(
            content.contains(r#"href="http://localhost/tag/iran""#),
            "{path}: {content}"
        );
    }
}

#[tokio::test]
async fn feeds_answer_conditional_requests_and_change_with_the_site() {
    let app = TestApp::new().await;
    let article = story(&app).await;
    // A copy taken in a later second than the last change can be answered by date.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let path = format!("/articles/{}/comments/feed", article.slug);
    let first = app.browser().get(&path).await;
    let etag = first.headers["etag"].to_str().unwrap().to_owned();
    let modified = first.headers["last-modified"].to_str().unwrap().to_owned();
    let mut by_tag = app.browser();
    by_tag.headers.push(("if-none-match".into(), etag.clone()));
    assert_eq!(by_tag.get(&path).await.status, StatusCode::NOT_MODIFIED);
    let mut by_date = app.browser();
    by_date
        .headers
        .push(("if-modified-since".into(), modified.clone()));
    assert_eq!(by_date.get(&path).await.status, StatusCode::NOT_MODIFIED);

    let mut commenter = app.browser();
    let id = comment_id_from(
        commenter
            .comment(
                &article.slug,
                &comment_fields("A reply", "Ada", "ada@example.com"),
            )
            .await
            .location(),
    );
    // Held: nothing public changed, the same feed.
    assert_eq!(by_tag.get(&path).await.status, StatusCode::NOT_MODIFIED);
    app.approve(id).await;
    let after_tag = by_tag.get(&path).await;
    assert_eq!(after_tag.status, StatusCode::OK);
    assert!(after_tag.body.contains("A reply"));
    let after_date = by_date.get(&path).await;
    assert_eq!(
        after_date.status,
        StatusCode::OK,
        "the approval is newer than the copy"
    );
    assert!(after_date.body.contains("A reply"));
}

#[tokio::test]
async fn feeds_of_nothing_public_are_not_found() {
    let app = TestApp::new().await;
    app.publish_with(ArticleRequest {
        title: "Embargoed".into(),
        body_markdown: "Not yet.".into(),
        categories: vec!["Secret".into()],
        draft: true,
        ..Default::default()
    })
    .await;
    for path in [
        "/category/nope/feed",
        "/category/secret/feed",
        "/category/secret/feed/atom",
        "/tag/nope/feed/atom",
        "/author/nobody/feed",
        "/author/edith-editor/feed",
        "/articles/embargoed/comments/feed",
        "/articles/nope/comments/feed/atom",
    ] {
        let response = app.browser().get(path).await;
        assert_eq!(
            response.status,
            StatusCode::NOT_FOUND,
            "{path}: {}",
            response.location()
        );
        assert!(!response.body.contains("Embargoed"), "{path}");
    }
    let site = parse(&app.browser().get("/feed").await);
    assert!(
        site.entries
            .iter()
            .all(|e| e.title.as_ref().unwrap().content != "Embargoed")
    );
}

#[tokio::test]
async fn the_number_of_entries_is_the_configured_one() {
    let app = TestApp::with_config(|c| c.feeds.items = 3).await;
    for n in 0..5 {
        app.publish_with(ArticleRequest {
            title: format!("Story {n}"),
            body_markdown: "Body.".into(),
            // Not older than the welcome article, written when the site opened.
            published_at: Some(app.site.now() - (4 - n)),
            ..Default::default()
        })
        .await;
    }
    let feed = parse(&app.browser().get("/feed").await);
    assert_eq!(feed.entries.len(), 3);
    assert_eq!(feed.entries[0].title.as_ref().unwrap().content, "Story 4");
}

#[tokio::test]
async fn a_hostile_host_header_cannot_put_another_site_in_the_links() {
    let app = TestApp::new().await;
    story(&app).await;
    let mut browser = app.browser();
    browser
        .headers
        .push(("host".into(), "evil.example\"><x".into()));
    let response = browser.get("/feed").await;
    assert!(!response.body.contains("evil.example"));
    assert!(response.body.contains("http://localhost/articles/"));
    let mut other = app.browser();
    other
        .headers
        .push(("host".into(), "news.example:8080".into()));
    let response = other.get("/feed").await;
    assert!(response.body.contains("http://news.example:8080/articles/"));
    // A Host the URL parser refuses is no error page: the links fall back to localhost.
    for odd in ["[", "a:b:c", "[::1", "x:99999999"] {
        let mut browser = app.browser();
        browser.headers.push(("host".into(), odd.into()));
        for path in ["/feed", "/sitemap.xml", "/robots.txt"] {
            let response = browser.get(path).await;
            assert_eq!(response.status, StatusCode::OK, "{odd} {path}");
            assert!(response.body.contains("http://localhost/"), "{odd} {path}");
        }
    }
    // The first reader's copy is not the second's.
    assert!(
        !app.browser()
            .get("/feed")
            .await
            .body
            .contains("news.example")
    );
}
