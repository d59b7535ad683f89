//! The storage boundary: one trait with coarse methods (one business operation, one transaction each),
//! implemented on both databases by `gazette-store-sql` and checked by one conformance suite, run
//! on each, so the two never drift.

/// Row shapes shared by both SQL backends, and their conversion into domain types.
pub mod rows;
/// The `Store` trait and the filters its methods take.
mod store;
/// The conformance suite every backend runs in its tests.
#[cfg(feature = "testkit")]
pub mod testkit;

pub use store::{ArticleFilter, Change, ChangeFeed, CommenterSignals, ImportTx, Job, Store};

/// What can go wrong in a store, in terms the callers act on.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The thing asked for does not exist (or is not in the state the operation needs).
    #[error("{0} not found")]
    NotFound(&'static str),
    /// A uniqueness rule refused the write; the text names what clashed.
    #[error("{0} already exists")]
    Conflict(&'static str),
    /// A limit checked inside the write's own transaction refused it (nothing was written); the
    /// text names the limit, e.g. [`gazette_domain::CommentGuard::DUPLICATE`].
    #[error("refused: {0}")]
    Refused(&'static str),
    /// A read stopped at its time limit (a search too costly to finish); nothing changed.
    #[error("{0} took too long")]
    TimedOut(&'static str),
    /// Anything else: the database is unreachable, a query failed, stored data is corrupt.
    #[error("storage failure: {0}")]
    Other(String),
}

impl StoreError {
    /// Wraps an unexpected failure, keeping its message and where it came from.
    pub fn other(context: &str, error: impl std::fmt::Display) -> Self {
        Self::Other(format!("{context}: {error}"))
    }
}

impl From<gazette_domain::DomainError> for StoreError {
    fn from(error: gazette_domain::DomainError) -> Self {
        Self::Other(format!("stored data is invalid: {error}"))
    }
}

/// Shorthand for store results.
pub type StoreResult<T> = Result<T, StoreError>;
