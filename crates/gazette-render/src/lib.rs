//! Turning stored content into what readers receive: Markdown rendered then sanitised with an
//! allow-list, page templates, and the identicons that stand in for commenters' faces.

/// Limits on nesting and element counts that keep rendering cheap for any input.
pub mod bounds;
/// Date and time formatting for templates.
mod dates;
/// RSS and Atom documents.
pub mod feeds;
/// Identicons drawn from a keyed hash.
pub mod identicon;
/// Uploaded images: checked, stripped of metadata and resized.
pub mod images;
/// Markdown to sanitised HTML for articles and comments, and plain-text excerpts.
pub mod markdown;
/// Sitemaps and the News sitemap.
pub mod sitemaps;
/// The page templates: embedded defaults, overridable from a folder.
pub mod templates;

pub use ammonia::Url;
pub use markdown::{
    AbsoluteLinks, clean_article_html, clean_comment_html, escape_text, excerpt, excerpt_of_html,
    marked_html, render_article, render_body, render_comment, text_of_html,
};
pub use templates::{RenderError, Templates};
