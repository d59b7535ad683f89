//! The shared storage conformance suite on PostgreSQL, one throwaway database per test.
//! Ignored unless asked for (`-- --include-ignored`), with `GAZETTE_TEST_POSTGRES` holding an
//! admin connection URL; `.ci/run` does both.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use gazette_store::Store;
use gazette_store::testkit::TestStore;
use gazette_store_sql::{SqlStore, TestDatabase};

struct ThrowawayPg {
    store: SqlStore,
    database: TestDatabase,
}

#[async_trait::async_trait]
impl TestStore for ThrowawayPg {
    fn store(&self) -> &dyn Store {
        &self.store
    }
    async fn cleanup(self: Box<Self>) {
        self.store.close().await;
        self.database
            .drop_database()
            .await
            .expect("drop test database");
    }
}

async fn fresh() -> Box<ThrowawayPg> {
    let admin_url = std::env::var("GAZETTE_TEST_POSTGRES")
        .expect("GAZETTE_TEST_POSTGRES must hold a PostgreSQL admin URL for these tests");
    let database = TestDatabase::create(&admin_url)
        .await
        .expect("create test database");
    let store = SqlStore::connect(&database.url).await.expect("connect");
    Box::new(ThrowawayPg { store, database })
}

gazette_store::conformance_suite!(
    fresh,
    ignore = "needs GAZETTE_TEST_POSTGRES (a PostgreSQL admin URL); .ci/run sets it"
);
