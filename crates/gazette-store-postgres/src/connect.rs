use gazette_store::{StoreError, StoreResult};
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::{ConnectOptions, Connection, Executor};
use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// The migrations this build applies.
static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// A PostgreSQL-backed store. Cheap to clone (the pool is shared).
#[derive(Clone, Debug)]
pub struct PgStore {
    pub(crate) pool: PgPool,
}

impl PgStore {
    /// Connects to `url` (`postgres://...`) and migrates the database.
    pub async fn connect(url: &str) -> StoreResult<Self> {
        let options = PgConnectOptions::from_str(url)
            .map_err(|e| StoreError::other("invalid PostgreSQL URL", e))?
            .application_name("gazette");
        let pool = PgPoolOptions::new()
            .max_connections(16)
            // A node that lost its database should answer quickly, not queue requests for long.
            .acquire_timeout(Duration::from_secs(3))
            .connect_with(options)
            .await
            .map_err(|e| StoreError::other("connecting to PostgreSQL", e))?;
        let store = Self { pool };
        store.migrate().await?;
        Ok(store)
    }

    /// Applies pending migrations. Safe with several nodes starting at once (sqlx takes an advisory lock).
    pub async fn migrate(&self) -> StoreResult<()> {
        MIGRATOR
            .run(&self.pool)
            .await
            .map_err(|e| StoreError::other("migrating PostgreSQL database", e))
    }

    /// Whether the database answers and has every migration this build knows applied.
    pub(crate) async fn check_ready(&self) -> StoreResult<()> {
        let applied: Option<i64> =
            sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations WHERE success")
                .fetch_one(&self.pool)
                .await
                .map_err(|e| StoreError::other("database", e))?;
        let expected = MIGRATOR.iter().map(|m| m.version).max();
        if applied < expected {
            return Err(StoreError::Other(format!(
                "database schema is at migration {}, this build needs {}",
                applied.unwrap_or(0),
                expected.unwrap_or(0)
            )));
        }
        Ok(())
    }

    /// The underlying pool, for tools that inspect the schema.
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    pub(crate) async fn write(&self) -> StoreResult<sqlx::Transaction<'static, sqlx::Postgres>> {
        self.pool
            .begin()
            .await
            .map_err(|e| StoreError::other("starting a write transaction", e))
    }

    /// Closes every connection.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// A throwaway database for one test, created next to the database that `admin_url` names.
#[derive(Debug)]
pub struct TestDatabase {
    admin_url: String,
    name: String,
    /// Connection URL of the new database.
    pub url: String,
}

static NEXT_TEST_DATABASE: AtomicU64 = AtomicU64::new(0);

impl TestDatabase {
    /// Creates an empty database with a unique name.
    pub async fn create(admin_url: &str) -> StoreResult<Self> {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or_default();
        let name = format!(
            "gazette_test_{}_{}_{}",
            std::process::id(),
            NEXT_TEST_DATABASE.fetch_add(1, Ordering::Relaxed),
            nanos
        );
        let mut admin = connect_admin(admin_url).await?;
        admin
            .execute(sqlx::AssertSqlSafe(format!("CREATE DATABASE \"{name}\"")))
            .await
            .map_err(|e| StoreError::other("creating a test database", e))?;
        admin.close().await.ok();
        let mut url = url::Url::parse(admin_url).map_err(|e| StoreError::other("admin URL", e))?;
        url.set_path(&name);
        Ok(Self {
            admin_url: admin_url.to_owned(),
            name,
            url: url.to_string(),
        })
    }

    /// Drops the database, disconnecting whoever is still on it.
    pub async fn drop_database(self) -> StoreResult<()> {
        let mut admin = connect_admin(&self.admin_url).await?;
        admin
            .execute(sqlx::AssertSqlSafe(format!(
                "DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)",
                self.name
            )))
            .await
            .map_err(|e| StoreError::other("dropping a test database", e))?;
        admin.close().await.ok();
        Ok(())
    }
}

async fn connect_admin(admin_url: &str) -> StoreResult<sqlx::PgConnection> {
    PgConnectOptions::from_str(admin_url)
        .map_err(|e| StoreError::other("invalid PostgreSQL URL", e))?
        .connect()
        .await
        .map_err(|e| StoreError::other("connecting to PostgreSQL", e))
}
