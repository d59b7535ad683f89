//! A hostile client's tricks, each refused: bursts that race the limits, robots that skip them,
//! names that display as someone else, passwords hashed before anything is checked.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use axum::http::StatusCode;
use common::{TestApp, comment_fields, comment_id_from};
use futures_util::future::join_all;
use gazette_core::moderating::{Actor, Moderation};
use gazette_domain::CommentStatus;

const PASSWORD: &str = "correct horse battery";

#[tokio::test]
async fn a_burst_of_comments_from_one_address_stops_at_the_limit() {
    let app = TestApp::new().await;
    app.publish("Story", "Body.").await;
    let mut browsers: Vec<_> = (0..24)
        .map(|_| {
            let mut b = app.browser();
            b.peer = Some("192.0.2.50:5000".parse().expect("addr"));
            b
        })
        .collect();
    let bodies: Vec<String> = (0..24)
        .map(|i| format!("Comment {i} of the burst"))
        .collect();
    let posts = browsers
        .iter_mut()
        .zip(&bodies)
        .map(|(b, body)| async move {
            b.comment("story", &comment_fields(body, "Ann", "ann@example.com"))
                .await
                .status
        });
    let statuses = join_all(posts).await;
    let accepted = statuses
        .iter()
        .filter(|s| **s == StatusCode::SEE_OTHER)
        .count();
    let limited = statuses
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert_eq!((accepted, limited), (10, 14), "{statuses:?}");
    assert_eq!(app.comment_rows().await, 10);
}

#[tokio::test]
async fn identical_comments_sent_at_once_are_stored_once() {
    let app = TestApp::new().await;
    app.publish("Story", "Body.").await;
    let mut browsers: Vec<_> = (0..16).map(|_| app.browser()).collect();
    let posts = browsers.iter_mut().map(|b| async move {
        b.comment(
            "story",
            &comment_fields("The very same words.", "Ann", "ann@example.com"),
        )
        .await
        .status
    });
    let statuses = join_all(posts).await;
    assert_eq!(
        statuses
            .iter()
            .filter(|s| **s == StatusCode::SEE_OTHER)
            .count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        statuses
            .iter()
            .filter(|s| **s == StatusCode::UNPROCESSABLE_ENTITY)
            .count(),
        15
    );
    assert_eq!(app.comment_rows().await, 1);
}

#[tokio::test]
async fn robots_meet_the_same_limits_and_are_then_dropped_unstored() {
    let app = TestApp::with_config(|c| c.spam.per_ip_limit = 3).await;
    app.publish("Story", "Body.").await;
    let mut bot = app.browser();
    bot.peer = Some("198.51.100.9:4000".parse().expect("addr"));
    for i in 0..60 {
        let body = format!("Buy cheap pills, offer {i}");
        let mut fields = comment_fields(&body, "Bot", "bot@example.com");
        fields.push(("hp_website", "http://spam.example"));
        let response = bot.comment("story", &fields).await;
        assert_eq!(
            response.status,
            StatusCode::SEE_OTHER,
            "a robot sees success"
        );
    }
    assert_eq!(
        app.comment_rows().await,
        3,
        "only up to the address's limit"
    );
    // The same text twice from a robot is not stored twice either.
    let mut other = app.browser();
    other.peer = Some("203.0.113.9:4000".parse().expect("addr"));
    for _ in 0..3 {
        let mut fields = comment_fields("Same spam", "Bot", "bot2@example.com");
        fields.push(("hp_website", "x"));
        other.comment("story", &fields).await;
    }
    assert_eq!(app.comment_rows().await, 4);
}

#[tokio::test]
async fn a_burst_of_wrong_passwords_gets_five_tries() {
    let app = TestApp::new().await;
    let mut guessers: Vec<_> = (0..30)
        .map(|_| {
            let mut b = app.browser();
            b.peer = Some("198.51.100.77:4000".parse().expect("addr"));
            b
        })
        .collect();
    let attempts = guessers
        .iter_mut()
        .map(|b| async move { b.log_in("editor", "a wrong guess").await.status });
    let statuses = join_all(attempts).await;
    let checked = statuses
        .iter()
        .filter(|s| **s == StatusCode::UNPROCESSABLE_ENTITY)
        .count();
    let throttled = statuses
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert_eq!((checked, throttled), (5, 25), "{statuses:?}");
}

#[tokio::test]
async fn the_owner_gets_in_from_a_browser_that_logged_in_before() {
    let app = TestApp::new().await;
    let mut owner = app.browser();
    owner.peer = Some("203.0.113.5:5000".parse().expect("addr"));
    assert_eq!(
        owner.log_in("editor", PASSWORD).await.status,
        StatusCode::SEE_OTHER
    );
    assert!(owner.cookies.contains_key("gazette_device"));
    // Guessing from many addresses at once fills the account-wide allowance.
    for n in 0..60 {
        let mut guesser = app.browser();
        guesser.peer = Some(
            format!("10.{}.{}.1:4000", n / 200, n % 200)
                .parse()
                .expect("addr"),
        );
        guesser.log_in("editor", "guess").await;
    }
    let mut newcomer = app.browser();
    newcomer.peer = Some("192.0.2.200:4000".parse().expect("addr"));
    assert_eq!(
        newcomer.log_in("editor", PASSWORD).await.status,
        StatusCode::TOO_MANY_REQUESTS,
        "an unknown browser waits"
    );
    owner.cookies.remove("gazette_session");
    assert_eq!(
        owner.log_in("editor", PASSWORD).await.status,
        StatusCode::SEE_OTHER,
        "the owner's browser is not locked out"
    );
}

