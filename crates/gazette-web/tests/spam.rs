//! Each spam layer acting, and not acting: honeypot, form token, rate limits (with trusted proxies),
//! duplicates, links, and the classifier trained by moderators.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use axum::http::StatusCode;
use common::{TestApp, comment_fields, comment_id_from};
use gazette_core::moderating::{Actor, Moderation};
use gazette_domain::{CommentStatus, ModerationPolicy, StaffComment};

async fn stored(app: &TestApp, location: &str) -> StaffComment {
    app.site
        .staff_comment(Actor::Operator, comment_id_from(location))
        .await
        .expect("stored comment")
}

#[tokio::test]
async fn a_filled_honeypot_looks_accepted_but_is_stored_as_spam() {
    let app = TestApp::new().await;
    app.publish("Story", "Body.").await;
    let mut bot = app.browser();
    let mut fields = comment_fields("Great post, buy now", "Bot", "bot@example.com");
    fields.push(("hp_website", "http://spam.example"));
    let response = bot.comment("story", &fields).await;
    assert_eq!(
        response.status,
        StatusCode::SEE_OTHER,
        "the bot sees success"
    );
    let comment = stored(&app, response.location()).await;
    assert_eq!(comment.comment.status, CommentStatus::Spam);
    assert_eq!(
        comment.held_reason.as_deref(),
        Some("Honeypot: a field hidden from people was filled in")
    );
    assert!(
        !bot.get("/articles/story").await.text().contains("buy now"),
        "not even its sender sees it"
    );

    let human = app
        .browser()
        .comment(
            "story",
            &comment_fields("Real words", "Ann", "ann@example.com"),
        )
        .await;
    assert_eq!(
        stored(&app, human.location()).await.comment.status,
        CommentStatus::Held
    );
}

