//! Commenting through the form: post/redirect/get, moderation, threading, validation, cookies.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use axum::http::StatusCode;
use common::{TestApp, comment_fields, comment_id_from};
use gazette_domain::CommentId;

#[tokio::test]
async fn a_comment_redirects_to_its_anchor() {
    let app = TestApp::new().await;
    app.publish("Story", "Body.").await;
    let response = app
        .browser()
        .comment(
            "story",
            &comment_fields("Great piece.", "Ada", "ada@example.com"),
        )
        .await;
    assert_eq!(response.status, StatusCode::SEE_OTHER);
    let id = comment_id_from(response.location());
    assert_eq!(
        response.location(),
        format!("/articles/story#comment-{}", id.0)
    );
}

#[tokio::test]
async fn a_held_comment_is_shown_to_its_author_only() {
    let app = TestApp::new().await;
    app.publish("Story", "Body.").await;
    let mut author = app.browser();
    let posted = author
        .comment("story", &comment_fields("First!", "Ada", "ada@example.com"))
        .await;
    let id = comment_id_from(posted.location());

    let own_view = author.get("/articles/story").await.text();
    assert!(
        own_view.contains(&format!(r#"id="comment-{}""#, id.0)),
        "{own_view}"
    );
    assert!(own_view.contains("Your comment is awaiting moderation."));
    assert!(own_view.contains("First!"));
    // Held comments are not counted.
    assert!(own_view.contains("Be the first to comment"));

    let other = app.browser().get("/articles/story").await.text();
    assert!(!other.contains("First!"));
    assert!(!other.contains(&format!("comment-{}", id.0)));
    assert!(!other.contains("awaiting moderation"));
    assert!(other.contains("Be the first to comment"));
    let front = app.browser().get("/").await.text();
    assert!(front.contains("0 comments"));
}

#[tokio::test]
async fn a_forged_own_comments_cookie_reveals_nothing() {
    let app = TestApp::new().await;
    app.publish("Story", "Body.").await;
    let posted = app
        .browser()
        .comment(
            "story",
            &comment_fields("Secret held text", "Ada", "ada@example.com"),
        )
        .await;
    let id = comment_id_from(posted.location());
    let mut snoop = app.browser();
    snoop.cookies.insert("gazette_own".into(), id.0.to_string());
    let page = snoop.get("/articles/story").await.text();
    assert!(!page.contains("Secret held text"));
}

#[tokio::test]
async fn approval_publishes_and_trusts_the_commenter_next_time() {
    let app = TestApp::new().await;
    app.publish("Story", "Body.").await;
    let mut ada = app.browser();
    let first = comment_id_from(
        ada.comment(
            "story",
            &comment_fields("First thoughts", "Ada", "ada@example.com"),
        )
        .await
        .location(),
    );
    app.approve(first).await;
    let page = app.browser().get("/articles/story").await.text();
    assert!(page.contains("1 Comment on “Story”"), "{page}");
    assert!(page.contains("First thoughts"));

    // Same address, any case: approved at once.
    let second = comment_id_from(
        app.browser()
            .comment(
                "story",
                &comment_fields("More thoughts", "Ada", "ADA@Example.com"),
            )
            .await
            .location(),
    );
    let page = app.browser().get("/articles/story").await.text();
    assert!(page.contains("2 Comments on “Story”"));
    assert!(page.contains(&format!(r#"id="comment-{}""#, second.0)));
    assert!(!page.contains("awaiting moderation"));
    let front = app.browser().get("/").await.text();
    assert!(front.contains("2 comments"));
}

#[tokio::test]
async fn replies_nest_under_their_parent_and_the_reply_link_works_without_javascript() {
    let app =
        TestApp::with_config(|c| c.comments.moderation = gazette_domain::ModerationPolicy::NoHold)
            .await;
    app.publish("Story", "Body.").await;
    let mut reader = app.browser();
    let parent = comment_id_from(
        reader
            .comment("story", &comment_fields("Parent", "Ada", "a@example.com"))
            .await
            .location(),
    );
    let page = reader.get("/articles/story").await.text();
    let reply_link = format!("/articles/story?replytocom={}#respond", parent.0);
    assert!(page.contains(&format!(r#"href="{reply_link}""#)), "{page}");

    let form = reader
        .get(&format!("/articles/story?replytocom={}", parent.0))
        .await
        .text();
    assert!(form.contains("Reply to Ada"));
    assert!(form.contains(&format!(r#"name="comment_parent" value="{}""#, parent.0)));
    assert!(form.contains("Cancel reply"));

    let parent_text = parent.0.to_string();
    let mut fields = comment_fields("Child", "Bob", "b@example.com");
    fields.push(("comment_parent", &parent_text));
    let child = comment_id_from(reader.comment("story", &fields).await.location());
    let page = reader.get("/articles/story").await.text();
    let parent_at = page
        .find(&format!(r#"id="comment-{}""#, parent.0))
        .expect("parent");
    let children_at = page[parent_at..]
        .find(r#"<ol class="children">"#)
        .expect("children list")
        + parent_at;
    let child_at = page
        .find(&format!(r#"id="comment-{}""#, child.0))
        .expect("child");
    assert!(parent_at < children_at && children_at < child_at);
    assert!(page.contains(r#"<li class="depth-2">"#));
}

#[tokio::test]
async fn replies_deeper_than_the_limit_attach_at_the_deepest_level() {
    let app = TestApp::with_config(|c| {
        c.comments.max_depth = 2;
        c.comments.moderation = gazette_domain::ModerationPolicy::NoHold;
    })
    .await;
    let article = app.publish("Story", "Body.").await;
    let mut reader = app.browser();
    let mut parent: Option<CommentId> = None;
    for body in ["one", "two", "three"] {
        let parent_text = parent.map(|p| p.0.to_string()).unwrap_or_default();
        let mut fields = comment_fields(body, "Ada", "a@example.com");
        fields.push(("comment_parent", &parent_text));
        parent = Some(comment_id_from(
            reader.comment("story", &fields).await.location(),
        ));
    }
    let json = reader
        .get(&format!("/api/v1/articles/{}/comments", article.id.0))
        .await
        .json();
    let depths: Vec<i64> = json["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|c| c["depth"].as_i64().unwrap_or(0))
        .collect();
    assert_eq!(depths, [1, 2, 2]);
    let first_id = json["items"][0]["id"].clone();
    assert_eq!(json["items"][2]["parent_id"], first_id);
    let page = reader.get("/articles/story").await.text();
    assert!(!page.contains("depth-3"));
}

#[tokio::test]
async fn a_reply_to_a_comment_that_is_not_approved_here_is_refused() {
    let app = TestApp::new().await;
    app.publish("Story", "Body.").await;
    app.publish("Other", "Body.").await;
    let held = comment_id_from(
        app.browser()
            .comment("story", &comment_fields("Held", "Ada", "ada@example.com"))
            .await
            .location(),
    );
    let elsewhere = comment_id_from(
        app.browser()
            .comment(
                "other",
                &comment_fields("Elsewhere", "Bob", "bob@example.com"),
            )
            .await
            .location(),
    );
    app.approve(elsewhere).await;
    let before = app.comment_rows().await;
    for parent in [
        held.0.to_string(),
        elsewhere.0.to_string(),
        "999999".to_owned(),
        "abc".to_owned(),
    ] {
        let mut fields = comment_fields("Reply", "Cy", "cy@example.com");
        fields.push(("comment_parent", &parent));
        let response = app.browser().comment("story", &fields).await;
        assert_eq!(
            response.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "parent {parent}"
        );
        let text = response.text();
        assert!(
            text.contains("The comment you are replying to is not available any more")
                || text.contains("The comment you are replying to does not exist."),
            "parent {parent}: {text}"
        );
        assert!(
            text.contains(r#"<textarea id="comment" name="comment""#)
                && text.contains(">Reply</textarea>")
        );
    }
    assert_eq!(app.comment_rows().await, before);
}

#[tokio::test]
async fn each_invalid_field_gets_a_422_with_its_message_and_nothing_is_stored() {
    let app = TestApp::new().await;
    app.publish("Story", "Body.").await;
    let long_body = "x".repeat(10_001);
    let long_name = "n".repeat(101);
    let long_email = format!("{}@example.com", "e".repeat(250));
    let long_url = format!("https://example.com/{}", "u".repeat(200));
    let cases: Vec<(Vec<(&str, &str)>, &str)> = vec![
        (
            vec![
                ("comment", ""),
                ("author", "Ada"),
                ("email", "a@example.com"),
            ],
            "Please type your comment.",
        ),
        (
            vec![
                ("comment", "   "),
                ("author", "Ada"),
                ("email", "a@example.com"),
            ],
            "Please type your comment.",
        ),
        (
            vec![
                ("comment", &long_body),
                ("author", "Ada"),
                ("email", "a@example.com"),
            ],
            "Your comment is 10,001 characters long; the limit is 10,000.",
        ),
        (
            vec![
                ("comment", "Hi"),
                ("author", ""),
                ("email", "a@example.com"),
            ],
            "Please give your name.",
        ),
        (
            vec![
                ("comment", "Hi"),
                ("author", &long_name),
                ("email", "a@example.com"),
            ],
            "Your name is 101 characters long; the limit is 100.",
        ),
        (
            vec![("comment", "Hi"), ("author", "Ada"), ("email", "")],
            "Please give your email address; it will not be published.",
        ),
        (
            vec![
                ("comment", "Hi"),
                ("author", "Ada"),
                ("email", "not-an-address"),
            ],
            "That email address does not look right",
        ),
        (
            vec![("comment", "Hi"), ("author", "Ada"), ("email", &long_email)],
            "Your email address is 262 characters long; the limit is 254.",
        ),
        (
            vec![
                ("comment", "Hi"),
                ("author", "Ada"),
                ("email", "a@example.com"),
                ("url", "javascript:alert(1)"),
            ],
            "Your website must be an http:// or https:// address",
        ),
        (
            vec![
                ("comment", "Hi"),
                ("author", "Ada"),
                ("email", "a@example.com"),
                ("url", &long_url),
            ],
            "Your website address is 220 characters long; the limit is 200.",
        ),
        (
            vec![
                ("comment", "<script>alert(1)</script>"),
                ("author", "Ada"),
                ("email", "a@example.com"),
            ],
            "Your comment has no text once formatting is removed.",
        ),
        (vec![], "Please type your comment."),
    ];
    for (fields, message) in cases {
        let response = app.browser().comment("story", &fields).await;
        assert_eq!(
            response.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{message}"
        );
        let text = response.text();
        assert!(text.contains(message), "expected {message:?} in the page");
        assert!(text.contains("Your comment was not posted."));
        assert!(text.contains(r#"aria-invalid="true""#));
    }
    assert_eq!(app.comment_rows().await, 0);
}

#[tokio::test]
async fn a_refused_comment_keeps_what_the_reader_typed() {
    let app = TestApp::new().await;
    app.publish("Story", "Body.").await;
    let response = app
        .browser()
        .comment(
            "story",
            &[
                ("comment", "My long considered reply"),
                ("author", "Ada Lovelace"),
                ("email", "broken@"),
                ("url", "https://ada.example"),
            ],
        )
        .await;
    assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY);
    let text = response.text();
    assert!(text.contains(">My long considered reply</textarea>"));
    assert!(text.contains(r#"value="Ada Lovelace""#));
    assert!(text.contains(r#"value="broken@""#));
    assert!(text.contains(r#"value="https://ada.example""#));
}

#[tokio::test]
async fn comments_on_closed_missing_or_draft_articles_are_refused() {
    let app = TestApp::new().await;
    app.publish_with(gazette_core::publishing::ArticleRequest {
        title: "Closed".into(),
        comments_open: false,
        ..Default::default()
    })
    .await;
    app.publish_with(gazette_core::publishing::ArticleRequest {
        title: "Draft".into(),
        draft: true,
        comments_open: true,
        ..Default::default()
    })
    .await;
    let fields = comment_fields("Hi", "Ada", "ada@example.com");
    let closed = app.browser().comment("closed", &fields).await;
    assert_eq!(closed.status, StatusCode::FORBIDDEN);
    assert!(
        closed
            .text()
            .contains("Comments are closed on this article.")
    );
    assert_eq!(
        app.browser().comment("draft", &fields).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.browser().comment("nothing-here", &fields).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(app.comment_rows().await, 0);
}

#[tokio::test]
async fn saved_details_prefill_the_form_until_unticked() {
    let app = TestApp::new().await;
    app.publish("Story", "Body.").await;
    let mut ada = app.browser();
    let mut fields = comment_fields("Hello", "Ada", "ada@example.com");
    fields.push(("url", "https://ada.example"));
    fields.push(("save_details", "yes"));
    ada.comment("story", &fields).await;
    let form = ada.get("/articles/story").await.text();
    assert!(form.contains(r#"id="author" name="author" type="text" maxlength="100" autocomplete="name" required value="Ada""#), "{form}");
    assert!(form.contains(r#"value="ada@example.com""#));
    assert!(form.contains(r#"value="https://ada.example""#));
    assert!(form.contains(r#"value="yes" checked"#));

    ada.comment("story", &comment_fields("Again", "Ada", "ada@example.com"))
        .await;
    let form = ada.get("/articles/story").await.text();
    assert!(!form.contains(r#"value="ada@example.com""#));
    // Without the box ticked nothing is remembered in the first place.
    let mut bob = app.browser();
    bob.comment("story", &comment_fields("Hi", "Bob", "bob@example.com"))
        .await;
    assert!(!bob.cookies.contains_key("gazette_commenter"));
}

#[tokio::test]
async fn a_website_links_the_name_with_nofollow_ugc() {
    let app =
        TestApp::with_config(|c| c.comments.moderation = gazette_domain::ModerationPolicy::NoHold)
            .await;
    app.publish("Story", "Body.").await;
    let mut fields = comment_fields("Hi", "Ada", "ada@example.com");
    fields.push(("url", "https://ada.example/blog"));
    app.browser().comment("story", &fields).await;
    app.browser()
        .comment("story", &comment_fields("Hello", "Bob", "bob@example.com"))
        .await;
    let page = app.browser().get("/articles/story").await.text();
    assert!(
        page.contains(r#"<a href="https://ada.example/blog" rel="nofollow ugc noopener">Ada</a>"#),
        "{page}"
    );
    assert!(page.contains(r#"<b class="comment-author">Bob</b>"#));
}

#[tokio::test]
async fn comment_markdown_is_rendered_and_links_are_nofollow() {
    let app =
        TestApp::with_config(|c| c.comments.moderation = gazette_domain::ModerationPolicy::NoHold)
            .await;
    app.publish("Story", "Body.").await;
    app.browser()
        .comment(
            "story",
            &comment_fields(
                "*nice* and [a link](https://example.org)\n\n> quoted",
                "Ada",
                "a@example.com",
            ),
        )
        .await;
    let page = app.browser().get("/articles/story").await.text();
    assert!(page.contains("<em>nice</em>"));
    assert!(
        page.contains(r#"<a href="https://example.org" rel="nofollow ugc noopener">a link</a>"#)
    );
    assert!(page.contains("<blockquote>"));
}

#[tokio::test]
async fn comments_paginate_and_new_comments_redirect_to_their_page() {
    let app = TestApp::with_config(|c| {
        c.comments.per_page = 2;
        c.comments.moderation = gazette_domain::ModerationPolicy::NoHold;
    })
    .await;
    app.publish("Story", "Body.").await;
    let mut reader = app.browser();
    let mut last = String::new();
    for body in ["c1", "c2", "c3"] {
        last = reader
            .comment("story", &comment_fields(body, "Ada", "a@example.com"))
            .await
            .location()
            .to_owned();
    }
    assert!(
        last.starts_with("/articles/story?cpage=2#comment-"),
        "{last}"
    );
    let page2 = reader.get("/articles/story?cpage=2").await.text();
    assert!(page2.contains(">c3<") || page2.contains("<p>c3</p>"));
    assert!(!page2.contains("<p>c1</p>"));
    assert!(page2.contains("Comments page 2 of 2"));
    assert_eq!(
        reader.get("/articles/story?cpage=3").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        reader.get("/articles/story?cpage=x").await.status,
        StatusCode::BAD_REQUEST
    );
}

#[tokio::test]
async fn posts_from_another_site_are_refused() {
    let app = TestApp::new().await;
    app.publish("Story", "Body.").await;
    let body = app
        .comment_body("story", &comment_fields("Hi", "Ada", "ada@example.com"))
        .await;
    let mut reader = app.browser();
    let foreign = reader
        .post_raw(
            "/articles/story/comments",
            body.clone(),
            &[("origin", "https://evil.example")],
        )
        .await;
    assert_eq!(foreign.status, StatusCode::FORBIDDEN);
    assert!(
        foreign
            .text()
            .contains("This form was sent from another website.")
    );
    let fetch = reader
        .post_raw(
            "/articles/story/comments",
            body.clone(),
            &[("sec-fetch-site", "cross-site")],
        )
        .await;
    assert_eq!(fetch.status, StatusCode::FORBIDDEN);
    assert_eq!(app.comment_rows().await, 0);
    let same = reader
        .post_raw(
            "/articles/story/comments",
            body,
            &[("origin", "http://news.example")],
        )
        .await;
    assert_eq!(same.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn oversized_and_unreadable_bodies_are_refused_cleanly() {
    let app = TestApp::new().await;
    app.publish("Story", "Body.").await;
    let mut reader = app.browser();
    let huge = format!(
        "comment={}&author=A&email=a%40example.com",
        "x".repeat(300 * 1024)
    );
    let response = reader.post_raw("/articles/story/comments", huge, &[]).await;
    assert_eq!(response.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(response.text().contains("What you sent is too large."));
    let garbled = reader
        .post_raw("/articles/story/comments", "comment=%ZZ%".into(), &[])
        .await;
    assert!(garbled.status.is_client_error(), "{}", garbled.status);
    assert_eq!(app.comment_rows().await, 0);
}
