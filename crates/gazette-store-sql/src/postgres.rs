//! PostgreSQL: the pool, the change feed (LISTEN/NOTIFY), and throwaway databases for tests.

use crate::map_err;
use gazette_domain::ArticleId;
use gazette_store::{Change, ChangeFeed, StoreError, StoreResult};
use sqlx::postgres::{PgConnectOptions, PgListener, PgPool, PgPoolOptions};
use sqlx::{ConnectOptions, Connection, Executor};
use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// The migrations this build applies to PostgreSQL.
pub(crate) static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// Connects to `url` (`postgres://...`).
pub(crate) async fn open(url: &str) -> StoreResult<PgPool> {
    let options = PgConnectOptions::from_str(url)
        .map_err(|e| StoreError::other("invalid PostgreSQL URL", e))?
        .application_name("gazette");
    PgPoolOptions::new()
        .max_connections(16)
        // A node that lost its database should answer quickly, not queue requests for long.
        .acquire_timeout(Duration::from_secs(3))
        .connect_with(options)
        .await
        .map_err(|e| StoreError::other("connecting to PostgreSQL", e))
}

/// The channel the `changes` table's trigger notifies on (migration 0004).
const CHANNEL: &str = "gazette_changes";

/// Changes pushed by PostgreSQL as their transactions commit, on a connection of its own.
pub(crate) struct PgChangeFeed {
    listener: PgListener,
}

impl PgChangeFeed {
    pub(crate) async fn listen(pool: &PgPool) -> StoreResult<Self> {
        let mut listener = PgListener::connect_with(pool)
            .await
            .map_err(map_err("change feed"))?;
        listener
            .listen(CHANNEL)
            .await
            .map_err(map_err("change feed"))?;
        Ok(Self { listener })
    }
}

#[async_trait::async_trait]
impl ChangeFeed for PgChangeFeed {
    async fn next(&mut self) -> StoreResult<Option<Change>> {
        loop {
            // `try_recv` reports a lost connection as `None` instead of silently reconnecting,
            // so the caller knows notifications may have been missed.
            let Some(notification) = self
                .listener
                .try_recv()
                .await
                .map_err(map_err("change feed"))?
            else {
                return Ok(None);
            };
            match parse_notice(notification.payload()) {
                Some(change) => return Ok(Some(change)),
                None => tracing::warn!(
                    payload = notification.payload(),
                    "ignoring a malformed change notice"
                ),
            }
        }
    }
}

/// Reads "ID:ARTICLE" ("*" for a site-wide change).
fn parse_notice(payload: &str) -> Option<Change> {
    let (id, article) = payload.split_once(':')?;
    let id = id.parse().ok()?;
    let article = match article {
        "*" => None,
        article => Some(ArticleId(article.parse().ok()?)),
    };
    Some((id, article))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notices_parse_and_garbage_does_not() {
        assert_eq!(parse_notice("12:7"), Some((12, Some(ArticleId(7)))));
        assert_eq!(parse_notice("13:*"), Some((13, None)));
        assert_eq!(parse_notice("x:7"), None);
        assert_eq!(parse_notice("14"), None);
        assert_eq!(parse_notice("15:seven"), None);
    }
}
