//! SQLite: one file, WAL journal, foreign keys on, full fsync on commit so an acknowledged comment
//! survives a crash; one writer at a time.

use gazette_store::{StoreError, StoreResult};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

/// The migrations this build applies to SQLite.
pub(crate) static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");

/// A SQLite database and this process's writer turn.
#[derive(Debug)]
pub(crate) struct Sqlite {
    pub(crate) pool: SqlitePool,
    /// SQLite has one writer at a time. Writers queue here, in this process, instead of each
    /// taking a connection and spinning in SQLite's busy handler (which sleeps in growing steps
    /// and made latency under load erratic).
    writer: Arc<tokio::sync::Mutex<()>>,
    /// Which words of searches are in more than half the indexed articles, as last counted.
    pub(crate) common_words: std::sync::Mutex<crate::search::CommonWords>,
}

impl Sqlite {
    /// Opens (creating if needed) the database at `url` (`sqlite:PATH`).
    pub(crate) async fn open(url: &str) -> StoreResult<Self> {
        let options = SqliteConnectOptions::from_str(url)
            .map_err(|e| StoreError::other("invalid SQLite URL", e))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // FULL: a commit is on disk before the comment is acknowledged, even across power loss.
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await
            .map_err(|e| StoreError::other("opening SQLite database", e))?;
        Ok(Self {
            pool,
            writer: Arc::new(tokio::sync::Mutex::new(())),
            common_words: Default::default(),
        })
    }

    /// A write transaction that takes the write lock at once (`BEGIN IMMEDIATE`).
    pub(crate) async fn write(&self) -> StoreResult<WriteTx> {
        let turn = self.writer.clone().lock_owned().await;
        let mut conn = self
            .pool
            .acquire()
            .await
            .map_err(|e| StoreError::other("starting a write transaction", e))?;
        if let Err(error) = sqlx::query("BEGIN IMMEDIATE").execute(&mut *conn).await {
            conn.close_on_drop();
            return Err(StoreError::other("starting a write transaction", error));
        }
        Ok(WriteTx {
            conn,
            finished: false,
            _turn: turn,
        })
    }
}

/// A write transaction holding this process's writer turn until it commits or is dropped.
///
/// Managed by hand rather than with `sqlx::Transaction`: when SQLite refuses a COMMIT (a full
/// disk, SQLITE_FULL) it rolls the transaction back itself, and sqlx's queued rollback then left
/// the pooled connection believing a transaction was still open, so every later write on it
/// failed. Here a transaction that did not finish closes its connection (SQLite rolls back
/// whatever was pending), and the pool opens a fresh one.
pub(crate) struct WriteTx {
    conn: sqlx::pool::PoolConnection<sqlx::Sqlite>,
    /// COMMIT or ROLLBACK succeeded: the connection may go back to the pool.
    finished: bool,
    _turn: tokio::sync::OwnedMutexGuard<()>,
}

impl WriteTx {
    /// Commits, then lets the next writer in. On failure nothing was written.
    pub(crate) async fn commit(mut self) -> Result<(), sqlx::Error> {
        sqlx::query("COMMIT").execute(&mut *self.conn).await?;
        self.finished = true;
        Ok(())
    }

    /// Gives up the transaction, writing nothing.
    pub(crate) async fn rollback(mut self) {
        self.finished = sqlx::query("ROLLBACK")
            .execute(&mut *self.conn)
            .await
            .is_ok();
    }
}

impl Drop for WriteTx {
    fn drop(&mut self) {
        // An early return, or a COMMIT that failed: the connection must not go back to the pool
        // inside a transaction. Closing it makes SQLite roll back whatever was pending.
        if !self.finished {
            self.conn.close_on_drop();
        }
    }
}

impl std::ops::Deref for WriteTx {
    type Target = sqlx::SqliteConnection;
    fn deref(&self) -> &Self::Target {
        &self.conn
    }
}

impl std::ops::DerefMut for WriteTx {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.conn
    }
}
