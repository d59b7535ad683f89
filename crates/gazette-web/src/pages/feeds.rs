//! `/feed`, `/feed/atom` and the feeds of each category, tag, author and article discussion.
//! Cached like the pages they are the feeds of, under the same generations: a new approved
//! comment changes its article's comment feed and the site's at once; a held one changes nothing.

use super::{cached_list, public_base};
use crate::AppState;
use crate::cache::{ATOM, RSS, Rendered};
use crate::error::AppError;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use gazette_core::feeds::{Feed, FeedOf};
use gazette_core::freshness::Shows;
use gazette_render::feeds::{self, Channel};

/// RSS 2.0 or Atom 1.0.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `…/feed`.
    Rss,
    /// `…/feed/atom`.
    Atom,
}

/// `GET /feed`.
pub async fn site_rss(state: State<AppState>, headers: HeaderMap) -> Result<Response, AppError> {
    articles(state, &headers, FeedOf::Site, Format::Rss).await
}

/// `GET /feed/atom`.
pub async fn site_atom(state: State<AppState>, headers: HeaderMap) -> Result<Response, AppError> {
    articles(state, &headers, FeedOf::Site, Format::Atom).await
}

/// `GET /category/{slug}/feed` and the others: which archive, and in which format.
pub async fn category_rss(
    state: State<AppState>,
    headers: HeaderMap,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    articles(state, &headers, FeedOf::Category(slug), Format::Rss).await
}

/// `GET /category/{slug}/feed/atom`.
pub async fn category_atom(
    state: State<AppState>,
    headers: HeaderMap,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    articles(state, &headers, FeedOf::Category(slug), Format::Atom).await
}

/// `GET /tag/{slug}/feed`.
pub async fn tag_rss(
    state: State<AppState>,
    headers: HeaderMap,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    articles(state, &headers, FeedOf::Tag(slug), Format::Rss).await
}

/// `GET /tag/{slug}/feed/atom`.
pub async fn tag_atom(
    state: State<AppState>,
    headers: HeaderMap,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    articles(state, &headers, FeedOf::Tag(slug), Format::Atom).await
}

/// `GET /author/{slug}/feed`.
pub async fn author_rss(
    state: State<AppState>,
    headers: HeaderMap,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    articles(state, &headers, FeedOf::Author(slug), Format::Rss).await
}

/// `GET /author/{slug}/feed/atom`.
pub async fn author_atom(
    state: State<AppState>,
    headers: HeaderMap,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    articles(state, &headers, FeedOf::Author(slug), Format::Atom).await
}

/// `GET /comments/feed`.
pub async fn comments_rss(
    state: State<AppState>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    site_comments(state, &headers, Format::Rss).await
}

/// `GET /comments/feed/atom`.
pub async fn comments_atom(
    state: State<AppState>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    site_comments(state, &headers, Format::Atom).await
}

/// `GET /articles/{slug}/comments/feed`.
pub async fn discussion_rss(
    state: State<AppState>,
    headers: HeaderMap,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    discussion(state, &headers, slug, Format::Rss).await
}

/// `GET /articles/{slug}/comments/feed/atom`.
pub async fn discussion_atom(
    state: State<AppState>,
    headers: HeaderMap,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    discussion(state, &headers, slug, Format::Atom).await
}

async fn articles(
    State(state): State<AppState>,
    headers: &HeaderMap,
    of: FeedOf,
    format: Format,
) -> Result<Response, AppError> {
    let base = public_base(&state, headers);
    let key = format!("feed:{format:?}:{of:?}@{base}");
    cached_list(&state, headers, key, || async {
        let feed = state.site.article_feed(&of, &base).await?;
        Ok(write(&state, &feed, &base, format))
    })
    .await
}

async fn site_comments(
    State(state): State<AppState>,
    headers: &HeaderMap,
    format: Format,
) -> Result<Response, AppError> {
    let base = public_base(&state, headers);
    let key = format!("feed:{format:?}:comments@{base}");
    // Every approval changes the lists' generation (their counts), so this one covers it.
    cached_list(&state, headers, key, || async {
        let feed = state.site.comment_feed(None, &base).await?;
        Ok(write(&state, &feed, &base, format))
    })
    .await
}

async fn discussion(
    State(state): State<AppState>,
    headers: &HeaderMap,
    slug: String,
    format: Format,
) -> Result<Response, AppError> {
    let base = public_base(&state, headers);
    let key = format!("feed:{format:?}:article:{slug}@{base}");
    if let Some(hit) = state.cache.get(&state.site, &key, headers).await? {
        return Ok(hit);
    }
    let era = state.site.stamp(Shows::Lists).await?;
    let article = state.site.public_article(&slug).await?;
    let shows = Shows::Article(article.id);
    let stamp = state.site.stamp(shows).await?;
    let feed = state.site.comment_feed(Some(&article), &base).await?;
    let rendered = write(&state, &feed, &base, format);
    let keep = era.same_era(&stamp) && state.site.stamp(shows).await? == stamp;
    Ok(state.cache.put(key, shows, stamp, keep, rendered, headers))
}

fn write(state: &AppState, feed: &Feed, base: &str, format: Format) -> Rendered {
    let rss_url = format!("{base}{}", feed.feed_path);
    let atom_url = format!("{rss_url}/atom");
    let page_url = format!("{base}{}", feed.page_path);
    let channel = Channel {
        title: &feed.title,
        description: &feed.description,
        page_url: &page_url,
        rss_url: &rss_url,
        atom_url: &atom_url,
        id: &feed.id,
        language: &state.site.config().site.language,
        updated: feed.updated,
        hub: state.site.config().feeds.hub(),
    };
    let rendered = match format {
        Format::Rss => Rendered::new(RSS, feeds::rss(&channel, &feed.entries)),
        Format::Atom => Rendered::new(ATOM, feeds::atom(&channel, &feed.entries)),
    };
    // The entries' own dates cannot say when the feed changed (an approved comment may be days
    // old, an unpublished article leaves no date), so the render time does.
    rendered.modified_at(state.site.now())
}
