//! Operations and live comments through the real router: health and readiness, metrics (and who
//! may read them), request ids, and the live stream — what it sends, what it never sends, its cap.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use axum::body::Body;
use common::{TestApp, comment_fields, comment_id_from};
use http_body_util::BodyExt;
use std::time::Duration;

#[tokio::test]
async fn health_and_readiness_answer_and_every_response_has_a_request_id() {
    let app = TestApp::new().await;
    let mut reader = app.browser();
    let ready = reader.get("/readyz").await;
    assert_eq!(ready.status, 200);
    assert_eq!(ready.body, "ready\n");
    assert_eq!(ready.headers["cache-control"], "no-store");
    let healthy = reader.get("/healthz").await;
    assert_eq!(
        (healthy.status.as_u16(), healthy.body.as_str()),
        (200, "ok")
    );
    let id = ready.headers["x-request-id"].to_str().unwrap();
    assert_eq!(id.len(), 36, "a UUID: {id}");
    assert_ne!(
        healthy.headers["x-request-id"],
        ready.headers["x-request-id"]
    );
    // A proxy's id is kept, so its logs and ours line up.
    reader
        .headers
        .push(("x-request-id".into(), "proxy-42".into()));
    assert_eq!(
        reader.get("/healthz").await.headers["x-request-id"],
        "proxy-42"
    );
    // One that could forge a log line (quotes, spaces, too long) is replaced by a fresh id.
    for forged in [
        r#"x" level=ERROR msg="forged"#.to_owned(),
        "a".repeat(65),
        "tab\there".to_owned(),
    ] {
        let mut client = app.browser();
        client.headers.push(("x-request-id".into(), forged.clone()));
        let id = client.get("/healthz").await.headers["x-request-id"]
            .to_str()
            .unwrap()
            .to_owned();
        assert_ne!(id, forged);
        assert_eq!(id.len(), 36, "a UUID instead of {forged:?}");
    }
}

