//! `/search`: the readers' search of the archive, with filters, pages and highlighted passages.

use super::{Pagination, SiteContext, cached_list, render_html};
use crate::AppState;
use crate::cache::Rendered;
use crate::error::AppError;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use gazette_core::searching::{MAX_PAGES, SearchRequest, SearchResults};
use gazette_domain::search::{MAX_RESULTS, MAX_TERMS};
use gazette_domain::{AuthorRef, Term};
use serde::{Deserialize, Serialize};

/// What the search form sends. Read as text, so a bad value gets a message naming it.
#[derive(Debug, Default, Deserialize)]
pub struct SearchParams {
    q: Option<String>,
    category: Option<String>,
    from: Option<String>,
    to: Option<String>,
    page: Option<String>,
}

#[derive(Serialize)]
struct Hit {
    slug: String,
    /// Escaped, with `<mark>` around the matched words.
    title_html: String,
    snippet_html: String,
    authors: Vec<AuthorRef>,
    published_at: i64,
    comment_count: i64,
}

#[derive(Serialize)]
struct SearchPage<'a> {
    #[serde(flatten)]
    site: SiteContext,
    robots: &'static str,
    q: &'a str,
    category: &'a str,
    from: &'a str,
    to: &'a str,
    categories: &'a [Term],
    /// Whether a search ran (there were words to look for).
    searched: bool,
    hits: Vec<Hit>,
    total: i64,
    /// More than `total` match: only the newest `MAX_RESULTS` are ranked.
    more: bool,
    truncated: bool,
    max_terms: usize,
    filtered: bool,
    /// The same words without the filters, for "no results".
    unfiltered_href: String,
    error: Option<String>,
    pagination: Option<Pagination>,
}

/// The page's address with these values (empty ones left out).
fn href(request: &SearchRequest, page: u32) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    for (name, value) in [
        ("q", request.q.as_str()),
        ("category", request.category.as_str()),
        ("from", request.from.as_str()),
        ("to", request.to.as_str()),
    ] {
        if !value.trim().is_empty() {
            query.append_pair(name, value.trim());
        }
    }
    if page > 1 {
        query.append_pair("page", &page.to_string());
    }
    format!("/search?{}", query.finish())
}

/// `GET /search?q=…&category=…&from=YYYY-MM-DD&to=YYYY-MM-DD&page=N`. Results are cached like
/// the lists (any published change renders them again); a page with an error is not.
pub async fn search(
    State(state): State<AppState>,
    headers: HeaderMap,
    query: Result<Query<SearchParams>, QueryRejection>,
) -> Result<Response, AppError> {
    let Query(params) = query.map_err(|e| {
        AppError::BadRequest(format!(
            "The search's address could not be read: {}",
            e.body_text()
        ))
    })?;
    let page = crate::params::number(params.page.as_deref(), "page", 1, MAX_PAGES)?;
    let request = SearchRequest {
        q: params.q.unwrap_or_default(),
        category: params.category.unwrap_or_default(),
        from: params.from.unwrap_or_default(),
        to: params.to.unwrap_or_default(),
        page,
    };
    let key = format!("search\u{1f}{}", href(&request, page));
    let found = cached_list(&state, &headers, key, || async {
        let results = state.site.search(&request).await?;
        let page = render(&state, &request, Ok(&results)).await?;
        Ok(Rendered::html(page))
    })
    .await;
    match found {
        Ok(response) => Ok(response),
        Err(AppError::BadRequest(message)) => {
            error_page(&state, &request, StatusCode::BAD_REQUEST, message).await
        }
        Err(AppError::Busy(message)) => {
            error_page(&state, &request, StatusCode::SERVICE_UNAVAILABLE, message).await
        }
        Err(other) => Err(other),
    }
}

/// The search page with the form as the reader filled it and what was wrong.
async fn error_page(
    state: &AppState,
    request: &SearchRequest,
    status: StatusCode,
    message: String,
) -> Result<Response, AppError> {
    let html = render(state, request, Err(message)).await?;
    Ok((
        status,
        [(axum::http::header::CONTENT_TYPE, "text/html; charset=utf-8")],
        html,
    )
        .into_response())
}

async fn render(
    state: &AppState,
    request: &SearchRequest,
    results: Result<&SearchResults, String>,
) -> Result<String, AppError> {
    let q = request.q.trim();
    let title = if q.is_empty() {
        "Search".to_owned()
    } else {
        format!("Search results for “{q}”")
    };
    let site = SiteContext::new(state, &title, "Search the archive", None).await?;
    let (results, error) = match results {
        Ok(results) => (Some(results), None),
        Err(message) => (None, Some(message)),
    };
    let navigation;
    let categories: &[Term] = match results {
        Some(r) => &r.categories,
        None => {
            navigation = state.site.navigation().await.unwrap_or_default();
            &navigation
        }
    };
    let hits = results
        .map(|r| {
            r.hits
                .items
                .iter()
                .map(|hit| Hit {
                    slug: hit.article.slug.clone(),
                    title_html: gazette_render::marked_html(&hit.title_marked),
                    snippet_html: gazette_render::marked_html(&hit.snippet_marked),
                    authors: hit.article.authors.clone(),
                    published_at: hit.article.published_at,
                    comment_count: hit.article.comment_count,
                })
                .collect()
        })
        .unwrap_or_default();
    let pagination = results.map(|r| {
        let ranked = gazette_domain::Page::<()> {
            items: Vec::new(),
            page: r.hits.page,
            per_page: r.hits.per_page,
            total: r.hits.total.min(MAX_RESULTS),
        };
        let total_pages = ranked.total_pages().min(MAX_PAGES);
        Pagination::new(r.hits.page, total_pages, |p| href(request, p))
    });
    let unfiltered = SearchRequest {
        q: request.q.clone(),
        ..Default::default()
    };
    let page = SearchPage {
        site,
        robots: "noindex, follow",
        q,
        category: request.category.trim(),
        from: request.from.trim(),
        to: request.to.trim(),
        categories,
        searched: results.is_some_and(|r| !r.terms.is_empty()),
        hits,
        total: results.map_or(0, |r| r.hits.total.min(MAX_RESULTS)),
        more: results.is_some_and(|r| r.hits.total > MAX_RESULTS),
        truncated: results.is_some_and(|r| r.terms.truncated),
        max_terms: MAX_TERMS,
        filtered: !(request.category.trim().is_empty()
            && request.from.trim().is_empty()
            && request.to.trim().is_empty()),
        unfiltered_href: href(&unfiltered, 1),
        error,
        pagination,
    };
    render_html(state, "search.html", &page)
}
