//! WebSub: with a hub configured, feeds name it and publishing tells it which feeds changed —
//! from the jobs, never inside the editor's request; a failing hub is retried later.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use axum::http::StatusCode;
use common::TestApp;
use std::sync::{Arc, Mutex};

/// A hub on a loopback port that records each ping's form and answers `status`.
async fn hub(status: StatusCode) -> (String, Arc<Mutex<Vec<Vec<(String, String)>>>>) {
    let seen: Arc<Mutex<Vec<Vec<(String, String)>>>> = Arc::default();
    let record = seen.clone();
    let app = axum::Router::new().route(
        "/hub",
        axum::routing::post(move |body: String| {
            let record = record.clone();
            async move {
                let form = form_urlencoded::parse(body.as_bytes())
                    .map(|(k, v)| (k.into_owned(), v.into_owned()))
                    .collect();
                record.lock().unwrap().push(form);
                status
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address = listener.local_addr().expect("address");
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{address}/hub"), seen)
}

fn topics(seen: &Mutex<Vec<Vec<(String, String)>>>) -> Vec<String> {
    let seen = seen.lock().unwrap();
    for form in seen.iter() {
        assert!(
            form.contains(&("hub.mode".to_owned(), "publish".to_owned())),
            "{form:?}"
        );
    }
    seen.iter()
        .flat_map(|form| {
            form.iter()
                .filter(|(k, _)| k == "hub.url")
                .map(|(_, v)| v.clone())
        })
        .collect()
}

#[tokio::test]
async fn publishing_pings_the_hub_from_the_jobs_and_feeds_name_it() {
    let (hub_url, seen) = hub(StatusCode::NO_CONTENT).await;
    let url = hub_url.clone();
    let app = TestApp::with_config(move |c| {
        c.site.base_url = "https://news.example".into();
        c.feeds.websub_hub = url;
    })
    .await;
    app.site.run_due_jobs(10).await.expect("jobs");
    seen.lock().unwrap().clear();

    let mut editor = app.editor().await;
    let draft = editor
        .admin_post(
            "/admin/articles",
            &[
                ("action", "draft"),
                ("title", "Not yet"),
                ("body", "Draft."),
            ],
        )
        .await;
    assert_eq!(draft.status, StatusCode::SEE_OTHER);
    let published = editor
        .admin_post(
            "/admin/articles",
            &[
                ("action", "publish"),
                ("title", "Bridge opens"),
                ("body", "The bridge opened."),
                ("categories", "City"),
                ("tags", "Transport"),
            ],
        )
        .await;
    assert_eq!(
        published.status,
        StatusCode::SEE_OTHER,
        "{}",
        published.text()
    );
    assert!(
        seen.lock().unwrap().is_empty(),
        "the request did not wait for the hub"
    );

    assert_eq!(
        app.site.run_due_jobs(10).await.expect("jobs"),
        1,
        "one ping job, none for the draft"
    );
    let mut pinged = topics(&seen);
    pinged.sort();
    let mut expected: Vec<String> = [
        "/feed",
        "/category/city/feed",
        "/tag/transport/feed",
        "/author/edith-editor/feed",
    ]
    .iter()
    .flat_map(|p| {
        [
            format!("https://news.example{p}"),
            format!("https://news.example{p}/atom"),
        ]
    })
    .collect();
    expected.sort();
    assert_eq!(pinged, expected);

    // Every feed names the hub and itself, so a reader can subscribe.
    for path in ["/feed", "/feed/atom", "/category/city/feed"] {
        let feed = app.browser().get(path).await;
        let parsed = feed_rs::parser::parse(feed.body.as_bytes()).expect("feed");
        let hub_link = parsed
            .links
            .iter()
            .find(|l| l.rel.as_deref() == Some("hub"));
        assert_eq!(
            hub_link.map(|l| l.href.as_str()),
            Some(hub_url.as_str()),
            "{path}"
        );
        assert!(
            parsed
                .links
                .iter()
                .any(|l| l.rel.as_deref() == Some("self")),
            "{path}"
        );
    }
}

#[tokio::test]
async fn a_failing_hub_is_tried_again_later_and_never_stops_a_save() {
    let (hub_url, seen) = hub(StatusCode::SERVICE_UNAVAILABLE).await;
    let app = TestApp::with_config(move |c| {
        c.site.base_url = "https://news.example".into();
        c.feeds.websub_hub = hub_url;
    })
    .await;
    app.site.run_due_jobs(10).await.expect("jobs");
    let attempts = seen.lock().unwrap().len();
    assert!(attempts >= 1, "the welcome article's ping reached the hub");
    app.publish("Storm warning", "Winds tonight.").await;
    assert_eq!(app.site.run_due_jobs(10).await.expect("jobs"), 1);
    assert_eq!(seen.lock().unwrap().len(), attempts + 1);
    // Both failed pings wait for their retry, a minute on: nothing is due now.
    assert_eq!(app.site.run_due_jobs(10).await.expect("jobs"), 0);
    assert_eq!(app.site.pending_jobs().await.expect("pending"), 0);
}

/// An import that writes articles pings the hub once, for the site's feeds, from the jobs; a
/// dry run and an import that changes nothing ping nothing.
#[tokio::test]
async fn an_import_pings_the_site_feeds_once() {
    let (hub_url, seen) = hub(StatusCode::NO_CONTENT).await;
    let app = TestApp::with_config(move |c| {
        c.site.base_url = "https://news.example".into();
        c.feeds.websub_hub = hub_url;
    })
    .await;
    app.site.run_due_jobs(10).await.expect("jobs");
    seen.lock().unwrap().clear();
    let export = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/data/wxr/themeunittestdata.wordpress.xml"
    ))
    .expect("the theme test data");
    let import = |dry_run: bool| {
        let bytes = export.clone();
        let site = app.site.clone();
        async move {
            site.import_wordpress(
                std::io::Cursor::new(bytes),
                dry_run,
                &|_: gazette_core::importing::Progress| {},
            )
            .await
            .expect("import")
        }
    };

    import(true).await;
    assert_eq!(
        app.site.run_due_jobs(10).await.expect("jobs"),
        0,
        "a dry run"
    );
    import(false).await;
    assert!(seen.lock().unwrap().is_empty(), "the import did not wait");
    assert_eq!(app.site.run_due_jobs(10).await.expect("jobs"), 1);
    assert_eq!(
        topics(&seen),
        [
            "https://news.example/feed",
            "https://news.example/feed/atom"
        ]
    );
    seen.lock().unwrap().clear();
    let again = import(false).await;
    assert_eq!(
        again.get("articles", gazette_domain::import::Outcome::Created),
        0
    );
    assert_eq!(
        again.get("articles", gazette_domain::import::Outcome::Updated),
        0
    );
    assert_eq!(app.site.run_due_jobs(10).await.expect("jobs"), 0);
    assert!(seen.lock().unwrap().is_empty());
}
