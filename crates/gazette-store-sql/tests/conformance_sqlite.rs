//! The shared storage conformance suite, on a fresh SQLite file per test.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use gazette_store::Store;
use gazette_store::testkit::TestStore;
use gazette_store_sql::SqlStore;

struct TempSqlite {
    store: SqlStore,
    _dir: tempfile::TempDir,
}

#[async_trait::async_trait]
impl TestStore for TempSqlite {
    fn store(&self) -> &dyn Store {
        &self.store
    }
    async fn cleanup(self: Box<Self>) {
        self.store.close().await;
    }
}

async fn fresh() -> Box<TempSqlite> {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite:{}", dir.path().join("test.db").display());
    let store = SqlStore::connect(&url).await.expect("open SQLite");
    Box::new(TempSqlite { store, _dir: dir })
}

gazette_store::conformance_suite!(fresh);
