//! Reader-facing pages through the real router: front page, archives, article page, errors.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use axum::http::StatusCode;
use common::TestApp;
use gazette_core::publishing::ArticleRequest;

#[tokio::test]
async fn a_new_site_shows_its_welcome_article_on_the_front_page() {
    let app = TestApp::new().await;
    let page = app.browser().get("/").await;
    assert_eq!(page.status, StatusCode::OK);
    let text = page.text();
    assert!(
        text.contains(r#"<a href="/articles/welcome-to-gazette">Welcome to Gazette</a>"#),
        "{text}"
    );
    assert!(text.contains("0 comments"));
    assert!(text.contains("The Gazette Team"));
}

#[tokio::test]
async fn the_welcome_article_invites_the_first_comment() {
    let app = TestApp::new().await;
    let page = app.browser().get("/articles/welcome-to-gazette").await;
    assert_eq!(page.status, StatusCode::OK);
    let text = page.text();
    assert!(text.contains(r#"<h1 class="story-title">Welcome to Gazette</h1>"#));
    assert!(text.contains(r#"<h2 id="comments-title">Be the first to comment</h2>"#));
    assert!(text.contains(r#"<h2 id="reply-title">Leave a Reply</h2>"#));
    assert!(text.contains("Your email address will not be published. Required fields are marked"));
    for (id, label) in [
        ("comment", "Comment"),
        ("author", "Name"),
        ("email", "Email"),
        ("url", "Website"),
    ] {
        assert!(
            text.contains(&format!(r#"<label for="{id}">{label}"#)),
            "label {label}"
        );
        assert!(
            text.contains(&format!(r#"id="{id}" name="{id}""#)),
            "input {id}"
        );
    }
    assert!(text.contains("Save my name, email, and website in this browser"));
    assert!(!text.contains("Comments are closed."));
}

#[tokio::test]
async fn the_article_page_has_byline_dateline_terms_and_a_sanitised_body() {
    let app = TestApp::new().await;
    app.publish_with(ArticleRequest {
        title: "Budget passes".into(),
        body_markdown: "The council **voted**.\n\n<script>alert('x')</script>\n\n> A quote".into(),
        categories: vec!["Local Politics".into()],
        tags: vec!["budget".into(), "council".into()],
        comments_open: true,
        ..Default::default()
    })
    .await;
    let text = app.browser().get("/articles/budget-passes").await.text();
    assert!(
        text.contains(r#"By <a href="/author/edith-editor" rel="author">Edith Editor</a>"#),
        "{text}"
    );
    assert!(text.contains(r#"<a href="/category/local-politics">Local Politics</a>"#));
    assert!(text.contains(r#"<a href="/tag/budget" rel="tag">budget</a>"#));
    assert!(text.contains("<strong>voted</strong>"));
    assert!(text.contains("<blockquote>"));
    assert!(!text.contains("<script>alert"), "script survived");
    assert!(text.contains("<time datetime="));
    assert!(text.contains(r#"<link rel="canonical" href="/articles/budget-passes">"#));
    assert!(text.contains(r#"<meta property="og:type" content="article">"#));
}

#[tokio::test]
async fn unknown_articles_get_a_real_404_page() {
    let app = TestApp::new().await;
    let page = app.browser().get("/articles/no-such-thing").await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert!(page.text().contains("<h1>Page not found</h1>"));
    assert!(page.text().contains("There is no article at this address."));
    assert!(
        page.text()
            .contains(r#"<meta name="robots" content="noindex">"#)
    );
    let page = app.browser().get("/no/such/route").await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert!(page.text().contains("There is nothing at this address."));
}

#[tokio::test]
async fn drafts_and_scheduled_articles_are_not_public() {
    let app = TestApp::new().await;
    app.publish_with(ArticleRequest {
        title: "Secret draft".into(),
        draft: true,
        ..Default::default()
    })
    .await;
    app.publish_with(ArticleRequest {
        title: "Tomorrow".into(),
        published_at: Some(app.site.now() + 86_400),
        ..Default::default()
    })
    .await;
    let mut reader = app.browser();
    assert_eq!(
        reader.get("/articles/secret-draft").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        reader.get("/articles/tomorrow").await.status,
        StatusCode::NOT_FOUND
    );
    let front = reader.get("/").await.text();
    assert!(!front.contains("Secret draft"));
    assert!(!front.contains("Tomorrow"));
}

#[tokio::test]
async fn archives_list_their_articles_and_refuse_unknown_slugs() {
    let app = TestApp::new().await;
    app.publish_with(ArticleRequest {
        title: "Harbour reopens".into(),
        categories: vec!["Business".into()],
        tags: vec!["ports".into()],
        ..Default::default()
    })
    .await;
    app.publish_with(ArticleRequest {
        title: "Cup final".into(),
        categories: vec!["Sport".into()],
        ..Default::default()
    })
    .await;
    let mut reader = app.browser();
    let business = reader.get("/category/business").await;
    assert_eq!(business.status, StatusCode::OK);
    let text = business.text();
    assert!(text.contains("<h1>Business</h1>"));
    assert!(text.contains("Harbour reopens"));
    assert!(!text.contains("Cup final"));
    assert!(
        reader
            .get("/tag/ports")
            .await
            .text()
            .contains("Harbour reopens")
    );
    let author = reader.get("/author/edith-editor").await.text();
    assert!(author.contains("Harbour reopens") && author.contains("Cup final"));
    assert!(!author.contains("Welcome to Gazette"));
    assert_eq!(
        reader.get("/category/weather").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        reader.get("/author/nobody").await.status,
        StatusCode::NOT_FOUND
    );
    // The navigation lists categories in use.
    assert!(text.contains(r#"<a href="/category/sport">Sport</a>"#));
}

#[tokio::test]
async fn unpublished_categories_tags_and_authors_are_not_found() {
    let app = TestApp::new().await;
    app.publish_with(ArticleRequest {
        title: "Embargoed merger".into(),
        categories: vec!["Mergers".into()],
        tags: vec!["acme-buys-globex".into()],
        draft: true,
        ..Default::default()
    })
    .await;
    app.publish_with(ArticleRequest {
        title: "Tomorrow's story".into(),
        categories: vec!["Futures".into()],
        published_at: Some(app.site.now() + 3600),
        ..Default::default()
    })
    .await;
    app.site
        .create_account(gazette_core::accounts::AccountRequest {
            username: "quiet.moderator".into(),
            display_name: String::new(),
            email: "q@newsroom.example".into(),
            role: gazette_domain::Role::Moderator,
            password: "a long enough password".into(),
        })
        .await
        .expect("account");
    let mut reader = app.browser();
    for path in [
        "/category/mergers",
        "/tag/acme-buys-globex",
        "/category/futures",
        "/author/quiet-moderator",
    ] {
        let response = reader.get(path).await;
        assert_eq!(response.status, StatusCode::NOT_FOUND, "{path}");
        let text = response.text();
        assert!(
            !text.contains("Mergers") && !text.contains("Futures"),
            "{path}"
        );
        assert!(text.contains("There is no such"), "{path}");
    }
    // The same answer as for what never existed: nothing to tell them apart.
    assert_eq!(
        reader
            .get("/category/mergers")
            .await
            .body
            .replace("category/mergers", ""),
        reader
            .get("/category/nothing00")
            .await
            .body
            .replace("category/nothing00", "")
    );
}

#[tokio::test]
async fn the_front_page_is_paginated() {
    let app = TestApp::with_config(|c| c.site.articles_per_page = 2).await;
    for i in 1..=4 {
        app.publish_with(ArticleRequest {
            title: format!("Story {i}"),
            published_at: Some(app.site.now() - 1000 + i),
            ..Default::default()
        })
        .await;
    }
    // Five articles, the welcome one newest: pages of 2, 2, 1.
    let mut reader = app.browser();
    let first = reader.get("/").await.text();
    assert!(
        first.contains("Welcome to Gazette")
            && first.contains("Story 4")
            && !first.contains("Story 3")
    );
    assert!(first.contains(r#"<a rel="next" href="/?page=2">"#));
    let third = reader.get("/?page=3").await.text();
    assert!(third.contains("Story 1") && !third.contains("Story 2"));
    assert!(third.contains("Page 3 of 3"));
    assert!(third.contains(r#"<a rel="prev" href="/?page=2">"#));
    let past = reader.get("/?page=4").await;
    assert_eq!(past.status, StatusCode::NOT_FOUND);
    let bad = reader.get("/?page=two").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(
        bad.text()
            .contains("The page parameter must be a whole number")
    );
}

#[tokio::test]
async fn a_closed_article_says_so_and_offers_no_form() {
    let app = TestApp::new().await;
    app.publish_with(ArticleRequest {
        title: "Closed story".into(),
        comments_open: false,
        ..Default::default()
    })
    .await;
    let text = app.browser().get("/articles/closed-story").await.text();
    assert!(text.contains(r#"<p class="comments-closed">Comments are closed.</p>"#));
    assert!(!text.contains("Leave a Reply"));
    assert!(
        !text.contains(r#"method="post""#),
        "no form posts anything: {text}"
    );
    assert!(!text.contains(r#"class="comment-form""#));
}

#[tokio::test]
async fn comments_close_by_themselves_after_the_configured_days() {
    let app = TestApp::with_config(|c| c.comments.close_after_days = 7).await;
    app.publish_with(ArticleRequest {
        title: "Old news".into(),
        comments_open: true,
        published_at: Some(app.site.now() - 8 * 86_400),
        ..Default::default()
    })
    .await;
    app.publish("Fresh news", "Today.").await;
    let mut reader = app.browser();
    assert!(
        reader
            .get("/articles/old-news")
            .await
            .text()
            .contains("Comments are closed.")
    );
    assert!(
        reader
            .get("/articles/fresh-news")
            .await
            .text()
            .contains("Leave a Reply")
    );
}

#[tokio::test]
async fn the_stylesheet_and_security_headers_are_served() {
    let app = TestApp::new().await;
    let mut reader = app.browser();
    let css = reader.get("/static/gazette.css").await;
    assert_eq!(css.status, StatusCode::OK);
    assert_eq!(css.headers["content-type"], "text/css; charset=utf-8");
    assert!(css.body.contains(".comment-list"));
    let page = reader.get("/").await;
    let csp = page.headers["content-security-policy"]
        .to_str()
        .unwrap_or("");
    assert!(csp.contains("script-src 'self'"), "{csp}");
    assert_eq!(page.headers["x-content-type-options"], "nosniff");
    // Reading sets no cookie at all.
    assert!(page.headers.get("set-cookie").is_none());
}

#[tokio::test]
async fn identicons_are_drawn_for_hex_hashes_only() {
    let app = TestApp::new().await;
    let mut reader = app.browser();
    let svg = reader
        .get("/avatar/00112233445566778899aabbccddeeff.svg")
        .await;
    assert_eq!(svg.status, StatusCode::OK);
    assert_eq!(svg.headers["content-type"], "image/svg+xml");
    assert!(svg.body.starts_with("<svg"));
    assert_eq!(
        reader.get("/avatar/ada@example.com.svg").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        reader.get("/avatar/0011.png").await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn a_wrong_method_gets_a_page_not_an_empty_body() {
    let app = TestApp::new().await;
    let response = app.browser().post_form("/", &[("a", "b")]).await;
    assert_eq!(response.status, StatusCode::METHOD_NOT_ALLOWED);
    assert!(
        response
            .text()
            .contains("This address does not accept that kind of request.")
    );
    assert!(response.headers.contains_key("allow"));
}
