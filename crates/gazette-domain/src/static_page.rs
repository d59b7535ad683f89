use crate::{ArticleStatus, AuthorRef, BodyFormat, PageId, UserId};
use serde::Serialize;

/// First path segments Gazette itself answers under: a page cannot take them as its slug
/// (`/admin` must stay the newsroom, `/feed` the feed).
pub const RESERVED_SLUGS: &[&str] = &[
    "admin",
    "api",
    "articles",
    "author",
    "avatar",
    "category",
    "comments",
    "corrections",
    "embed",
    "feed",
    "healthz",
    "metrics",
    "page",
    "readyz",
    "robots-txt",
    "search",
    "sitemap",
    "sitemaps",
    "static",
    "tag",
    "unsubscribe",
    "wp-admin",
    "wp-content",
    "wp-login-php",
];

/// Whether a slug is free for a page (not one of Gazette's own first segments).
/// A slug of digits only is a year's address (`/2026/`, the date archives) and is reserved too.
pub fn is_reserved(slug: &str) -> bool {
    RESERVED_SLUGS.contains(&slug) || (!slug.is_empty() && slug.bytes().all(|b| b.is_ascii_digit()))
}

/// Deepest chain of parent pages a breadcrumb follows (a loop or a deeper tree stops there).
pub const MAX_TRAIL: usize = 8;

/// A static page as readers and the editor see it: `/{slug}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StaticPage {
    /// Database id.
    pub id: PageId,
    /// Address: `/{slug}`.
    pub slug: String,
    /// Heading.
    pub title: String,
    /// The source as written, in `body_format`.
    pub body_source: String,
    /// Markdown or HTML.
    pub body_format: BodyFormat,
    /// The rendered and sanitised body.
    pub body_html: String,
    /// The page it sits under, shown as a breadcrumb.
    pub parent_id: Option<PageId>,
    /// Who wrote it.
    pub author: AuthorRef,
    /// Draft, published or trash (pages are never scheduled).
    pub status: ArticleStatus,
    /// Unix seconds.
    pub created_at: i64,
    /// Unix seconds of the last save.
    pub updated_at: i64,
    /// Bumped by every save, for the editor's optimistic concurrency.
    pub version: i64,
}

impl StaticPage {
    /// Whether readers may see it.
    pub fn is_public(&self) -> bool {
        self.status == ArticleStatus::Published
    }
}

/// A page in the admin's list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StaticPageRow {
    /// Database id.
    pub id: PageId,
    /// Address.
    pub slug: String,
    /// Heading.
    pub title: String,
    /// Draft, published or trash.
    pub status: ArticleStatus,
    /// The parent's title, if it has one.
    pub parent_title: Option<String>,
    /// Unix seconds of the last save.
    pub updated_at: i64,
}

/// One step of a breadcrumb: a parent page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Crumb {
    /// Database id.
    pub id: PageId,
    /// Heading.
    pub title: String,
    /// Address: `/{slug}`.
    pub slug: String,
    /// Whether readers may follow it (a draft parent is shown without a link).
    pub public: bool,
}

/// A page to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewStaticPage {
    /// Address, unique among pages and not reserved.
    pub slug: String,
    /// Heading.
    pub title: String,
    /// Source, in `body_format`.
    pub body_source: String,
    /// Markdown or HTML.
    pub body_format: BodyFormat,
    /// Rendered and sanitised.
    pub body_html: String,
    /// The page it sits under.
    pub parent_id: Option<PageId>,
    /// Who wrote it.
    pub author_id: UserId,
    /// Draft, published or trash.
    pub status: ArticleStatus,
    /// Unix seconds.
    pub created_at: i64,
    /// Unix seconds.
    pub updated_at: i64,
}

/// A save over an existing page, made against the version the editor loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaticPageUpdate {
    /// The version the editor started from; a newer one stored means someone else saved.
    pub expected_version: i64,
    /// What the page becomes (its `created_at` is kept).
    pub page: NewStaticPage,
}
