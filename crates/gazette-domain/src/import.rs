use crate::{ArticleId, ArticleStatus, BodyFormat, CommentStatus, TermKind, UserId};
use serde::Serialize;

/// What an import did with one record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// It was new and is now stored.
    Created,
    /// An earlier import brought it in; what changed since is stored.
    Updated,
    /// An earlier import brought it in and nothing changed.
    Unchanged,
}

/// Where an imported record came from: the exporting site and the record's id there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// The exporting site, e.g. `wordpress https://example.com`.
    pub source: String,
    /// The record's id in that site (a WordPress post id, an author's login).
    pub original_id: String,
}

/// A staff account brought in (a WordPress author): the author role, no password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportUser {
    /// Where it came from.
    pub origin: Origin,
    /// Login name; an existing account with this login is the same person.
    pub username: String,
    /// Name in bylines.
    pub display_name: String,
    /// Slug wanted for `/author/{slug}` (made unique if taken by someone else).
    pub slug: String,
    /// Staff email.
    pub email: String,
    /// Unix seconds.
    pub created_at: i64,
}

/// A category or tag brought in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportTerm {
    /// Category or tag.
    pub kind: TermKind,
    /// Display name.
    pub name: String,
    /// Slug; a term of the same kind and slug is the same term.
    pub slug: String,
    /// The parent category's slug, if any (imported before it, or not at all).
    pub parent_slug: Option<String>,
    /// Description.
    pub description: String,
}

/// An article brought in, with its terms by slug (imported before it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportArticle {
    /// Where it came from.
    pub origin: Origin,
    /// Slug wanted (made unique if another article has it).
    pub slug: String,
    /// Headline.
    pub title: String,
    /// The body's source as the editor will show it.
    pub body_markdown: String,
    /// What the source is written in.
    pub body_format: BodyFormat,
    /// The body rendered and sanitised.
    pub body_html: String,
    /// The body as plain text, for the search index.
    pub body_text: String,
    /// Plain-text summary.
    pub excerpt: String,
    /// Byline.
    pub author_id: UserId,
    /// The other authors of the byline, in order (WordPress: Co-Authors Plus's author terms).
    pub coauthor_ids: Vec<UserId>,
    /// Draft, published (a future time: scheduled) or trash.
    pub status: ArticleStatus,
    /// Whether readers may comment.
    pub comments_open: bool,
    /// Publication time, unix seconds.
    pub published_at: Option<i64>,
    /// Creation time, unix seconds.
    pub created_at: i64,
    /// Last modification, unix seconds.
    pub updated_at: i64,
    /// Category slugs, in order.
    pub categories: Vec<String>,
    /// Tag slugs, in order.
    pub tags: Vec<String>,
    /// Its id in the old site's feeds (WordPress's guid), kept as the article's feed id so feed
    /// readers do not show it again as new; `None` to use Gazette's own.
    pub feed_id: Option<String>,
}

/// A comment brought in. Its parent is named by its original id: imported before it, under the
/// same article (otherwise the comment starts a thread of its own).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportComment {
    /// Where it came from.
    pub origin: Origin,
    /// The article it is under.
    pub article_id: ArticleId,
    /// The original id of the comment it answers.
    pub parent_original_id: Option<String>,
    /// Threads deeper than this attach at the deepest level, as on the form.
    pub max_depth: u32,
    /// Name as given.
    pub author_name: String,
    /// Email, lower-cased.
    pub author_email: String,
    /// Website.
    pub author_url: Option<String>,
    /// Keyed hash of the email for the identicon.
    pub avatar: String,
    /// Source of the body.
    pub body_markdown: String,
    /// The body rendered and sanitised.
    pub body_html: String,
    /// Held, approved, spam or trash.
    pub status: CommentStatus,
    /// The address it was posted from.
    pub ip: Option<String>,
    /// Its /24 or /64, for rate limits.
    pub ip_network: Option<String>,
    /// Unix seconds.
    pub created_at: i64,
    /// The staff account that wrote it, if its author is an imported author.
    pub staff_user_id: Option<UserId>,
}

/// An old address that answers `301 Moved Permanently`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Redirect {
    /// The old path, without a trailing slash, with its query where it matters (`/?p=12`).
    pub path: String,
    /// Where it now is: a path on this site, or an absolute address.
    pub target: String,
    /// Unix seconds.
    pub created_at: i64,
}

/// A static page brought in (a WordPress page). Its parent is linked once every page is in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportPage {
    /// Where it came from.
    pub origin: Origin,
    /// What it becomes (its slug is made unique, and never a reserved one, by the store).
    pub page: crate::NewStaticPage,
}

/// A media record brought in (a WordPress attachment).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportMedia {
    /// Where it came from.
    pub origin: Origin,
    /// What it becomes (the article it belongs to is linked once every article is in).
    pub media: crate::NewMedia,
}

/// An import started in the newsroom: the uploaded file and what became of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportRun {
    /// Database id.
    pub id: i64,
    /// `wordpress` or `disqus`.
    pub kind: String,
    /// The uploaded file's name, as the browser gave it.
    pub file_name: String,
    /// Bytes uploaded.
    pub size: i64,
    /// Read, match and report, but write nothing.
    pub dry_run: bool,
    /// `uploading`, `queued`, `running`, `done` or `failed`.
    pub status: String,
    /// Items read so far (or in all, once done).
    pub items_done: i64,
    /// Comments read so far.
    pub comments_done: i64,
    /// The report, or why it failed.
    pub report: String,
    /// Who uploaded it.
    pub created_by: String,
    /// Unix seconds.
    pub created_at: i64,
    /// When it ended.
    pub finished_at: Option<i64>,
}

/// An upload to start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewImportRun {
    /// `wordpress` or `disqus`.
    pub kind: String,
    /// The file's name.
    pub file_name: String,
    /// Write nothing.
    pub dry_run: bool,
    /// Who uploads it.
    pub created_by: String,
    /// Unix seconds.
    pub created_at: i64,
}
