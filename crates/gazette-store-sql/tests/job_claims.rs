//! Jobs claimed concurrently by two nodes (two pools on one database, several workers each) are
//! each claimed exactly once: `FOR UPDATE SKIP LOCKED` hands every due job to one worker.
//! Ignored unless asked for (`-- --include-ignored`) with `GAZETTE_TEST_POSTGRES` set; `.ci/run` does.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use gazette_store::Store;
use gazette_store_sql::{SqlStore, TestDatabase};
use std::collections::BTreeSet;
use std::sync::Arc;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs GAZETTE_TEST_POSTGRES (a PostgreSQL admin URL); .ci/run sets it"]
async fn concurrent_workers_on_two_nodes_claim_each_job_once() {
    let admin_url = std::env::var("GAZETTE_TEST_POSTGRES")
        .expect("GAZETTE_TEST_POSTGRES must hold a PostgreSQL admin URL");
    let database = TestDatabase::create(&admin_url).await.expect("database");
    let node_a = Arc::new(SqlStore::connect(&database.url).await.expect("a"));
    let node_b = Arc::new(SqlStore::connect(&database.url).await.expect("b"));
    let now = 5_000_000;
    let jobs = 60;
    for n in 0..jobs {
        assert!(
            node_a
                .enqueue_job("work", None, &n.to_string(), now, now)
                .await
                .expect("queue")
        );
    }
    let mut workers = Vec::new();
    for worker in 0..8 {
        let store = if worker % 2 == 0 {
            node_a.clone()
        } else {
            node_b.clone()
        };
        workers.push(tokio::spawn(async move {
            let mut claimed = Vec::new();
            while let Some(job) = store.claim_job(now, now + 300).await.expect("claim") {
                claimed.push(job.payload.clone());
                store.finish_job(job.id, now).await.expect("finish");
            }
            claimed
        }));
    }
    let mut all = Vec::new();
    for worker in workers {
        all.extend(worker.await.expect("worker"));
    }
    let distinct: BTreeSet<&String> = all.iter().collect();
    assert_eq!(
        all.len(),
        jobs,
        "every job claimed once, none twice: {all:?}"
    );
    assert_eq!(distinct.len(), jobs);
    assert_eq!(node_b.pending_jobs(now).await.expect("pending"), 0);

    node_a.close().await;
    node_b.close().await;
    database.drop_database().await.expect("drop");
}
