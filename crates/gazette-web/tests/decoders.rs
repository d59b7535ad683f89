//! Property tests of the form and query decoders through the real router: any bytes as a comment
//! form, any query string on the pages that read one, never a server error; and any text a reader
//! types comes back exactly as typed (or is refused with a message), never mangled.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::{TestApp, serde_urlencoded};
use gazette_core::moderating::Actor;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

fn runner(cases: u32) -> TestRunner {
    TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    })
}

#[test]
fn any_bytes_as_a_comment_form_get_a_client_answer() {
    let rt = runtime();
    let app = rt.block_on(async {
        let app = TestApp::with_config(|c| c.spam.per_ip_limit = 0).await;
        app.publish("Story", "Body.").await;
        app
    });
    let strategy = prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..2000),
        "[a-z_]{1,12}=[%0-9A-Fa-z&=+]{0,40}(&[a-z_]{1,12}=[%0-9A-Fa-z&=+]{0,40}){0,8}"
            .prop_map(String::into_bytes),
    ];
    runner(200)
        .run(&strategy, |body| {
            let status = rt.block_on(async {
                let request = Request::post("/articles/story/comments")
                    .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                    .body(Body::from(body))
                    .expect("request");
                app.send(request).await.status
            });
            prop_assert!(
                status.is_client_error() || status == StatusCode::SEE_OTHER,
                "{status}"
            );
            Ok(())
        })
        .expect("property");
}

#[test]
fn any_query_string_gets_a_page_or_a_client_answer() {
    let rt = runtime();
    let app = rt.block_on(async {
        let app = TestApp::new().await;
        app.publish("Story", "Body.").await;
        app
    });
    let paths = [
        "/",
        "/articles/story",
        "/category/news",
        "/api/v1/articles",
        "/api/v1/articles/1/comments",
        "/api/v1/counts",
        "/admin/login",
    ];
    let strategy = (
        0..paths.len(),
        prop_oneof![
            "[ -~]{0,80}",
            "(page|cpage|after|articles|replytocom|next|per_page)=[-0-9a-z%,.]{0,30}",
            any::<String>(),
        ],
    );
    runner(300)
        .run(&strategy, |(which, query)| {
            let encoded: String = query
                .bytes()
                .map(|b| {
                    if b.is_ascii_graphic() && !matches!(b, b'#' | b'%') {
                        (b as char).to_string()
                    } else {
                        format!("%{b:02X}")
                    }
                })
                .collect();
            let uri = format!("{}?{encoded}", paths[which]);
            let Ok(request) = Request::get(uri.as_str()).body(Body::empty()) else {
                return Ok(());
            };
            let status = rt.block_on(app.send(request)).status;
            prop_assert!(!status.is_server_error(), "{uri}: {status}");
            Ok(())
        })
        .expect("property");
}

#[test]
fn what_a_reader_types_is_stored_exactly_or_refused_with_a_reason() {
    let rt = runtime();
    let app = rt.block_on(async {
        let app = TestApp::with_config(|c| c.spam.per_ip_limit = 0).await;
        app.publish("Story", "Body.").await;
        app
    });
    let strategy = ("\\PC{1,300}", "[\\p{L} .'-]{1,40}");
    runner(120)
        .run(&strategy, |(comment, name)| {
            let outcome = rt.block_on(async {
                let token = app.form_token("story", 10).await;
                let body = serde_urlencoded(&[
                    ("comment", &comment),
                    ("author", &name),
                    ("email", "reader@example.com"),
                    ("form_token", &token),
                ]);
                let request = Request::post("/articles/story/comments")
                    .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                    .body(Body::from(body))
                    .expect("request");
                let response = app.send(request).await;
                if response.status == StatusCode::SEE_OTHER {
                    let id = common::comment_id_from(response.location());
                    let stored = app
                        .site
                        .staff_comment(Actor::Operator, id)
                        .await
                        .expect("stored");
                    Ok(stored.body_markdown)
                } else {
                    Err((response.status, response.text()))
                }
            });
            match outcome {
                Ok(stored) => prop_assert_eq!(stored, comment.trim().to_owned()),
                Err((status, text)) => {
                    prop_assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{}", text);
                    prop_assert!(text.contains(r#"class="form-errors""#), "{}", text);
                }
            }
            Ok(())
        })
        .expect("property");
    let stored = rt.block_on(app.comment_rows());
    assert!(stored >= 60, "only {stored} of 120 comments were stored");
}
