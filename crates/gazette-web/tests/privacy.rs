//! The promises that are never broken: an email address is never published, and everything a
//! reader types comes out inert.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use axum::http::StatusCode;
use common::{TestApp, comment_fields, comment_id_from};
use sha2::{Digest, Sha256};

const EMAIL: &str = "secret.person@private-mail.example";

#[tokio::test]
async fn an_email_address_never_appears_in_a_public_response() {
    let app = TestApp::new().await;
    let story = app.publish("Story", "Body.").await;
    let mut commenter = app.browser();
    let mut fields = comment_fields("Approved words", "Sam", EMAIL);
    fields.push(("url", "https://sam.example"));
    let approved = comment_id_from(commenter.comment("story", &fields).await.location());
    app.approve(approved).await;
    commenter
        .comment("story", &comment_fields("Now trusted", "Sam", EMAIL))
        .await;

    let unkeyed_sha256 = hex::encode(Sha256::digest(EMAIL.as_bytes()));
    let local_part = EMAIL.split('@').next().unwrap_or(EMAIL);
    let mut reader = app.browser();
    let paths = [
        "/".to_owned(),
        "/?page=1".to_owned(),
        "/articles/story".to_owned(),
        format!("/articles/story?replytocom={}", approved.0),
        "/author/edith-editor".to_owned(),
        "/category/none".to_owned(),
        "/articles/missing".to_owned(),
        "/?page=x".to_owned(),
        "/api/v1/articles".to_owned(),
        format!("/api/v1/articles/{}", story.id.0),
        format!("/api/v1/articles/{}/comments", story.id.0),
        format!("/api/v1/counts?articles={}", story.id.0),
        "/api/v1/articles/0".to_owned(),
    ];
    for path in paths {
        let response = reader.get(&path).await;
        let body = response.text().to_lowercase();
        assert!(
            !body.contains(&EMAIL.to_lowercase()),
            "{path} shows the email"
        );
        assert!(
            !body.contains(local_part),
            "{path} shows the email's local part"
        );
        assert!(
            !body.contains("private-mail"),
            "{path} shows the email's domain"
        );
        assert!(
            !body.contains(&unkeyed_sha256),
            "{path} shows an unkeyed hash of the email"
        );
        for (name, value) in &response.headers {
            let value = value.to_str().unwrap_or("").to_lowercase();
            assert!(
                !value.contains("private-mail"),
                "{path} header {name} shows the email"
            );
        }
    }
    let page = reader.get("/articles/story").await.text();
    assert!(page.contains("Approved words") && page.contains("Now trusted"));
}

#[tokio::test]
async fn the_avatar_is_a_keyed_hash_that_differs_between_sites() {
    let one = TestApp::new().await;
    let two = TestApp::new().await;
    let a = one.site.secrets().avatar_hash(EMAIL);
    let b = two.site.secrets().avatar_hash(EMAIL);
    assert_ne!(
        a, b,
        "two sites must not give the same address the same avatar"
    );
    assert_eq!(a, one.site.secrets().avatar_hash(&EMAIL.to_uppercase()));
    assert!(!hex::encode(Sha256::digest(EMAIL.as_bytes())).starts_with(&a));
}

#[tokio::test]
async fn script_handler_and_javascript_payloads_come_out_inert() {
    let app =
        TestApp::with_config(|c| c.comments.moderation = gazette_domain::ModerationPolicy::NoHold)
            .await;
    app.publish("Story", "Body.").await;
    let payloads = [
        "<script>alert('name')</script>",
        "\"><img src=x onerror=alert(1)>",
        "<svg onload=alert(1)>",
    ];
    for (n, name) in payloads.into_iter().enumerate() {
        let email = format!("p{n}@example.com");
        let body = "<script>alert(2)</script> text <img src=x onerror=alert(3)> <a href=\"javascript:alert(4)\">x</a> [y](javascript:alert(5)) <iframe src=//evil></iframe>";
        let mut fields = comment_fields(body, name, &email);
        fields.push(("url", "https://ok.example/\"onmouseover=alert(6)"));
        let response = app.browser().comment("story", &fields).await;
        assert_eq!(response.status, StatusCode::SEE_OTHER, "{name}");
    }
    let page = app.browser().get("/articles/story").await;
    assert_inert(&page.body);
    assert!(
        page.body
            .contains("&lt;script&gt;alert(&#x27;name&#x27;)&lt;&#x2f;script&gt;"),
        "the name shows as text"
    );
    let api = app
        .browser()
        .get("/api/v1/articles/2/comments")
        .await
        .json();
    for comment in api["items"].as_array().expect("items") {
        assert_inert(comment["body_html"].as_str().unwrap_or(""));
        assert!(
            comment["author_url"]
                .as_str()
                .is_some_and(|u| u.starts_with("https://ok.example/"))
        );
    }
}

/// Fails if any tag in `html` is a script, frame or SVG, carries an event handler, or links to
/// a `javascript:` URL. Escaped text (`&lt;script&gt;`) is not a tag and passes; so is text inside
/// a quoted attribute value, whose quotes the templates always escape.
fn assert_inert(html: &str) {
    for tag in html
        .split('<')
        .skip(1)
        .map(|rest| rest.split('>').next().unwrap_or("").to_lowercase())
    {
        let name = tag.split_whitespace().next().unwrap_or("");
        // The site's own live-comments script, from its own static path, is the one script.
        let own_script = tag.starts_with(r#"script src="/static/live.js?v="#)
            && tag.ends_with("defer")
            && !tag.contains("javascript:");
        // Structured data is a data block, never run; its JSON has no `<` (the next piece after
        // this tag is its own `</script>`, which the split shows as a tag named `/script`).
        let data_block = tag == r#"script type="application/ld+json""#;
        assert!(
            own_script
                || data_block
                || !["script", "iframe", "svg", "object", "embed"].contains(&name),
            "<{tag}> survived"
        );
        // Attribute names are what stands outside quotes; values are the odd-numbered pieces.
        let names: String = tag.split('"').step_by(2).collect::<Vec<_>>().join(" ");
        let has_handler = names
            .split(|c: char| c.is_whitespace() || c == '=')
            .any(|word| word.starts_with("on") && word.len() > 2);
        assert!(!has_handler, "an event handler survived in <{tag}>");
        let values: Vec<&str> = tag.split('"').skip(1).step_by(2).collect();
        assert!(
            !values
                .iter()
                .any(|v| v.trim_start().starts_with("javascript:")),
            "a javascript: URL survived in <{tag}>"
        );
    }
}

#[tokio::test]
async fn a_refused_form_echoes_input_inert() {
    let app = TestApp::new().await;
    app.publish("Story", "Body.").await;
    let fields = [
        ("comment", "</textarea><script>alert(1)</script>"),
        ("author", "\"><script>alert(2)</script>"),
        ("email", "\"><script>alert(3)</script>"),
        ("url", "javascript:alert(4)"),
    ];
    let response = app.browser().comment("story", &fields).await;
    assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(!response.body.contains("<script>alert"));
    assert!(!response.body.contains("</textarea><script>"));
}

#[test]
#[should_panic(expected = "an event handler survived")]
fn the_inertness_check_catches_a_live_handler() {
    assert_inert(r#"<p>fine</p><img src="x" onerror="alert(1)">"#);
}

#[test]
#[should_panic(expected = "survived")]
fn the_inertness_check_catches_a_script() {
    assert_inert("<p>fine</p><script>alert(1)</script>");
}
