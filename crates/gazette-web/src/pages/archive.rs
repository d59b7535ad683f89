use super::{SiteContext, cached_list, render_list};
use crate::AppState;
use crate::error::AppError;
use crate::params::Params;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use gazette_core::reading::{Archive, DateArchive};

/// `GET /category/{slug}`.
pub async fn category(
    state: State<AppState>,
    headers: HeaderMap,
    Path(slug): Path<String>,
    query: Result<Query<Params>, QueryRejection>,
) -> Result<Response, AppError> {
    let base = format!("/category/{slug}");
    archive(state, &headers, Archive::Category(slug), query, base).await
}

/// `GET /tag/{slug}`.
pub async fn tag(
    state: State<AppState>,
    headers: HeaderMap,
    Path(slug): Path<String>,
    query: Result<Query<Params>, QueryRejection>,
) -> Result<Response, AppError> {
    let base = format!("/tag/{slug}");
    archive(state, &headers, Archive::Tag(slug), query, base).await
}

/// `GET /author/{slug}`.
pub async fn author(
    state: State<AppState>,
    headers: HeaderMap,
    Path(slug): Path<String>,
    query: Result<Query<Params>, QueryRejection>,
) -> Result<Response, AppError> {
    let base = format!("/author/{slug}");
    archive(state, &headers, Archive::Author(slug), query, base).await
}

/// `GET /{year}/{month}/`: a month's articles, in the site's time zone.
pub async fn month(
    state: State<AppState>,
    headers: HeaderMap,
    Path((year, month)): Path<(String, String)>,
    query: Result<Query<Params>, QueryRejection>,
) -> Result<Response, AppError> {
    dated(
        state,
        &headers,
        DateArchive::parse(&year, Some(&month), None),
        query,
    )
    .await
}

/// `GET /{year}/{month}/{day}/`: a day's articles.
pub async fn day(
    state: State<AppState>,
    headers: HeaderMap,
    Path((year, month, day)): Path<(String, String, String)>,
    query: Result<Query<Params>, QueryRejection>,
) -> Result<Response, AppError> {
    let date = DateArchive::parse(&year, Some(&month), Some(&day));
    dated(state, &headers, date, query).await
}

/// A year, month or day archive; anything that is not a date is not found (and may have
/// moved: an old permalink).
pub async fn dated(
    state: State<AppState>,
    headers: &HeaderMap,
    date: Option<DateArchive>,
    query: Result<Query<Params>, QueryRejection>,
) -> Result<Response, AppError> {
    let Some(date) = date else {
        return Err(AppError::NotFound(
            "There is nothing at this address.".into(),
        ));
    };
    let base = date.path();
    archive(state, headers, Archive::Date(date), query, base).await
}

async fn archive(
    State(state): State<AppState>,
    headers: &HeaderMap,
    archive: Archive,
    query: Result<Query<Params>, QueryRejection>,
    base: String,
) -> Result<Response, AppError> {
    let page = Params::from_query(query)?.page()?;
    let key = format!("{base}?{page}");
    cached_list(&state, headers, key, || async {
        let found = state.site.archive(&archive, page).await?;
        let title = if page > 1 {
            format!("{} – page {page}", found.name)
        } else {
            found.name.clone()
        };
        let description = match archive {
            Archive::Date(_) => format!("Articles published in {}", found.name),
            _ => format!("Articles filed under {}", found.name),
        };
        let path = if page > 1 {
            format!("{base}?page={page}")
        } else {
            base.clone()
        };
        let mut site = SiteContext::new(&state, &title, &description, Some(&path))
            .await?
            .with_breadcrumbs(&state, vec![(found.name.clone(), base.clone())]);
        // Categories, tags and authors have feeds; dates do not.
        if !matches!(archive, Archive::Date(_)) {
            site = site.with_feed(
                &format!("{} {} Feed", found.name, found.kind),
                &format!("{base}/feed"),
            );
        }
        let html = render_list(
            &state,
            site,
            Some((found.kind, &found.name)),
            &found.articles,
            &base,
        )?;
        Ok(crate::cache::Rendered::html(html))
    })
    .await
}
