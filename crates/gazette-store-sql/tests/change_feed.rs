//! LISTEN/NOTIFY: a change recorded through one store reaches a feed opened by another (as on two
//! nodes), and a feed whose connection is killed says so instead of going quiet.
//! Ignored unless asked for (`-- --include-ignored`) with `GAZETTE_TEST_POSTGRES` set; `.ci/run` does.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use gazette_domain::ArticleId;
use gazette_store::Store;
use gazette_store_sql::{SqlStore, TestDatabase};
use std::time::Duration;

async fn database() -> Option<TestDatabase> {
    let admin_url = std::env::var("GAZETTE_TEST_POSTGRES").ok()?;
    Some(
        TestDatabase::create(&admin_url)
            .await
            .expect("create test database"),
    )
}

#[tokio::test]
#[ignore = "needs GAZETTE_TEST_POSTGRES (a PostgreSQL admin URL); .ci/run sets it"]
async fn a_change_recorded_on_one_node_reaches_the_feed_of_another() {
    let database = database()
        .await
        .expect("GAZETTE_TEST_POSTGRES must hold a PostgreSQL admin URL");
    let node_a = SqlStore::connect(&database.url).await.expect("connect a");
    let node_b = SqlStore::connect(&database.url).await.expect("connect b");
    let mut feed = node_b
        .change_feed()
        .await
        .expect("listen")
        .expect("PostgreSQL has a feed");

    let first = node_a
        .record_change(Some(ArticleId(42)), 1_000)
        .await
        .expect("record");
    let second = node_a.record_change(None, 1_001).await.expect("record");
    assert_eq!(next(&mut feed).await, Some((first, Some(ArticleId(42)))));
    assert_eq!(next(&mut feed).await, Some((second, None)));

    // Kill the feed's connection from the server side: the feed must report the loss.
    let gazette_store_sql::Pool::Postgres(pool) = node_a.pool() else {
        panic!("a postgres:// URL opens PostgreSQL")
    };
    let killed: i64 = sqlx::query_scalar(
        "SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity \
         WHERE datname = current_database() AND query LIKE 'LISTEN%'",
    )
    .fetch_one(pool)
    .await
    .expect("terminate listener");
    assert_eq!(killed, 1, "exactly the feed's connection is listening");
    assert_eq!(
        next(&mut feed).await,
        None,
        "a lost connection is reported, not hidden"
    );

    drop(feed);
    node_a.close().await;
    node_b.close().await;
    database.drop_database().await.expect("drop");
}

async fn next(feed: &mut Box<dyn gazette_store::ChangeFeed>) -> Option<gazette_store::Change> {
    tokio::time::timeout(Duration::from_secs(5), feed.next())
        .await
        .expect("a notice within 5 s")
        .expect("feed")
}
