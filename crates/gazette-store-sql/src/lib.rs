//! Gazette's [`Store`](gazette_store::Store) on SQL. Every query is written once, in the modules
//! named after what they store, and runs on SQLite or PostgreSQL — chosen at run time from the
//! URL. What genuinely differs between the two lives apart and small:
//!
//! - `dialect.rs`: the SQL fragments that differ (aggregating an article's terms, row locks, the
//!   two-argument maximum, the next comment id, PostgreSQL's advisory locks);
//! - `sqlite.rs`: opening the file (WAL, foreign keys, full fsync) and the single writer's turn;
//! - `postgres.rs`: the pool, LISTEN/NOTIFY for the change feed, throwaway test databases;
//! - `migrations/sqlite` and `migrations/postgres`: one folder per database, compared by a test.
//!
//! `db.rs` runs a statement on either; `writer.rs` commits new comments in groups on both.

/// Articles, terms and lists.
mod articles;
/// The log of changes readers see, for cache invalidation across processes.
mod changes;
/// Comments, threads and counts.
mod comments;
/// Running a statement on either database.
mod db;
/// The SQL that differs between SQLite and PostgreSQL, all of it.
mod dialect;
/// Imports from other systems, in one transaction, matched by origin; old-address redirects.
mod import;
/// Imports uploaded in the newsroom, and their files.
mod import_runs;
/// Background jobs (claimed once across processes) and pruning what expired.
mod jobs;
/// Uploaded images and the media library.
mod media;
/// Moderation: status changes with audit and training, bans, the audit log, spam signals.
mod moderation;
/// Sessions, password resets, login throttling, account lists.
mod newsroom;
/// Static pages and media records.
mod pages;
/// PostgreSQL: the pool, the change feed, throwaway test databases.
mod postgres;
/// Searching articles, and keeping the search index current.
mod search;
/// Sitemaps' addresses.
mod sitemaps;
/// SQLite: the file, its pragmas, the single writer.
mod sqlite;
/// The `Store` trait, delegating to the modules above.
mod store_impl;
/// Staff accounts and settings.
mod users;
/// Committing concurrent new comments together, one commit (and one fsync) for many.
mod writer;

pub use postgres::TestDatabase;

use db::On;
use dialect::Dialect;
use gazette_store::{StoreError, StoreResult};
use std::sync::Arc;

/// The store, on whichever database its URL named. Cheap to clone (the pool is shared).
#[derive(Clone, Debug)]
pub struct SqlStore {
    backend: Arc<Backend>,
    /// New comments, committed in groups by one writer task.
    comments: writer::Queue,
}

#[derive(Debug)]
enum Backend {
    Sqlite(sqlite::Sqlite),
    Postgres(sqlx::PgPool),
}

