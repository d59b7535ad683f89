//! The JSON read API: shapes, paging, approved-only comments, and the error envelope.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use axum::http::StatusCode;
use common::{TestApp, comment_fields, comment_id_from};
use gazette_core::publishing::ArticleRequest;

#[tokio::test]
async fn articles_are_listed_newest_first_with_paging() {
    let app = TestApp::with_config(|c| c.site.articles_per_page = 2).await;
    let story = app.publish("Story", "Some *body*.").await;
    let json = app.browser().get("/api/v1/articles").await.json();
    assert_eq!(json["total"], 2);
    assert_eq!(json["page"], 1);
    assert_eq!(json["per_page"], 2);
    assert_eq!(json["total_pages"], 1);
    let titles: Vec<&str> = json["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|a| a["title"].as_str())
        .collect();
    assert_eq!(titles, ["Welcome to Gazette", "Story"]);
    let item = &json["items"][1];
    assert_eq!(item["id"], story.id.0);
    assert_eq!(item["url"], "/articles/story");
    assert_eq!(item["author"]["name"], "Edith Editor");
    assert_eq!(item["comment_count"], 0);
    assert!(
        item["published_at"]
            .as_str()
            .is_some_and(|t| t.ends_with('Z'))
    );
}

#[tokio::test]
async fn one_article_carries_its_body_and_terms() {
    let app = TestApp::new().await;
    let story = app
        .publish_with(ArticleRequest {
            title: "Story".into(),
            body_markdown: "Some *body*.".into(),
            tags: vec!["x".into()],
            comments_open: true,
            ..Default::default()
        })
        .await;
    let response = app
        .browser()
        .get(&format!("/api/v1/articles/{}", story.id.0))
        .await;
    assert_eq!(response.status, StatusCode::OK);
    assert_eq!(response.headers["content-type"], "application/json");
    let json = response.json();
    assert_eq!(json["body_html"], "<p>Some <em>body</em>.</p>\n");
    assert_eq!(json["tags"][0]["slug"], "x");
    assert_eq!(json["comments_open"], true);
}

#[tokio::test]
async fn errors_come_in_one_json_envelope() {
    let app = TestApp::new().await;
    let draft = app
        .publish_with(ArticleRequest {
            title: "Draft".into(),
            draft: true,
            ..Default::default()
        })
        .await;
    let mut client = app.browser();
    for (path, status, code) in [
        (format!("/api/v1/articles/{}", draft.id.0), 404, "not_found"),
        ("/api/v1/articles/999999".to_owned(), 404, "not_found"),
        ("/api/v1/articles/abc".to_owned(), 400, "bad_request"),
        ("/api/v1/articles?page=0".to_owned(), 400, "bad_request"),
        ("/api/v1/nothing".to_owned(), 404, "not_found"),
        ("/api/v1/counts".to_owned(), 400, "bad_request"),
        ("/api/v1/counts?articles=1,x".to_owned(), 400, "bad_request"),
    ] {
        let response = client.get(&path).await;
        assert_eq!(response.status.as_u16(), status, "{path}");
        let json = response.json();
        assert_eq!(json["error"]["status"], status, "{path}");
        assert_eq!(json["error"]["code"], code, "{path}");
        assert!(
            json["error"]["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty()),
            "{path}"
        );
    }
}

#[tokio::test]
async fn comments_are_approved_only_in_thread_order_without_emails() {
    let app = TestApp::new().await;
    let story = app.publish("Story", "Body.").await;
    let mut ada = app.browser();
    let first = comment_id_from(
        ada.comment("story", &comment_fields("first", "Ada", "ada@example.com"))
            .await
            .location(),
    );
    app.approve(first).await;
    let second = comment_id_from(
        ada.comment("story", &comment_fields("second", "Ada", "ada@example.com"))
            .await
            .location(),
    );
    let first_text = first.0.to_string();
    let mut reply = comment_fields("reply", "Ada", "ada@example.com");
    reply.push(("comment_parent", &first_text));
    let third = comment_id_from(ada.comment("story", &reply).await.location());
    ada.comment(
        "story",
        &comment_fields("held", "Newcomer", "new@example.com"),
    )
    .await;

    let response = app
        .browser()
        .get(&format!("/api/v1/articles/{}/comments", story.id.0))
        .await;
    assert_eq!(response.status, StatusCode::OK);
    assert!(
        !response.body.contains("example.com"),
        "an email leaked: {}",
        response.body
    );
    let json = response.json();
    let ids: Vec<i64> = json["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|c| c["id"].as_i64())
        .collect();
    assert_eq!(ids, [first.0, third.0, second.0]);
    assert_eq!(json["total"], 3);
    assert_eq!(json["items"][1]["parent_id"], first.0);
    assert_eq!(json["items"][1]["depth"], 2);
    assert_eq!(json["items"][0]["body_html"], "<p>first</p>\n");
    assert!(
        json["items"][0]["avatar_url"]
            .as_str()
            .is_some_and(|u| u.starts_with("/avatar/") && u.ends_with(".svg"))
    );
    assert!(json["items"][0].get("email").is_none());

    let paged = app
        .browser()
        .get(&format!(
            "/api/v1/articles/{}/comments?per_page=2&page=2",
            story.id.0
        ))
        .await
        .json();
    assert_eq!(paged["items"].as_array().map(Vec::len), Some(1));
    assert_eq!(paged["total_pages"], 2);
    let too_many = app
        .browser()
        .get(&format!(
            "/api/v1/articles/{}/comments?per_page=5000",
            story.id.0
        ))
        .await;
    assert_eq!(too_many.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn counts_cover_public_articles_only() {
    let app =
        TestApp::with_config(|c| c.comments.moderation = gazette_domain::ModerationPolicy::NoHold)
            .await;
    let story = app.publish("Story", "Body.").await;
    let quiet = app.publish("Quiet", "Body.").await;
    let draft = app
        .publish_with(ArticleRequest {
            title: "Draft".into(),
            draft: true,
            ..Default::default()
        })
        .await;
    app.browser()
        .comment("story", &comment_fields("one", "Ada", "a@example.com"))
        .await;
    app.browser()
        .comment("story", &comment_fields("two", "Bob", "b@example.com"))
        .await;
    let json = app
        .browser()
        .get(&format!(
            "/api/v1/counts?articles={},{},{},424242",
            story.id.0, quiet.id.0, draft.id.0
        ))
        .await
        .json();
    let mut expected = serde_json::Map::new();
    expected.insert(story.id.0.to_string(), 2.into());
    expected.insert(quiet.id.0.to_string(), 0.into());
    assert_eq!(json["counts"], serde_json::Value::Object(expected));
    let ids: Vec<String> = (1..=101).map(|i| i.to_string()).collect();
    let response = app
        .browser()
        .get(&format!("/api/v1/counts?articles={}", ids.join(",")))
        .await;
    assert_eq!(response.status, StatusCode::BAD_REQUEST);
}
