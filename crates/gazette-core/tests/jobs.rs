//! Background jobs through `Site`: periodic jobs queue once however often they are asked for,
//! run once, and an unknown kind fails and waits for its retry instead of looping.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use gazette_core::{Config, Site};
use gazette_store::Store;
use gazette_store_sql::SqlStore;
use std::sync::Arc;

async fn site() -> (Site, Arc<SqlStore>, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("dir");
    let config = Config {
        db: format!("sqlite:{}", dir.path().join("jobs.db").display()),
        ..Config::default()
    };
    let store = Arc::new(SqlStore::connect(&config.db).await.expect("store"));
    let site = Site::open(store.clone(), config).await.expect("site");
    (site, store, dir)
}

#[tokio::test]
async fn periodic_jobs_queue_once_and_run_once() {
    let (site, _store, _dir) = site().await;
    // Two nodes (or two ticks) asking in the same period make one job.
    site.queue_periodic_jobs().await.expect("queue");
    site.queue_periodic_jobs().await.expect("queue again");
    assert_eq!(site.pending_jobs().await.expect("pending"), 1);
    assert_eq!(site.run_due_jobs(10).await.expect("run"), 1);
    assert_eq!(site.pending_jobs().await.expect("pending"), 0);
    assert_eq!(
        site.run_due_jobs(10).await.expect("run"),
        0,
        "nothing twice"
    );
    site.queue_periodic_jobs()
        .await
        .expect("queue in the same period");
    assert_eq!(
        site.pending_jobs().await.expect("pending"),
        0,
        "done for this period"
    );
}

#[tokio::test]
async fn a_job_without_a_handler_fails_and_waits_for_its_retry() {
    let (site, store, _dir) = site().await;
    let now = site.now();
    store
        .enqueue_job("mystery", None, "", now, now)
        .await
        .expect("queue");
    assert_eq!(site.run_due_jobs(10).await.expect("run"), 1, "tried once");
    assert_eq!(
        site.run_due_jobs(10).await.expect("run"),
        0,
        "not again at once"
    );
    let gazette_store_sql::Pool::Sqlite(pool) = store.pool() else {
        panic!("the test site is on SQLite")
    };
    let (error, attempts): (Option<String>, i64) =
        sqlx::query_as("SELECT last_error, attempts FROM jobs WHERE kind = 'mystery'")
            .fetch_one(pool)
            .await
            .expect("row");
    assert_eq!(attempts, 1);
    assert!(
        error
            .unwrap()
            .contains("no handler for jobs of kind \"mystery\"")
    );
}
