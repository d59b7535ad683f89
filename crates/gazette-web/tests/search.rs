//! `/search`: public articles holding every word, best first, with escaped and marked
//! passages, filters and pages; bad input answered on the page with a 400; nothing held,
//! drafted or private found; the newsroom's comment search for staff only.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use axum::http::StatusCode;
use common::{TestApp, comment_fields, comment_id_from};
use gazette_core::publishing::ArticleRequest;

fn story(title: &str, body: &str, hours_ago: i64, category: &str) -> ArticleRequest {
    ArticleRequest {
        title: title.into(),
        body_markdown: body.into(),
        categories: vec![category.into()],
        comments_open: true,
        published_at: Some(jiff::Timestamp::now().as_second() - hours_ago * 3_600),
        ..Default::default()
    }
}

#[tokio::test]
async fn a_search_ranks_marks_filters_and_pages_public_articles() {
    let app = TestApp::with_config(|c| c.search.per_page = 1).await;
    app.publish_with(story(
        "Harbour reopens",
        "The **harbour** reopened on Monday after the storm.",
        2,
        "City",
    ))
    .await;
    app.publish_with(story(
        "<script>alert(1)</script> budget",
        "Money for the harbour wall, and <img src=x onerror=alert(2)> more.",
        30,
        "Money",
    ))
    .await;
    app.publish_with(ArticleRequest {
        draft: true,
        ..story("Harbour draft", "harbour secrets", 1, "City")
    })
    .await;
    app.publish_with(ArticleRequest {
        published_at: Some(app.site.now() + 86_400),
        ..story("Harbour tomorrow", "harbour news to come", 0, "City")
    })
    .await;

    let page = app.browser().get("/search?q=harbour").await;
    assert_eq!(page.status, StatusCode::OK);
    let text = page.text();
    assert!(text.contains("2 articles match “harbour”"), "{text}");
    assert!(text.contains(r#"<meta name="robots" content="noindex, follow">"#));
    // The headline match first; one per page here, with a link to the next page.
    assert!(
        text.contains(r#"<a href="/articles/harbour-reopens"><mark>Harbour</mark> reopens</a>"#),
        "{text}"
    );
    assert!(
        text.contains(r#"href="/search?q=harbour&page=2""#),
        "{text}"
    );
    assert!(!text.contains("Harbour draft") && !text.contains("Harbour tomorrow"));

    let second = app.browser().get("/search?q=harbour&page=2").await.text();
    // Every passage is escaped text with marks: the title and the body's markup are inert.
    assert!(
        second.contains("&lt;script&gt;alert(1)&lt;/script&gt; budget"),
        "{second}"
    );
    assert!(!second.contains("<script>alert"));
    assert!(!second.contains("onerror"));
    assert!(second.contains("<mark>harbour</mark> wall"), "{second}");

    // Filters: a section, and dates (the last day included).
    let money = app
        .browser()
        .get("/search?q=harbour&category=money")
        .await
        .text();
    assert!(
        money.contains("1 article matches “harbour” with these filters"),
        "{money}"
    );
    let now = jiff::Timestamp::now().to_zoned_datetime(jiff::tz::TimeZone::UTC);
    let today = now.date().to_string();
    let recent = app
        .browser()
        .get(&format!("/search?q=harbour&from={today}&to={today}"))
        .await
        .text();
    // "Harbour reopens" is two hours old: today's unless the day began less than two hours ago.
    let expected_today = if now.hour() >= 2 { 1 } else { 0 };
    assert!(
        recent.contains(&format!(
            "{expected_today} article{} match",
            if expected_today == 1 { "" } else { "s" }
        )),
        "{recent}"
    );

    // No results: tips, and a way out of the filters.
    let none = app
        .browser()
        .get("/search?q=harbour+zebra&category=city")
        .await
        .text();
    assert!(none.contains("No articles match your search."), "{none}");
    assert!(none.contains(r#"href="/search?q=harbour+zebra""#), "{none}");

    // A new article shows at once (the cached results were for the old site).
    app.publish_with(story("Harbour fair", "A fair by the harbour.", 0, "City"))
        .await;
    let after = app.browser().get("/search?q=harbour").await.text();
    assert!(after.contains("3 articles match"), "{after}");
}

#[tokio::test]
async fn odd_queries_are_words_and_bad_input_is_a_400_on_the_page() {
    let app = TestApp::new().await;
    app.publish("Harbour reopens", "The harbour reopened.")
        .await;
    for query in [
        "%22harbour",
        "harbour*",
        "-harbour",
        "harbour%3A",
        "%22harbour%22+OR",
        "NEAR(harbour)",
        "%E2%80%AE%E2%80%8B",
        "%F0%9F%98%80",
    ] {
        let page = app.browser().get(&format!("/search?q={query}")).await;
        assert_eq!(page.status, StatusCode::OK, "{query}");
    }
    let quoted = app.browser().get("/search?q=%22harbour").await.text();
    assert!(quoted.contains("1 article matches"), "{quoted}");
    let near = app.browser().get("/search?q=NEAR(harbour)").await.text();
    assert!(
        near.contains("No articles match"),
        "every word, NEAR too: {near}"
    );

    let long = "harbour ".repeat(30);
    let page = app
        .browser()
        .get(&format!("/search?q={}", long.replace(' ', "+")))
        .await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    let text = page.text();
    assert!(text.contains("Your search is too long"), "{text}");
    assert!(
        text.contains(r#"<form class="search-form""#),
        "the form stays: {text}"
    );

    let many = (1..=12)
        .map(|i| format!("w{i}"))
        .collect::<Vec<_>>()
        .join("+");
    let page = app.browser().get(&format!("/search?q={many}")).await.text();
    assert!(
        page.contains("Only the first 8 words were searched for."),
        "{page}"
    );

    let bad_date = app.browser().get("/search?q=harbour&from=1+December").await;
    assert_eq!(bad_date.status, StatusCode::BAD_REQUEST);
    assert!(
        bad_date
            .text()
            .contains("is not a date; write it as YYYY-MM-DD")
    );
    let deep = app.browser().get("/search?q=harbour&page=101").await;
    assert_eq!(deep.status, StatusCode::BAD_REQUEST);
    let empty = app.browser().get("/search").await;
    assert_eq!(empty.status, StatusCode::OK);
    assert!(!empty.text().contains("match"));
}

#[tokio::test]
async fn comments_and_emails_are_never_search_results_but_staff_can_search_them() {
    let app = TestApp::new().await;
    let article = app
        .publish("Harbour reopens", "The harbour reopened.")
        .await;
    let mut reader = app.browser();
    let posted = reader
        .comment(
            &article.slug,
            &comment_fields(
                "Zanzibar ferries are late https://spam.example https://spam.example",
                "Quentin",
                "quentinmail@example.org",
            ),
        )
        .await;
    assert_eq!(posted.status, StatusCode::SEE_OTHER);
    let held = comment_id_from(posted.location());
    for query in ["zanzibar", "quentin", "quentinmail"] {
        let page = app
            .browser()
            .get(&format!("/search?q={query}"))
            .await
            .text();
        assert!(page.contains("No articles match"), "{query}: {page}");
        assert!(!page.contains("quentinmail@"), "{page}");
    }
    // The newsroom searches every status, with counts in each tab.
    let mut editor = app.editor().await;
    let found = editor
        .get("/admin/comments?status=held&q=zanzibar+ferries")
        .await;
    assert_eq!(found.status, StatusCode::OK);
    let text = found.text();
    assert!(text.contains(&format!(r#"id="c{}""#, held.0)), "{text}");
    assert!(text.contains("quentinmail@example.org"));
    assert!(text.contains("Held (1)"), "{text}");
    let other = editor
        .get("/admin/comments?status=held&q=unrelated")
        .await
        .text();
    assert!(other.contains("Held (0)"), "{other}");
    let anonymous = app.browser().get("/admin/comments?q=zanzibar").await;
    assert_ne!(anonymous.status, StatusCode::OK);
}

#[tokio::test]
async fn the_index_is_built_again_when_the_language_changes() {
    let app = TestApp::new().await;
    app.publish("Harbour reopens", "The harbour reopened.")
        .await;
    let mut german = app.site.config().clone();
    german.site.language = "de".into();
    let reopened = gazette_core::Site::open(app.site.store().clone(), german)
        .await
        .expect("reopen");
    // Opening already built it for German; asking again finds it current.
    assert_eq!(reopened.ensure_search_index().await.expect("ensure"), 0);
    assert_eq!(
        reopened
            .store()
            .setting(gazette_core::searching::INDEXED_SETTING)
            .await
            .expect("setting"),
        "german"
    );
    let results = reopened
        .search(&gazette_core::searching::SearchRequest {
            q: "harbour".into(),
            page: 1,
            ..Default::default()
        })
        .await
        .expect("search");
    assert_eq!(results.hits.total, 1);
}