#[tokio::test]
async fn the_comment_form_carries_a_hidden_honeypot_and_a_token() {
    let app = TestApp::new().await;
    app.publish("Story", "Body.").await;
    let page = app.browser().get("/articles/story").await.text();
    assert!(page.contains(r#"<p class="hp" aria-hidden="true">"#));
    assert!(page.contains(r#"name="hp_website" type="text" value="" tabindex="-1""#));
    assert!(page.contains(r#"<input type="hidden" name="form_token" value=""#));
}

#[tokio::test]
async fn the_form_token_refuses_missing_fast_stale_and_foreign_tokens() {
    let app = TestApp::new().await;
    app.publish("Story", "Body.").await;
    app.publish("Other", "Body.").await;
    let stale = app.form_token("story", 86_401).await;
    let foreign = app.form_token("other", 10).await;
    let good = app.form_token("story", 10).await;
    // One character changed (to another: a token that already ends in "0" stays forged).
    let last = if good.ends_with('0') { "1" } else { "0" };
    let forged = format!("{}{last}", &good[..good.len() - 1]);
    // `None`: a token issued just before sending (issued earlier, a slow machine could make it
    // old enough to pass).
    let cases = [
        (Some(""), "This form is missing its security token."),
        (None, "only moments after the page loaded"),
        (Some(stale.as_str()), "This page was loaded too long ago."),
        (Some(foreign.as_str()), "not valid for this article"),
        (Some(forged.as_str()), "not valid for this article"),
        (Some("garbage"), "missing its security token"),
    ];
    for (token, message) in cases {
        let fresh;
        let token = match token {
            Some(token) => token,
            None => {
                fresh = app.form_token("story", 0).await;
                fresh.as_str()
            }
        };
        let mut fields = comment_fields("My considered reply", "Ann", "ann@example.com");
        fields.push(("form_token", token));
        let response = app.browser().comment("story", &fields).await;
        assert_eq!(
            response.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{message}"
        );
        let text = response.text();
        assert!(text.contains(message), "{message}");
        assert!(
            text.contains(">My considered reply</textarea>"),
            "the text is kept"
        );
        assert!(
            text.contains(r#"name="form_token" value=""#),
            "a fresh token comes with the form"
        );
    }
    assert_eq!(app.comment_rows().await, 0);
    let mut fields = comment_fields("My considered reply", "Ann", "ann@example.com");
    fields.push(("form_token", &good));
    assert_eq!(
        app.browser().comment("story", &fields).await.status,
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn rate_limits_count_per_address_and_per_network() {
    let app = TestApp::with_config(|c| {
        c.spam.per_ip_limit = 2;
        c.spam.per_network_limit = 3;
    })
    .await;
    app.publish("Story", "Body.").await;
    let post = |ip: &'static str, n: usize| {
        let app = &app;
        async move {
            let mut browser = app.browser();
            browser.peer = Some(format!("{ip}:5000").parse().expect("addr"));
            let body = format!("Comment number {n} from {ip}");
            browser
                .comment(
                    "story",
                    &comment_fields(&body, "R", &format!("r{n}@example.com")),
                )
                .await
        }
    };
    assert_eq!(post("192.0.2.5", 1).await.status, StatusCode::SEE_OTHER);
    assert_eq!(post("192.0.2.5", 2).await.status, StatusCode::SEE_OTHER);
    let third = post("192.0.2.5", 3).await;
    assert_eq!(third.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(
        third
            .text()
            .contains("You have posted 2 comments in the last 10 minutes")
    );
    assert!(
        third.text().contains("Comment number 3"),
        "the text is kept"
    );
    assert_eq!(
        post("192.0.2.6", 4).await.status,
        StatusCode::SEE_OTHER,
        "a neighbour has its own limit"
    );
    let network = post("192.0.2.7", 5).await;
    assert_eq!(network.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(
        network
            .text()
            .contains("Too many comments came from your network")
    );
    assert_eq!(
        post("198.51.100.1", 6).await.status,
        StatusCode::SEE_OTHER,
        "another network is fine"
    );
    let v6 = post("[2001:db8::1]", 7).await;
    assert_eq!(v6.status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.comment_rows().await,
        5,
        "refused comments are not stored"
    );
}

#[tokio::test]
async fn the_forwarded_address_is_believed_only_from_a_trusted_proxy() {
    let app =
        TestApp::with_config(|c| c.proxy.trusted = vec!["127.0.0.1".parse().expect("ip")]).await;
    app.publish("Story", "Body.").await;
    let mut via_proxy = app.browser();
    via_proxy.peer = Some("127.0.0.1:40000".parse().expect("addr"));
    via_proxy
        .headers
        .push(("x-forwarded-for".into(), "10.9.9.9, 198.51.100.23".into()));
    let proxied = via_proxy
        .comment("story", &comment_fields("Via proxy", "P", "p@example.com"))
        .await;
    assert_eq!(
        stored(&app, proxied.location()).await.ip.as_deref(),
        Some("198.51.100.23")
    );

    let mut direct = app.browser();
    direct.peer = Some("192.0.2.44:40000".parse().expect("addr"));
    direct
        .headers
        .push(("x-forwarded-for".into(), "198.51.100.99".into()));
    let spoofed = direct
        .comment("story", &comment_fields("Direct", "D", "d@example.com"))
        .await;
    assert_eq!(
        stored(&app, spoofed.location()).await.ip.as_deref(),
        Some("192.0.2.44")
    );
}

#[tokio::test]
async fn ipv4_clients_of_a_dual_stack_listener_are_ipv4_clients() {
    let app = TestApp::with_config(|c| {
        c.proxy.trusted = vec!["127.0.0.1".parse().expect("ip")];
        c.spam.per_network_limit = 2;
    })
    .await;
    app.publish("Story", "Body.").await;
    // Through the proxy, which the listener on [::] sees as ::ffff:127.0.0.1.
    let mut via_proxy = app.browser();
    via_proxy.peer = Some("[::ffff:127.0.0.1]:40000".parse().expect("addr"));
    via_proxy
        .headers
        .push(("x-forwarded-for".into(), "198.51.100.23".into()));
    let proxied = via_proxy
        .comment("story", &comment_fields("Via proxy", "P", "p@example.com"))
        .await;
    assert_eq!(
        stored(&app, proxied.location()).await.ip.as_deref(),
        Some("198.51.100.23"),
        "the proxy is recognised"
    );
    // Direct IPv4 clients in different networks do not share one /64 bucket.
    for (n, ip) in ["192.0.2.1", "203.0.113.1", "198.18.0.1"]
        .iter()
        .enumerate()
    {
        let mut reader = app.browser();
        reader.peer = Some(format!("[::ffff:{ip}]:5000").parse().expect("addr"));
        let body = format!("Words number {n}");
        let response = reader
            .comment("story", &comment_fields(&body, "R", "r@example.com"))
            .await;
        assert_eq!(response.status, StatusCode::SEE_OTHER, "{ip}");
        assert_eq!(
            stored(&app, response.location()).await.ip.as_deref(),
            Some(*ip)
        );
    }
}

#[tokio::test]
async fn the_same_comment_twice_is_refused_but_not_elsewhere() {
    let app = TestApp::new().await;
    app.publish("Story", "Body.").await;
    app.publish("Other", "Body.").await;
    let fields = comment_fields("Exactly this.", "Ann", "ann@example.com");
    assert_eq!(
        app.browser().comment("story", &fields).await.status,
        StatusCode::SEE_OTHER
    );
    let again = app.browser().comment("story", &fields).await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        again
            .text()
            .contains("You have already posted this comment on this article.")
    );
    assert_eq!(
        app.browser().comment("other", &fields).await.status,
        StatusCode::SEE_OTHER
    );
    let other_person = comment_fields("Exactly this.", "Bob", "bob@example.com");
    assert_eq!(
        app.browser().comment("story", &other_person).await.status,
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn links_up_to_the_limit_pass() {
    let app = TestApp::with_config(|c| c.comments.moderation = ModerationPolicy::NoHold).await;
    app.publish("Story", "Body.").await;
    let two = app
        .browser()
        .comment(
            "story",
            &comment_fields(
                "See https://a.example and https://b.example",
                "L",
                "l@example.com",
            ),
        )
        .await;
    assert_eq!(
        stored(&app, two.location()).await.comment.status,
        CommentStatus::Approved
    );
    let three = app
        .browser()
        .comment(
            "story",
            &comment_fields(
                "https://a.example https://b.example https://c.example",
                "L",
                "l2@example.com",
            ),
        )
        .await;
    let held = stored(&app, three.location()).await;
    assert_eq!(held.comment.status, CommentStatus::Held);
    assert_eq!(
        held.held_reason.as_deref(),
        Some("Links: 3, more than the 2 allowed")
    );
}

const SPAM: [&str; 12] = [
    "Cheap replica watches, best prices online, order now",
    "Earn money fast from home, casino bonus, click here",
    "Best online casino bonus, free spins, win big today",
    "Buy cheap pills online without prescription, discount",
    "Replica handbags cheap discount, order online now",
    "Make money online fast, work from home, click here now",
    "Free spins casino bonus win real money today online",
    "Discount pills pharmacy online cheap order now",
    "Cheap loans fast approval click here online money",
    "Win money casino online free bonus spins now",
    "Order cheap replica watches discount online today",
    "Pharmacy discount cheap pills order online fast",
];

const HAM: [&str; 12] = [
    "The council should publish the full budget figures before the vote",
    "I walked past the harbour yesterday and the repairs look finished",
    "Good reporting, though the mayor's quote seems out of context",
    "Our school had the same problem with the bus timetable last winter",
    "Does anyone know whether the library hours will change in spring",
    "The article misses that the bridge was closed for two weeks in March",
    "Thanks for covering the election debate, it helped me decide",
    "My grandmother remembers when the old market hall burned down",
    "The planning committee meets on Thursday, residents can attend",
    "I disagree with the columnist about parking fees in the centre",
    "The new cycle lane on the high street has made commuting safer",
    "Interesting history of the lighthouse, I never knew it was moved",
];

#[tokio::test]
async fn the_classifier_learns_from_moderators_and_holds_likely_spam() {
    let app = TestApp::with_config(|c| c.comments.moderation = ModerationPolicy::NoHold).await;
    app.publish("Story", "Body.").await;
    let post = |body: &'static str, n: usize| {
        let app = &app;
        async move {
            let response = app
                .browser()
                .comment(
                    "story",
                    &comment_fields(body, &format!("Reader {n}"), &format!("r{n}@example.com")),
                )
                .await;
            comment_id_from(response.location())
        }
    };
    // Before any training, the classifier abstains.
    let early = post("Cheap casino bonus pills online now", 100).await;
    assert_eq!(
        app.site
            .staff_comment(Actor::Operator, early)
            .await
            .expect("c")
            .comment
            .status,
        CommentStatus::Approved
    );
    for (n, body) in SPAM.iter().enumerate() {
        let id = post(body, n).await;
        app.site
            .moderate(Actor::Operator, id, Moderation::Spam)
            .await
            .expect("spam");
    }
    for (n, body) in HAM.iter().enumerate() {
        let id = post(body, 50 + n).await;
        app.site
            .moderate(Actor::Operator, id, Moderation::Approve)
            .await
            .expect("ham");
    }
    let spammy = post(
        "Cheap discount casino pills, order online now, free bonus",
        200,
    )
    .await;
    let judged = app
        .site
        .staff_comment(Actor::Operator, spammy)
        .await
        .expect("c");
    assert_eq!(judged.comment.status, CommentStatus::Held);
    assert!(
        judged
            .held_reason
            .as_deref()
            .is_some_and(|r| r.starts_with("Classifier: ") && r.ends_with("% likely spam")),
        "{:?}",
        judged.held_reason
    );
    let legitimate = post("The council vote on the harbour budget is on Thursday", 201).await;
    assert_eq!(
        app.site
            .staff_comment(Actor::Operator, legitimate)
            .await
            .expect("c")
            .comment
            .status,
        CommentStatus::Approved
    );
}