/// The pool underneath, for tools that copy or inspect whole tables (`copy-db`, the benchmark's
/// generator, the schema test).
#[derive(Debug, Clone, Copy)]
pub enum Pool<'a> {
    /// A SQLite database.
    Sqlite(&'a sqlx::SqlitePool),
    /// A PostgreSQL database.
    Postgres(&'a sqlx::PgPool),
}

impl SqlStore {
    /// Opens the database `url` names — `sqlite:PATH` (created if missing) or `postgres://…` —
    /// and applies its migrations.
    pub async fn connect(url: &str) -> StoreResult<Self> {
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite(sqlite::Sqlite::open(url).await?)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres(postgres::open(url).await?)
        } else {
            return Err(StoreError::Other(
                "a database URL starts with sqlite: or postgres://".into(),
            ));
        };
        let store = Self::with_backend(backend);
        store.migrate().await?;
        Ok(store)
    }

    fn with_backend(backend: Backend) -> Self {
        let (queue, receiver) = tokio::sync::mpsc::channel(1024);
        let store = Self {
            backend: Arc::new(backend),
            comments: queue,
        };
        writer::start(store.clone(), receiver);
        store
    }

    /// Applies pending migrations (on PostgreSQL, several nodes may start at once: sqlx takes an
    /// advisory lock).
    pub async fn migrate(&self) -> StoreResult<()> {
        match &*self.backend {
            Backend::Sqlite(db) => sqlite::MIGRATOR.run(&db.pool).await,
            Backend::Postgres(pool) => postgres::MIGRATOR.run(pool).await,
        }
        .map_err(|e| StoreError::other("migrating the database", e))
    }

    /// The pool underneath.
    pub fn pool(&self) -> Pool<'_> {
        match &*self.backend {
            Backend::Sqlite(db) => Pool::Sqlite(&db.pool),
            Backend::Postgres(pool) => Pool::Postgres(pool),
        }
    }

    /// Closes every connection (SQLite checkpoints its WAL).
    pub async fn close(&self) {
        match &*self.backend {
            Backend::Sqlite(db) => db.pool.close().await,
            Backend::Postgres(pool) => pool.close().await,
        }
    }

    pub(crate) fn dialect(&self) -> Dialect {
        match &*self.backend {
            Backend::Sqlite(_) => Dialect::Sqlite,
            Backend::Postgres(_) => Dialect::Postgres,
        }
    }

    /// For a statement on its own (a read, or a write that is one statement).
    pub(crate) fn on(&self) -> On<'_> {
        match &*self.backend {
            Backend::Sqlite(db) => On::SqlitePool(&db.pool),
            Backend::Postgres(pool) => On::PgPool(pool),
        }
    }

    /// A write transaction: on SQLite it holds this process's writer turn and SQLite's write
    /// lock from its first statement (`BEGIN IMMEDIATE`), so writers never deadlock upgrading
    /// read locks; on PostgreSQL, an ordinary transaction (row locks do the rest).
    pub(crate) async fn write(&self) -> StoreResult<WriteTx> {
        match &*self.backend {
            Backend::Sqlite(db) => Ok(WriteTx::Sqlite(db.write().await?)),
            Backend::Postgres(pool) => pool
                .begin()
                .await
                .map(WriteTx::Postgres)
                .map_err(|e| StoreError::other("starting a write transaction", e)),
        }
    }

    /// Whether the database answers and has every migration this build knows applied.
    pub(crate) async fn check_ready(&self) -> StoreResult<()> {
        let applied: Option<i64> = db::scalar(
            self.on(),
            &db::Sql::new("SELECT MAX(version) FROM _sqlx_migrations WHERE success"),
        )
        .await
        .map_err(|e| StoreError::other("database", e))?;
        let expected = match &*self.backend {
            Backend::Sqlite(_) => sqlite::MIGRATOR.iter().map(|m| m.version).max(),
            Backend::Postgres(_) => postgres::MIGRATOR.iter().map(|m| m.version).max(),
        };
        if applied < expected {
            return Err(StoreError::Other(format!(
                "database schema is at migration {}, this build needs {}",
                applied.unwrap_or(0),
                expected.unwrap_or(0)
            )));
        }
        Ok(())
    }

    /// A connection for reads that must end within `limit` (searches), whoever asks: SQLite
    /// interrupts a statement running past the deadline (a progress handler), PostgreSQL
    /// cancels it (`statement_timeout`, in a read-only transaction). Either way the statement
    /// fails with an error [`timed_out`] recognises.
    pub(crate) async fn bounded(&self, limit: std::time::Duration) -> StoreResult<BoundedRead> {
        let starting = |e| StoreError::other("starting a bounded read", e);
        match &*self.backend {
            Backend::Sqlite(db) => {
                let mut conn = db.pool.acquire().await.map_err(starting)?;
                let deadline = std::time::Instant::now() + limit;
                let armed = Arc::new(std::sync::atomic::AtomicBool::new(true));
                let handler_armed = armed.clone();
                // The handler stays on the pooled connection afterwards; disarmed when this
                // read ends (even by an early return), it never interrupts anything else.
                conn.lock_handle()
                    .await
                    .map_err(starting)?
                    .set_progress_handler(10_000, move || {
                        !handler_armed.load(std::sync::atomic::Ordering::Relaxed)
                            || std::time::Instant::now() < deadline
                    });
                Ok(BoundedRead::Sqlite {
                    conn,
                    _disarm: Disarm(armed),
                })
            }
            Backend::Postgres(pool) => {
                let mut tx = pool.begin().await.map_err(starting)?;
                let millis = limit.as_millis().max(1);
                // Planned for its values each time: a search's words decide between reading
                // the newest articles in order and the GIN index, which a generic plan of a
                // statement prepared once cannot.
                for statement in [
                    "SET TRANSACTION READ ONLY".to_owned(),
                    format!("SET LOCAL statement_timeout = {millis}"),
                    "SET LOCAL plan_cache_mode = force_custom_plan".to_owned(),
                ] {
                    sqlx::query(sqlx::AssertSqlSafe(statement))
                        .execute(&mut *tx)
                        .await
                        .map_err(starting)?;
                }
                Ok(BoundedRead::Postgres(tx))
            }
        }
    }

    /// SQLite's counts of common search words (PostgreSQL ranks without them).
    pub(crate) fn common_words(&self) -> Option<&std::sync::Mutex<search::CommonWords>> {
        match &*self.backend {
            Backend::Sqlite(db) => Some(&db.common_words),
            Backend::Postgres(_) => None,
        }
    }

    pub(crate) fn postgres_pool(&self) -> Option<&sqlx::PgPool> {
        match &*self.backend {
            Backend::Postgres(pool) => Some(pool),
            Backend::Sqlite(_) => None,
        }
    }
}

