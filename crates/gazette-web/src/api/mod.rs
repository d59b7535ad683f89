//! The JSON read API, `/api/v1`. Approved comments only, never an email address; errors come as
//! `{"error": {"status", "code", "message"}}` (see `error::render_errors`).

/// Articles: list and one.
pub mod articles;
/// An article's approved comments, in thread order.
pub mod comments;
/// Comment counts for several articles at once.
pub mod counts;

use serde::Serialize;

/// A page of items with what a client needs to fetch the next.
#[derive(Debug, Serialize)]
pub struct Paged<T> {
    items: Vec<T>,
    page: u32,
    per_page: u32,
    total: i64,
    total_pages: u32,
}

impl<T> Paged<T> {
    /// Wraps items with their paging.
    pub fn new(items: Vec<T>, page: u32, per_page: u32, total: i64) -> Self {
        let pages = (total + i64::from(per_page) - 1) / i64::from(per_page.max(1));
        Self {
            items,
            page,
            per_page,
            total,
            total_pages: u32::try_from(pages.max(1)).unwrap_or(u32::MAX),
        }
    }
}

/// RFC 3339 in UTC for unix seconds.
pub fn timestamp(seconds: i64) -> String {
    jiff::Timestamp::from_second(seconds)
        .map(|t| t.to_string())
        .unwrap_or_default()
}

/// Answers with the cached JSON for `key` if it is still true, or produces, caches and answers it.
/// `produce` runs only on a miss, after the freshness stamp is taken.
pub async fn cached<T: Serialize>(
    state: &crate::AppState,
    headers: &axum::http::HeaderMap,
    key: String,
    shows: gazette_core::freshness::Shows,
    produce: impl std::future::Future<Output = Result<T, crate::error::AppError>>,
) -> Result<axum::response::Response, crate::error::AppError> {
    if let Some(hit) = state.cache.get(&state.site, &key, headers).await? {
        return Ok(hit);
    }
    let stamp = state.site.stamp(shows).await?;
    let value = produce.await?;
    let body = serde_json::to_string(&value)
        .map_err(|e| crate::error::AppError::Internal(format!("encoding JSON: {e}")))?;
    let keep = state.site.stamp(shows).await? == stamp;
    Ok(state.cache.put(
        key,
        shows,
        stamp,
        keep,
        crate::cache::Rendered::new(crate::cache::JSON, body),
        headers,
    ))
}
