//! Gazette's [`Store`](gazette_store::Store) on SQLite: one file, WAL journal, foreign keys on,
//! full fsync on commit so an acknowledged comment survives a crash.

/// Articles, terms and lists.
mod articles;
/// The log of changes readers see, for cache invalidation across processes.
mod changes;
/// Comments, threads and counts.
mod comments;
/// Opening the database and running migrations.
mod connect;
/// Committing concurrent new comments together, one fsync for many.
mod group_commit;
/// Background jobs (claimed once across processes) and pruning what expired.
mod jobs;
/// Moderation: status changes with audit and training, bans, the audit log, spam signals.
mod moderation;
/// Sessions, password resets, login throttling, account lists.
mod newsroom;
/// The `Store` trait, delegating to the modules above.
mod store_impl;
/// Staff accounts and settings.
mod users;

pub use connect::SqliteStore;

use gazette_store::StoreError;

/// Maps a sqlx error: unique violations become `Conflict(what)`, missing rows `NotFound(what)`.
fn map_err(what: &'static str) -> impl Fn(sqlx::Error) -> StoreError {
    move |error| match &error {
        sqlx::Error::RowNotFound => StoreError::NotFound(what),
        sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Conflict(what),
        _ => StoreError::other(what, error),
    }
}
