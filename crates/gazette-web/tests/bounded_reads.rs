//! The article page reads its thread in a fixed number of SQL statements, whatever the thread's
//! size: no query per comment. Statements are counted from sqlx's own query log.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use axum::body::Body;
use axum::http::{Request, StatusCode};
use gazette_core::commenting::Submission;
use gazette_core::publishing::ArticleRequest;
use gazette_core::{Config, Site};
use gazette_domain::{CommentId, ModerationPolicy};
use gazette_store_sql::SqlStore;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use tower::ServiceExt;
use tracing_subscriber::layer::SubscriberExt;

/// Counts sqlx's per-statement log events.
struct StatementCounter(Arc<AtomicUsize>);

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for StatementCounter {
    fn on_event(&self, event: &tracing::Event<'_>, _: tracing_subscriber::layer::Context<'_, S>) {
        if event.metadata().target() == "sqlx::query" {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }
}

async fn statements_for_a_thread_of(comments: usize, counter: &AtomicUsize) -> usize {
    let dir = tempfile::tempdir().expect("dir");
    let mut config = Config {
        db: format!("sqlite:{}", dir.path().join("t.db").display()),
        ..Config::default()
    };
    config.comments.moderation = ModerationPolicy::NoHold;
    config.spam.per_ip_limit = 1000;
    // Measure rendering, not the page cache (a hit costs no statement at all).
    config.cache.max_megabytes = 0;
    let store = SqlStore::connect(&config.db).await.expect("open");
    let site = Site::open(Arc::new(store), config).await.expect("site");
    let article = site
        .publish_article(ArticleRequest {
            title: "Thread".into(),
            author: "gazette".into(),
            body_markdown: "Body".into(),
            comments_open: true,
            ..Default::default()
        })
        .await
        .expect("publish");
    let mut parent: Option<CommentId> = None;
    for n in 0..comments {
        let submission = Submission {
            draft: gazette_domain::CommentDraft {
                body: format!("comment {n}"),
                name: "Reader".into(),
                email: format!("r{n}@example.org"),
                website: String::new(),
                parent: if n % 3 == 0 {
                    String::new()
                } else {
                    parent.map(|p| p.0.to_string()).unwrap_or_default()
                },
            },
            honeypot: String::new(),
            form_token: site.form_token(article.id, site.now() - 10),
        };
        let comment = site
            .submit_comment(&article.slug, &submission, Default::default())
            .await
            .expect("comment")
            .comment;
        parent = Some(comment.id);
    }
    let router = gazette_web::router(gazette_web::AppState::new(site).expect("templates"));
    let get = || {
        Request::get("/articles/thread")
            .body(Body::empty())
            .expect("request")
    };
    // Warm up (settings cache), then count page views. The counter hears every statement of the
    // process, so one a background task happens to run meanwhile (the comment writer finishing
    // its last batch, a timed refresh) would be counted too: the fewest of three views is the
    // page's own cost, and a cost that grows with the thread grows in every view.
    router.clone().oneshot(get()).await.expect("warm-up");
    let mut fewest = usize::MAX;
    for _ in 0..3 {
        counter.store(0, Ordering::SeqCst);
        let response = router.clone().oneshot(get()).await.expect("response");
        assert_eq!(response.status(), StatusCode::OK);
        fewest = fewest.min(counter.load(Ordering::SeqCst));
    }
    fewest
}

#[tokio::test]
async fn the_article_page_costs_the_same_statements_for_any_thread_size() {
    let counter = Arc::new(AtomicUsize::new(0));
    let subscriber = tracing_subscriber::registry()
        .with(
            tracing_subscriber::filter::Targets::new()
                .with_target("sqlx::query", tracing::Level::TRACE),
        )
        .with(StatementCounter(counter.clone()));
    tracing::subscriber::set_global_default(subscriber)
        .expect("the only subscriber in this test binary");
    let small = statements_for_a_thread_of(2, &counter).await;
    let large = statements_for_a_thread_of(60, &counter).await;
    assert!(
        small > 0,
        "no statements were counted: is sqlx logging them?"
    );
    assert_eq!(
        small, large,
        "statements grew with the thread: {small} vs {large}"
    );
    assert!(
        small <= 6,
        "an article page should take at most 6 statements, took {small}"
    );
}