#[tokio::test]
async fn wrong_current_passwords_are_throttled() {
    let app = TestApp::new().await;
    let mut editor = app.editor().await;
    for _ in 0..5 {
        let csrf = editor.csrf("/admin/password").await;
        let response = editor
            .post_form(
                "/admin/password",
                &[
                    ("csrf", &csrf),
                    ("current", "not my password"),
                    ("password", "a brand new password"),
                    ("confirm", "a brand new password"),
                ],
            )
            .await;
        assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let csrf = editor.csrf("/admin/password").await;
    let response = editor
        .post_form(
            "/admin/password",
            &[
                ("csrf", &csrf),
                ("current", PASSWORD),
                ("password", "a brand new password"),
                ("confirm", "a brand new password"),
            ],
        )
        .await;
    assert_eq!(response.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(
        response
            .text()
            .contains("Too many wrong current passwords.")
    );
}

#[tokio::test]
async fn setup_on_a_set_up_site_and_unknown_reset_links_are_refused_before_hashing() {
    let app = TestApp::new().await;
    let mut browser = app.browser();
    let csrf = browser.csrf("/admin/login").await;
    let setup = browser
        .post_form(
            "/admin/setup",
            &[
                ("csrf", &csrf),
                ("username", "intruder"),
                ("email", "i@example.com"),
                ("password", "a long enough password"),
            ],
        )
        .await;
    assert_eq!(setup.status, StatusCode::FORBIDDEN);
    assert!(setup.text().contains("already set up"));
    browser.peer = Some("198.51.100.3:4000".parse().expect("addr"));
    let mut last = StatusCode::OK;
    for _ in 0..11 {
        let csrf = browser.csrf("/admin/login").await;
        last = browser
            .post_form(
                "/admin/reset/not-a-real-token",
                &[
                    ("csrf", &csrf),
                    ("password", "a long enough password"),
                    ("confirm", "a long enough password"),
                ],
            )
            .await
            .status;
    }
    assert_eq!(
        last,
        StatusCode::TOO_MANY_REQUESTS,
        "unknown links are throttled"
    );
}

#[tokio::test]
async fn a_known_email_under_another_name_is_held_with_the_reason() {
    let app = TestApp::new().await;
    app.publish("Story", "Body.").await;
    let first = app
        .browser()
        .comment(
            "story",
            &comment_fields("First words", "Ann", "ann@example.com"),
        )
        .await;
    app.approve(comment_id_from(first.location())).await;
    let same = app
        .browser()
        .comment(
            "story",
            &comment_fields("Second words", "Ann", "ann@example.com"),
        )
        .await;
    let same = app
        .site
        .staff_comment(Actor::Operator, comment_id_from(same.location()))
        .await
        .expect("stored");
    assert_eq!(same.comment.status, CommentStatus::Approved);
    let impostor = app
        .browser()
        .comment(
            "story",
            &comment_fields("Trust me", "Not Ann", "ann@example.com"),
        )
        .await;
    let impostor = app
        .site
        .staff_comment(Actor::Operator, comment_id_from(impostor.location()))
        .await
        .expect("stored");
    assert_eq!(impostor.comment.status, CommentStatus::Held);
    assert!(
        impostor
            .held_reason
            .as_deref()
            .is_some_and(|r| r.contains("new name")),
        "{:?}",
        impostor.held_reason
    );
    // Approving it teaches the site the new name too.
    app.site
        .moderate(Actor::Operator, impostor.comment.id, Moderation::Approve)
        .await
        .expect("approve");
}

#[tokio::test]
async fn names_that_display_as_someone_else_are_refused() {
    let app = TestApp::new().await;
    app.publish("Story", "Body.").await;
    for (name, message) in [
        ("Ann\u{202E}nnA", "change the direction of text"),
        ("\u{200B}\u{200B}", "visible letters"),
        ("Ann\u{2028}Other", "single line"),
        ("Edith Editor", "belongs to a member of the newsroom"),
        ("edith  EDITOR", "belongs to a member of the newsroom"),
        ("\u{0415}dith Editor", "belongs to a member of the newsroom"),
    ] {
        let response = app
            .browser()
            .comment(
                "story",
                &comment_fields("Hello there", name, "x@example.com"),
            )
            .await;
        assert_eq!(
            response.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{name:?}"
        );
        assert!(
            response.text().contains(message),
            "{name:?}: {}",
            response.text()
        );
    }
    assert_eq!(app.comment_rows().await, 0);
    let fine = app
        .browser()
        .comment(
            "story",
            &comment_fields("Hello there", "Edith Reader", "x@example.com"),
        )
        .await;
    assert_eq!(fine.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn a_deeply_nested_comment_renders_flattened_with_its_text() {
    let app = TestApp::with_config(|c| {
        c.comments.moderation = gazette_domain::ModerationPolicy::NoHold;
    })
    .await;
    app.publish("Story", "Body.").await;
    let body = format!("{}deep words", "> ".repeat(4_000));
    let response = app
        .browser()
        .comment("story", &comment_fields(&body, "Ann", "ann@example.com"))
        .await;
    assert_eq!(response.status, StatusCode::SEE_OTHER);
    let page = app.browser().get("/articles/story").await.text();
    assert!(page.contains("deep words"));
    assert!(page.matches("<blockquote>").count() <= 16);
}

#[tokio::test]
async fn a_bogus_token_is_refused_before_the_body_is_looked_at() {
    let app = TestApp::new().await;
    app.publish("Story", "Body.").await;
    let body = ">".repeat(10_000);
    let mut fields = comment_fields(&body, "Ann", "ann@example.com");
    fields.push(("form_token", "1.2.bogus"));
    let response = app.browser().comment("story", &fields).await;
    assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(response.text().contains("not valid for this article"));
    assert_eq!(app.comment_rows().await, 0);
}
