//! The bundled SQLite is built with the options `.cargo/config.toml` adds (a build outside the
//! repository, or a changed libsqlite3-sys, would silently lose them and a third of the speed).
#![allow(clippy::expect_used, clippy::unwrap_used)]

use gazette_store_sql::{Pool, SqlStore};

#[tokio::test]
async fn sqlite_plans_ignore_bound_values_and_keeps_no_memory_count() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite:{}", dir.path().join("build.db").display());
    let store = SqlStore::connect(&url).await.expect("open SQLite");
    let Pool::Sqlite(pool) = store.pool() else {
        panic!("a sqlite: URL opens SQLite")
    };
    let (qpsg, memstatus, fts5): (i64, i64, i64) = sqlx::query_as(
        "SELECT sqlite_compileoption_used('ENABLE_QPSG'), \
         sqlite_compileoption_used('DEFAULT_MEMSTATUS=0'), \
         sqlite_compileoption_used('ENABLE_FTS5')",
    )
    .fetch_one(pool)
    .await
    .expect("compile options");
    store.close().await;
    assert_eq!((qpsg, memstatus, fts5), (1, 1, 1));
}
