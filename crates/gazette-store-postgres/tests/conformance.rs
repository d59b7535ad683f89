//! The shared storage conformance suite on PostgreSQL, one throwaway database per test.
//! Runs when `GAZETTE_TEST_POSTGRES` holds an admin connection URL (CI sets it).
#![allow(clippy::expect_used, clippy::unwrap_used)]

use gazette_store::Store;
use gazette_store::testkit::TestStore;
use gazette_store_postgres::{PgStore, TestDatabase};

struct ThrowawayPg {
    store: PgStore,
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

async fn fresh() -> Option<Box<ThrowawayPg>> {
    let admin_url = std::env::var("GAZETTE_TEST_POSTGRES").ok()?;
    let database = TestDatabase::create(&admin_url)
        .await
        .expect("create test database");
    let store = PgStore::connect(&database.url).await.expect("connect");
    Some(Box::new(ThrowawayPg { store, database }))
}

gazette_store::conformance_suite!(fresh);
