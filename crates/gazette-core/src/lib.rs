//! Gazette's use cases. Pages, the API, the CLI and (later) importers all go through [`Site`], so a
//! rule such as "a first comment is held" is written once, here, and never in a handler.

/// Staff accounts and passwords.
pub mod accounts;
/// Logging in, sessions, password changes and resets, roles.
pub mod auth;
/// Submitting a comment.
pub mod commenting;
/// The typed configuration and its layers (defaults, TOML file, environment).
pub mod config;
/// CPU-heavy work (rendering, password hashing) off the async threads, bounded.
pub mod cpu;
/// The newsroom's article editor: drafts, publishing, scheduling, slugs, trash.
pub mod editing;
/// RSS and Atom feeds of articles and comments.
pub mod feeds;
/// Generations that tell cached pages whether they are still true.
pub mod freshness;
/// Moving a site in from WordPress: the import, whole or not at all.
pub mod importing;
/// Background jobs, run once across all nodes.
pub mod jobs;
/// The media library: uploaded images and their stored sizes.
pub mod media;
/// Moderating comments.
pub mod moderating;
/// Static pages and their editor.
pub mod pages;
/// Publishing articles.
pub mod publishing;
/// Reading: front page, archives, article pages and their discussions.
pub mod reading;
/// Old addresses answering 301: looked up on a 404, managed by admins.
pub mod redirects;
/// The readers' search, and the search index's upkeep.
pub mod searching;
/// Per-site secrets kept in the database so every node shares them.
pub mod secrets;
/// Site settings kept in the database (title, policy, word lists…).
pub mod settings;
/// The `Site` service: the state every use case needs.
mod site;
/// Sitemaps and the News sitemap.
pub mod sitemaps;
/// The spam layers: form tokens, rate limits, word lists, links, the classifier.
pub mod spam;
/// WebSub pings to the hub, from the jobs.
pub mod websub;
/// The welcome article a new site starts with.
mod welcome;

pub use config::Config;
pub use site::Site;

use gazette_domain::FieldErrors;
use gazette_store::StoreError;

/// Why a use case refused or failed, in terms the web layer turns into a status and a message.
#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    /// The thing asked for does not exist, or is not public.
    #[error("{0} not found")]
    NotFound(&'static str),
    /// The comment form has fields to fix.
    #[error("{0}")]
    Invalid(FieldErrors),
    /// The article no longer accepts comments.
    #[error("comments are closed on this article")]
    CommentsClosed,
    /// Input that is not a form field was wrong; the message says what to fix.
    #[error("{0}")]
    BadInput(String),
    /// The write clashes with what exists (a taken slug or username).
    #[error("{0}")]
    Conflict(String),
    /// The staff member's role does not allow this.
    #[error("{0}")]
    Forbidden(String),
    /// Too many failed logins; the message says how long to wait.
    #[error("{0}")]
    TooManyAttempts(String),
    /// Too many comments from one address or network; the message says how long to wait.
    #[error("{0}")]
    RateLimited(String),
    /// A robot's comment (the honeypot was filled in) was dropped without storing anything:
    /// answer as if it had been accepted, so the robot learns nothing.
    #[error("comment discarded")]
    Discarded,
    /// The commenter is banned; the message is deliberately neutral.
    #[error("{0}")]
    Refused(String),
    /// A read (a search) stopped at its time limit, or found no free turn; try again or
    /// narrow it.
    #[error("the {0} took too long")]
    TimedOut(&'static str),
    /// The database failed; details are logged, never shown.
    #[error("storage failure: {0}")]
    Storage(String),
}

impl From<StoreError> for CoreError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound(what) => Self::NotFound(what),
            StoreError::Conflict(what) => Self::Conflict(format!("that {what} is already taken")),
            StoreError::Refused(what) => Self::Conflict(format!("refused: {what}")),
            StoreError::TimedOut(what) => Self::TimedOut(what),
            StoreError::Other(message) => Self::Storage(message),
        }
    }
}

/// Shorthand for core results.
pub type CoreResult<T> = Result<T, CoreError>;
