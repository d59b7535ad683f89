//! What sitemaps list: public addresses with the time they last changed.

/// The most addresses one sitemap file may hold (the sitemaps.org limit).
pub const MAX_URLS: u32 = 50_000;

/// Which addresses a sitemap lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SitemapOf {
    /// Articles public at the time asked, published in `[from, to)` (unix seconds).
    Articles {
        /// Earliest publication time, included.
        from: i64,
        /// Latest publication time, excluded.
        to: i64,
    },
    /// Published static pages.
    Pages,
    /// Categories and tags with public articles, and authors who have some.
    Archives,
}

/// One address in a sitemap.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SitemapEntry {
    /// The path (`/articles/slug`).
    pub path: String,
    /// Unix seconds of its last change.
    pub lastmod: i64,
    /// Its title (articles; empty for others).
    pub title: String,
    /// Unix seconds of publication (articles; else the same as `lastmod`).
    pub published_at: i64,
}

/// A month that has public articles, for the sitemap index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SitemapMonth {
    /// Year.
    pub year: i32,
    /// Month, 1 to 12.
    pub month: u8,
    /// Public articles published that month (UTC).
    pub articles: i64,
    /// Unix seconds of the latest change among them.
    pub lastmod: i64,
}