/// A write transaction on either database. It commits only when told to; dropped without
/// committing, nothing it wrote stays.
pub(crate) enum WriteTx {
    Sqlite(sqlite::WriteTx),
    Postgres(sqlx::Transaction<'static, sqlx::Postgres>),
}

impl WriteTx {
    /// Which database the transaction is on.
    pub(crate) fn dialect(&self) -> Dialect {
        match self {
            WriteTx::Sqlite(_) => Dialect::Sqlite,
            WriteTx::Postgres(_) => Dialect::Postgres,
        }
    }

    /// For a statement inside the transaction.
    pub(crate) fn on(&mut self) -> On<'_> {
        match self {
            WriteTx::Sqlite(tx) => On::Sqlite(tx),
            WriteTx::Postgres(tx) => On::Postgres(tx),
        }
    }

    /// Commits. On failure nothing was written.
    pub(crate) async fn commit(self) -> Result<(), sqlx::Error> {
        match self {
            WriteTx::Sqlite(tx) => tx.commit().await,
            WriteTx::Postgres(tx) => tx.commit().await,
        }
    }

    /// Gives up, writing nothing.
    pub(crate) async fn rollback(self) {
        match self {
            WriteTx::Sqlite(tx) => tx.rollback().await,
            WriteTx::Postgres(tx) => {
                let _ = tx.rollback().await;
            }
        }
    }
}

/// A read with a time limit, from [`SqlStore::bounded`].
pub(crate) enum BoundedRead {
    Sqlite {
        conn: sqlx::pool::PoolConnection<sqlx::Sqlite>,
        _disarm: Disarm,
    },
    Postgres(sqlx::Transaction<'static, sqlx::Postgres>),
}

/// Turns a bounded read's progress handler off when the read ends, however it ends.
pub(crate) struct Disarm(Arc<std::sync::atomic::AtomicBool>);

impl Drop for Disarm {
    fn drop(&mut self) {
        self.0.store(false, std::sync::atomic::Ordering::Relaxed);
    }
}

impl BoundedRead {
    /// For a statement of the read.
    pub(crate) fn on(&mut self) -> On<'_> {
        match self {
            BoundedRead::Sqlite { conn, .. } => On::Sqlite(conn),
            BoundedRead::Postgres(tx) => On::Postgres(tx),
        }
    }

    /// For the rest of the read, PostgreSQL plans with its indexes wherever it can. Its costs
    /// take testing a row's tsvector against a query as nearly free, but each test reads the
    /// article's tsvector out of TOAST: a rare word's search read all 100,000 of them (340 ms)
    /// instead of the GIN index's 161 (5 ms).
    pub(crate) async fn prefer_indexes(&mut self) -> StoreResult<()> {
        if let BoundedRead::Postgres(tx) = self {
            sqlx::query("SET LOCAL enable_seqscan = off")
                .execute(&mut **tx)
                .await
                .map_err(|e| StoreError::other("starting a bounded read", e))?;
        }
        Ok(())
    }

    /// Ends the read (it wrote nothing; PostgreSQL's transaction is closed).
    pub(crate) async fn finish(self) {
        match self {
            BoundedRead::Sqlite { .. } => {}
            BoundedRead::Postgres(tx) => {
                let _ = tx.rollback().await;
            }
        }
    }
}

/// Whether a statement failed because its time limit stopped it: SQLite's SQLITE_INTERRUPT,
/// PostgreSQL's query_canceled (57014).
pub(crate) fn timed_out(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::Database(db) => matches!(db.code().as_deref(), Some("9") | Some("57014")),
        _ => false,
    }
}

/// Maps a sqlx error: unique violations become `Conflict(what)`, missing rows `NotFound(what)`.
fn map_err(what: &'static str) -> impl Fn(sqlx::Error) -> StoreError {
    move |error| match &error {
        sqlx::Error::RowNotFound => StoreError::NotFound(what),
        sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Conflict(what),
        _ => StoreError::other(what, error),
    }
}
