//! Both backends' migrations must produce the same tables with the same columns. The one
//! table that differs by design is the search index, `article_search`: an FTS5 virtual table
//! (with its shadow tables) on SQLite, a table with a tsvector on PostgreSQL; both hold the
//! same headline and body text, which the conformance suite's search case checks.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use gazette_store_sql::{Pool, SqlStore, TestDatabase};
use std::collections::BTreeSet;

type Columns = BTreeSet<(String, String)>;

async fn sqlite_columns() -> Columns {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite:{}", dir.path().join("schema.db").display());
    let store = SqlStore::connect(&url).await.expect("open SQLite");
    let Pool::Sqlite(pool) = store.pool() else {
        panic!("a sqlite: URL opens SQLite")
    };
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p \
         WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE '_sqlx%' \
         AND m.name NOT LIKE 'article_search%'",
    )
    .fetch_all(pool)
    .await
    .expect("SQLite columns");
    store.close().await;
    rows.into_iter().collect()
}

async fn postgres_columns(admin_url: &str) -> Columns {
    let database = TestDatabase::create(admin_url)
        .await
        .expect("create database");
    let store = SqlStore::connect(&database.url).await.expect("connect");
    let Pool::Postgres(pool) = store.pool() else {
        panic!("a postgres:// URL opens PostgreSQL")
    };
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT table_name::TEXT, column_name::TEXT FROM information_schema.columns \
         WHERE table_schema = 'public' AND table_name NOT LIKE '_sqlx%' \
         AND table_name <> 'article_search'",
    )
    .fetch_all(pool)
    .await
    .expect("PostgreSQL columns");
    store.close().await;
    database.drop_database().await.expect("drop");
    rows.into_iter().collect()
}

#[tokio::test]
#[ignore = "needs GAZETTE_TEST_POSTGRES (a PostgreSQL admin URL); .ci/run sets it"]
async fn both_backends_have_the_same_tables_and_columns() {
    let admin_url = std::env::var("GAZETTE_TEST_POSTGRES")
        .expect("GAZETTE_TEST_POSTGRES must hold a PostgreSQL admin URL");
    let sqlite = sqlite_columns().await;
    let postgres = postgres_columns(&admin_url).await;
    assert!(sqlite.contains(&("comments".to_owned(), "path".to_owned())));
    let only_sqlite: Vec<_> = sqlite.difference(&postgres).collect();
    let only_postgres: Vec<_> = postgres.difference(&sqlite).collect();
    assert!(
        only_sqlite.is_empty() && only_postgres.is_empty(),
        "schemas differ: only in SQLite {only_sqlite:?}, only in PostgreSQL {only_postgres:?}"
    );
}