#[tokio::test]
async fn metrics_count_requests_cache_hits_and_comments_for_allowed_peers_only() {
    let app =
        TestApp::with_config(|c| c.metrics.allow = vec!["198.51.100.7".parse().unwrap()]).await;
    let article = app.publish("Metrics", "Body.").await;
    let mut reader = app.browser();
    reader.peer = Some("203.0.113.9:5000".parse().unwrap());
    for _ in 0..3 {
        assert_eq!(reader.get("/").await.status, 200);
    }
    let posted = reader
        .comment(
            &article.slug,
            &comment_fields("Held for now", "Ann", "ann@example.org"),
        )
        .await;
    assert_eq!(posted.status, 303);

    let refused = reader.get("/metrics").await;
    assert_eq!(refused.status, 403, "a stranger cannot read metrics");
    let mut unknown = app.browser();
    assert_eq!(
        unknown.get("/metrics").await.status,
        403,
        "no peer, no metrics"
    );

    let mut prometheus = app.browser();
    prometheus.peer = Some("198.51.100.7:9090".parse().unwrap());
    let allowed = prometheus.get("/metrics").await;
    assert_eq!(allowed.status, 200);
    let mut local = app.browser();
    local.peer = Some("127.0.0.1:9090".parse().unwrap());
    let metrics = local.get("/metrics").await;
    assert_eq!(metrics.status, 200);
    assert!(
        metrics.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/openmetrics-text")
    );
    let body = metrics.body;
    for line in [
        r#"gazette_http_requests_total{route="/",method="GET",status="200"} 3"#,
        r#"gazette_http_requests_total{route="/articles/{slug}/comments",method="POST",status="303"} 1"#,
        r#"gazette_http_requests_total{route="/metrics",method="GET",status="403"} 2"#,
        r#"gazette_comments{status="held"} 1"#,
        "gazette_page_cache_hits_total 2",
        "gazette_live_streams 0",
        "gazette_change_feed_connected 0",
        "gazette_jobs_pending 0",
    ] {
        assert!(body.contains(line), "missing {line:?} in\n{body}");
    }
    assert!(body.contains(r#"gazette_http_request_duration_seconds_count{route="/"} 3"#));
    assert!(!body.contains("ann@example.org"));
}

#[tokio::test]
async fn metrics_behind_a_same_host_proxy_are_decided_on_the_real_client() {
    let app = TestApp::with_config(|c| c.proxy.trusted = vec!["127.0.0.1".parse().unwrap()]).await;
    let mut stranger = app.browser();
    stranger.peer = Some("127.0.0.1:40000".parse().unwrap());
    stranger
        .headers
        .push(("x-forwarded-for".into(), "203.0.113.50".into()));
    assert_eq!(stranger.get("/metrics").await.status, 403);
    let mut local = app.browser();
    local.peer = Some("127.0.0.1:40001".parse().unwrap());
    assert_eq!(local.get("/metrics").await.status, 200, "a local scrape");
    // With a listener of its own, the public one does not serve metrics at all.
    let separate =
        TestApp::with_config(|c| c.metrics.listen = Some("127.0.0.1:0".parse().unwrap())).await;
    let mut local = separate.browser();
    local.peer = Some("127.0.0.1:40002".parse().unwrap());
    assert_eq!(local.get("/metrics").await.status, 404);
}

/// Reads a live stream's body until a `comment` event arrives or `wait` passes.
async fn next_comment(body: &mut Body, wait: Duration) -> Option<String> {
    let deadline = tokio::time::Instant::now() + wait;
    let mut text = String::new();
    loop {
        if let Some(start) = text.find("event: comment") {
            let rest = &text[start..];
            if let Some(end) = rest.find("\n\n") {
                return Some(rest[..end].to_owned());
            }
        }
        match tokio::time::timeout_at(deadline, body.frame()).await {
            Ok(Some(Ok(frame))) => {
                if let Ok(data) = frame.into_data() {
                    text.push_str(&String::from_utf8_lossy(&data));
                }
            }
            _ => return None,
        }
    }
}

/// Opens a stream as a browser does (asking for gzip, which a stream must not get: a compressor
/// would hold events back until its buffer fills).
async fn open_stream(app: &TestApp, path: &str) -> axum::response::Response {
    let mut browser = app.browser();
    browser
        .headers
        .push(("accept-encoding".into(), "gzip, br".into()));
    app.send_raw(&browser, path).await
}

#[tokio::test]
async fn the_live_stream_sends_approved_comments_and_never_held_ones() {
    let app = TestApp::with_config(|c| c.live.heartbeat_seconds = 1).await;
    let article = app.publish("Live", "Body.").await;
    let page = app
        .browser()
        .get(&format!("/articles/{}", article.slug))
        .await;
    assert!(
        page.body.contains("data-live="),
        "the last comment page offers the stream"
    );
    assert!(page.body.contains(r#"data-after="0""#));
    assert!(page.body.contains("/static/live.js?v="));

    let response = open_stream(&app, &format!("/articles/{}/live?after=0", article.slug)).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "text/event-stream");
    assert!(
        response.headers().get("content-encoding").is_none(),
        "not compressed"
    );
    assert_eq!(response.headers()["cache-control"], "no-store");
    let mut body = response.into_body();

    let mut reader = app.browser();
    let held = reader
        .comment(
            &article.slug,
            &comment_fields("Awaiting a moderator", "Ann", "ann@example.org"),
        )
        .await;
    let held = comment_id_from(held.location());
    assert_eq!(
        next_comment(&mut body, Duration::from_millis(1500)).await,
        None,
        "a held comment is not streamed"
    );
    app.approve(held).await;
    let event = next_comment(&mut body, Duration::from_secs(1))
        .await
        .expect("the approved comment within a second");
    assert!(event.contains(&format!(r#""id":{}"#, held.0)), "{event}");
    assert!(event.contains("Awaiting a moderator"), "{event}");
    assert!(
        event.contains("\"heading\":\"1 Comment on “Live”\""),
        "{event}"
    );
    assert!(
        event.contains(&format!(r#"id=\"comment-{}\""#, held.0)),
        "{event}"
    );
    assert!(!event.contains("ann@example.org"));

    // A stream opened later with ?after= the page's number sends only what is newer.
    let page = app
        .browser()
        .get(&format!("/articles/{}", article.slug))
        .await;
    let after: i64 = page
        .body
        .split(r#"data-after=""#)
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .and_then(|n| n.parse().ok())
        .expect("the page's approval number");
    assert!(after > 0, "the page shows an approved comment");
    let response = open_stream(
        &app,
        &format!("/articles/{}/live?after={after}", article.slug),
    )
    .await;
    let mut later = response.into_body();
    assert_eq!(
        next_comment(&mut later, Duration::from_millis(300)).await,
        None
    );
    let known = reader
        .comment(
            &article.slug,
            &comment_fields("Known now, approved at once", "Ann", "ann@example.org"),
        )
        .await;
    let known = comment_id_from(known.location());
    let event = next_comment(&mut later, Duration::from_secs(1))
        .await
        .expect("new one");
    assert!(event.contains(&format!(r#""id":{}"#, known.0)), "{event}");
    // The SSE id is the approval number, after the page's: what Last-Event-ID resumes from.
    let sse_id: i64 = event
        .lines()
        .find_map(|l| l.strip_prefix("id: "))
        .and_then(|n| n.parse().ok())
        .expect("an event id");
    assert!(sse_id > after, "{event}");
    let resumed = {
        let mut browser = app.browser();
        browser
            .headers
            .push(("last-event-id".into(), sse_id.to_string()));
        app.send_raw(
            &browser,
            &format!("/articles/{}/live?after=0", article.slug),
        )
        .await
    };
    let mut resumed = resumed.into_body();
    assert_eq!(
        next_comment(&mut resumed, Duration::from_millis(300)).await,
        None,
        "Last-Event-ID wins over ?after= and nothing is sent twice"
    );
    // The first stream gets it too.
    assert!(
        next_comment(&mut body, Duration::from_secs(1))
            .await
            .is_some()
    );
}

/// Reads until the stream ends (true) or `wait` passes (false), failing on a comment event.
async fn ends_without_a_comment(body: &mut Body, wait: Duration) -> bool {
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        match tokio::time::timeout_at(deadline, body.frame()).await {
            Ok(Some(Ok(frame))) => {
                if let Ok(data) = frame.into_data() {
                    let text = String::from_utf8_lossy(&data);
                    assert!(!text.contains("event: comment"), "{text}");
                }
            }
            Ok(None) => return true,
            Ok(Some(Err(_))) => return true,
            Err(_) => return false,
        }
    }
}

#[tokio::test]
async fn a_live_stream_ends_when_its_article_is_unpublished() {
    let app = TestApp::with_config(|c| c.live.heartbeat_seconds = 1).await;
    let article = app.publish("Soon gone", "Body.").await;
    let held = app
        .browser()
        .comment(
            &article.slug,
            &comment_fields("Posted before it went", "Ann", "ann@example.org"),
        )
        .await;
    let held = comment_id_from(held.location());
    let response = open_stream(&app, &format!("/articles/{}/live?after=0", article.slug)).await;
    assert_eq!(response.status(), 200);
    let mut body = response.into_body();
    let mut editor = app.editor().await;
    let unpublished = editor
        .admin_post(
            &format!("/admin/articles/{}/state", article.id.0),
            &[("action", "unpublish")],
        )
        .await;
    assert_eq!(unpublished.status, 303);
    app.approve(held).await;
    assert!(
        ends_without_a_comment(&mut body, Duration::from_secs(3)).await,
        "the stream ends and never sends the comment approved after unpublishing"
    );
    assert_eq!(
        app.browser()
            .get(&format!("/articles/{}/live", article.slug))
            .await
            .status,
        404,
        "and cannot be reopened"
    );
}

#[tokio::test]
async fn live_streams_are_capped_and_refuse_bad_requests() {
    let app = TestApp::with_config(|c| c.live.max_connections = 1).await;
    let article = app.publish("Capped", "Body.").await;
    let path = format!("/articles/{}/live", article.slug);
    let first = open_stream(&app, &path).await;
    assert_eq!(first.status(), 200);
    let mut reader = app.browser();
    let second = reader.get(&path).await;
    assert_eq!(second.status, 429);
    assert!(
        second.body.contains("Reload the page to see new comments"),
        "{}",
        second.body
    );
    drop(first);
    // The permit is returned when the stream ends.
    let mut third = None;
    for _ in 0..50 {
        let response = open_stream(&app, &path).await;
        if response.status() == 200 {
            third = Some(response);
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(third.is_some(), "a closed stream frees its place");

    assert_eq!(reader.get("/articles/no-such-story/live").await.status, 404);
    let bad = reader.get(&format!("{path}?after=yesterday")).await;
    assert_eq!(bad.status, 400);
    assert!(bad.body.contains("after must be a whole number"));

    let off = TestApp::with_config(|c| c.live.max_connections = 0).await;
    let article = off.publish("Off", "Body.").await;
    let page = off
        .browser()
        .get(&format!("/articles/{}", article.slug))
        .await;
    assert!(
        !page.body.contains("data-live="),
        "no stream offered when streams are off"
    );
    assert!(!page.body.contains("live.js"));
}
