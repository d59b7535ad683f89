//! Sitemaps, the News sitemap and robots.txt, read back with an XML parser: only public
//! addresses, per month, escaped, and current after every publication.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use axum::http::StatusCode;
use common::TestApp;
use gazette_core::publishing::ArticleRequest;

const SITEMAP_NS: &str = "http://www.sitemaps.org/schemas/sitemap/0.9";
const NEWS_NS: &str = "http://www.google.com/schemas/sitemap-news/0.9";

/// The text of every `name` element in the sitemap namespace `ns`.
fn texts(xml: &str, ns: &str, name: &str) -> Vec<String> {
    let document =
        roxmltree::Document::parse(xml).unwrap_or_else(|e| panic!("not XML ({e}): {xml}"));
    document
        .descendants()
        .filter(|n| n.tag_name().name() == name && n.tag_name().namespace() == Some(ns))
        .map(|n| n.text().unwrap_or_default().to_owned())
        .collect()
}

fn month_file(seconds: i64) -> String {
    let at = jiff::Timestamp::from_second(seconds).unwrap();
    format!(
        "http://localhost/sitemaps/articles-{}.xml",
        at.strftime("%Y-%m")
    )
}

#[tokio::test]
async fn the_index_names_each_month_and_each_file_lists_only_public_addresses() {
    let app = TestApp::new().await;
    let now = app.site.now();
    let old = app
        .publish_with(ArticleRequest {
            title: "Old <news> & \"views\"".into(),
            body_markdown: "Body.".into(),
            tags: vec!["Archive".into()],
            published_at: Some(now - 400 * 86_400),
            ..Default::default()
        })
        .await;
    let fresh = app.publish("Fresh <b>story</b> & \"more\"", "Body.").await;
    for (title, draft, at) in [
        ("Draft story", true, None),
        ("Scheduled story", false, Some(now + 3_600)),
    ] {
        app.publish_with(ArticleRequest {
            title: title.into(),
            body_markdown: "Secret.".into(),
            categories: vec!["Embargo".into()],
            draft,
            published_at: at,
            ..Default::default()
        })
        .await;
    }

    let index = app.browser().get("/sitemap.xml").await;
    assert_eq!(index.status, StatusCode::OK);
    assert_eq!(
        index.headers["content-type"],
        "application/xml; charset=utf-8"
    );
    let files = texts(&index.body, SITEMAP_NS, "loc");
    assert!(
        files.contains(&month_file(old.published_at.unwrap())),
        "{files:?}"
    );
    assert!(
        files.contains(&month_file(fresh.published_at.unwrap())),
        "{files:?}"
    );
    assert!(files.contains(&"http://localhost/sitemaps/archives.xml".to_owned()));

    let mut every_address = Vec::new();
    for file in &files {
        let path = file.strip_prefix("http://localhost").unwrap();
        let response = app.browser().get(path).await;
        assert_eq!(response.status, StatusCode::OK, "{path}");
        let locs = texts(&response.body, SITEMAP_NS, "loc");
        let lastmods = texts(&response.body, SITEMAP_NS, "lastmod");
        assert_eq!(
            locs.len(),
            lastmods.len(),
            "{path}: every address has its date"
        );
        assert!(
            lastmods
                .iter()
                .all(|d| d.parse::<jiff::Timestamp>().is_ok()),
            "{lastmods:?}"
        );
        every_address.extend(locs);
    }
    for present in [
        format!("http://localhost/articles/{}", old.slug),
        format!("http://localhost/articles/{}", fresh.slug),
        "http://localhost/tag/archive".to_owned(),
        "http://localhost/author/edith-editor".to_owned(),
    ] {
        assert!(
            every_address.contains(&present),
            "{present}: {every_address:?}"
        );
    }
    for absent in ["draft-story", "scheduled-story", "embargo"] {
        assert!(
            every_address.iter().all(|a| !a.contains(absent)),
            "{absent}: {every_address:?}"
        );
    }

    let news = app.browser().get("/sitemap-news.xml").await;
    assert_eq!(news.status, StatusCode::OK);
    let titles = texts(&news.body, NEWS_NS, "title");
    assert!(
        titles.contains(&"Fresh <b>story</b> & \"more\"".to_owned()),
        "the title reads back whole, escaped in the XML: {titles:?}"
    );
    assert!(!news.body.contains("<b>"));
    assert!(
        !titles.iter().any(|t| t.starts_with("Old")),
        "only the last two days"
    );
    assert!(
        !titles
            .iter()
            .any(|t| t.contains("Draft") || t.contains("Scheduled"))
    );
    assert_eq!(texts(&news.body, NEWS_NS, "name")[0], "Gazette");
    assert_eq!(texts(&news.body, NEWS_NS, "language")[0], "en");
}

#[tokio::test]
async fn a_publication_is_in_the_sitemaps_at_once_and_odd_names_are_not_found() {
    let app = TestApp::new().await;
    let before = app.browser().get("/sitemap-news.xml").await;
    assert!(!before.body.contains("Breaking"));
    let story = app.publish("Breaking", "Now.").await;
    let after = app.browser().get("/sitemap-news.xml").await;
    assert!(
        texts(&after.body, SITEMAP_NS, "loc")
            .contains(&format!("http://localhost/articles/{}", story.slug))
    );
    for path in [
        "/sitemaps/articles-1999-01.xml",
        "/sitemaps/articles-2026-13.xml",
        "/sitemaps/pages-2.xml",
        "/sitemaps/pages.xml",
        "/sitemaps/articles-2026-12-1.xml",
        "/sitemaps/..%2f..%2fetc%2fpasswd",
        "/sitemaps/archives-99999999999.xml",
    ] {
        assert_eq!(
            app.browser().get(path).await.status,
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
}

#[tokio::test]
async fn robots_txt_names_the_sitemaps_and_keeps_crawlers_out_of_the_newsroom() {
    let app = TestApp::with_config(|c| c.site.base_url = "https://news.example/".into()).await;
    let robots = app.browser().get("/robots.txt").await;
    assert_eq!(robots.status, StatusCode::OK);
    assert_eq!(robots.headers["content-type"], "text/plain; charset=utf-8");
    assert!(
        robots
            .body
            .contains("Sitemap: https://news.example/sitemap.xml\n")
    );
    assert!(
        robots
            .body
            .contains("Sitemap: https://news.example/sitemap-news.xml\n")
    );
    assert!(robots.body.contains("Disallow: /admin\n"));
}
