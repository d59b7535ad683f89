//! Date archives: `/2026/`, `/2026/12/`, `/2026/12/01/` in the site's time zone, paginated,
//! public articles only, and every other shape of the address leading to them or to a 404.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use axum::http::StatusCode;
use common::TestApp;
use gazette_core::publishing::ArticleRequest;

/// Unix seconds of a wall-clock time in Paris.
fn paris(text: &str) -> i64 {
    let civil: jiff::civil::DateTime = text.parse().unwrap();
    civil
        .to_zoned_datetime(jiff::tz::TimeZone::get("Europe/Paris").unwrap())
        .unwrap()
        .timestamp()
        .as_second()
}

async fn at(app: &TestApp, title: &str, when: i64, draft: bool) {
    app.publish_with(ArticleRequest {
        title: title.into(),
        body_markdown: "Body.".into(),
        published_at: Some(when),
        draft,
        ..Default::default()
    })
    .await;
}

#[tokio::test]
async fn years_months_and_days_list_what_was_published_then_in_the_site_s_time_zone() {
    let app = TestApp::with_config(|c| {
        c.site.timezone = "Europe/Paris".into();
        c.site.articles_per_page = 2;
    })
    .await;
    // 00:30 in Paris on December 1 is still November 30 in UTC.
    at(
        &app,
        "Just after midnight",
        paris("2025-12-01T00:30:00"),
        false,
    )
    .await;
    at(
        &app,
        "Late on the first",
        paris("2025-12-01T23:50:00"),
        false,
    )
    .await;
    at(
        &app,
        "Second of December",
        paris("2025-12-02T09:00:00"),
        false,
    )
    .await;
    at(
        &app,
        "Last of November",
        paris("2025-11-30T23:59:00"),
        false,
    )
    .await;
    at(
        &app,
        "A draft of December",
        paris("2025-12-01T12:00:00"),
        true,
    )
    .await;

    let day = app.browser().get("/2025/12/01/").await;
    assert_eq!(day.status, StatusCode::OK);
    let text = day.text();
    assert!(text.contains("<h1>December 1, 2025</h1>"), "{text}");
    assert!(text.contains("Just after midnight") && text.contains("Late on the first"));
    assert!(!text.contains("Second of December") && !text.contains("Last of November"));
    assert!(!text.contains("A draft"));
    assert!(
        text.contains(r#"<link rel="canonical" href="/2025/12/01/">"#),
        "{text}"
    );

    let month = app.browser().get("/2025/12/").await.text();
    assert!(month.contains("<h1>December 2025</h1>"));
    assert!(month.contains("Second of December") && month.contains("Late on the first"));
    assert!(
        !month.contains("Just after midnight"),
        "page 2 of 2, newest first"
    );
    assert!(month.contains(r#"href="/2025/12/?page=2""#), "{month}");
    let second = app.browser().get("/2025/12/?page=2").await;
    assert_eq!(second.status, StatusCode::OK);
    assert!(second.text().contains("Just after midnight"));
    assert_eq!(
        app.browser().get("/2025/12/?page=3").await.status,
        StatusCode::NOT_FOUND
    );

    let year = app.browser().get("/2025/").await;
    assert_eq!(year.status, StatusCode::OK);
    assert!(year.text().contains("<h1>2025</h1>"));
}

#[tokio::test]
async fn other_shapes_redirect_or_are_not_found() {
    let app = TestApp::new().await;
    at(&app, "Story", 1_764_590_400, false).await; // 2025-12-01T12:00:00Z
    for (path, location) in [
        ("/2025", "/2025/"),
        ("/2025/12", "/2025/12/"),
        ("/2025/12/01", "/2025/12/01/"),
    ] {
        let response = app.browser().get(path).await;
        assert_eq!(response.status, StatusCode::MOVED_PERMANENTLY, "{path}");
        assert_eq!(response.location(), location, "{path}");
    }
    for path in [
        "/2025/13/",
        "/2025/02/30/",
        "/2025/1/",
        "/0999/",
        "/99999/",
        "/2025/12/02/",
        "/2024/",
        "/2025/ab/",
    ] {
        let response = app.browser().get(path).await;
        assert_eq!(
            response.status,
            StatusCode::NOT_FOUND,
            "{path}: {}",
            response.location()
        );
    }
}
