//! Gazette's domain: the words the rest of the code speaks, with no I/O, async, SQL or HTTP.

/// Articles, their authors and taxonomy terms.
pub mod article;
/// Comments as readers and staff see them, and what a new one carries.
pub mod comment;
/// Typed identifiers for articles, comments and users.
pub mod ids;
/// What an import from another system hands the store, and what the store did with it.
pub mod import;
/// Images and files articles use, by address.
pub mod media;
/// Which comments are held for moderation and which go straight out.
pub mod moderation;
/// Pagination requests and pages of results.
pub mod page;
/// Bans, the audit log, and the other records of moderation.
pub mod records;
/// What readers search for and what they find.
pub mod search;
/// What sitemaps list.
pub mod sitemap;
/// Slugs for permalinks.
pub mod slugs;
/// Spam checks: word lists, links, and the naive Bayes classifier.
pub mod spam;
/// Static pages: `/about`, `/contact`.
pub mod static_page;
/// Small text helpers shared by messages and pages.
pub mod text;
/// The comment thread: materialised paths and display nesting.
pub mod thread;
/// Staff accounts and their roles.
pub mod user;
/// Checking what a commenter typed, field by field.
pub mod validate;

pub use article::{
    Article, ArticleStatus, ArticleSummary, AuthorRef, BodyFormat, Correction, NewArticle, Term,
    TermKind,
};
pub use comment::{Comment, CommentGuard, CommentStatus, FeedComment, NewComment, StaffComment};
pub use ids::{ArticleId, CommentId, MediaId, PageId, UserId};
pub use media::{Media, MediaFile, MediaText, NewMedia, NewUpload};
pub use moderation::{CommenterHistory, HoldReason, ModerationPolicy};
pub use page::{Page, PageRequest};
pub use static_page::{Crumb, NewStaticPage, StaticPage, StaticPageRow, StaticPageUpdate};
pub use user::{NewUser, Permission, Role, User};
pub use validate::{CommentDraft, Field, FieldErrors, ValidComment, name_lookalike};

/// A rule of the domain was broken by a value that came from outside.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DomainError {
    /// A textual value did not name any known variant (a status, a role).
    #[error("unknown {kind} {value:?}")]
    UnknownVariant {
        /// What was being parsed, e.g. "comment status".
        kind: &'static str,
        /// The text that did not match.
        value: String,
    },
}
