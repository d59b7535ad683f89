use super::{SiteContext, cached_list, render_list};
use crate::AppState;
use crate::cache::Rendered;
use crate::error::AppError;
use crate::params::Params;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::Response;

/// `GET /`: the latest articles, paginated with `?page=N`. Served from the page cache.
pub async fn front_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    uri: axum::http::Uri,
    query: Result<Query<Params>, QueryRejection>,
) -> Result<Response, AppError> {
    // `/?p=12`: an imported WordPress site's old address of an item.
    if let Some(old) = uri.query()
        && let Some(target) = state.site.moved_query(old).await?
    {
        return Ok(super::moved::moved_permanently(&target));
    }
    let page = Params::from_query(query)?.page()?;
    let key = format!("front:{page}");
    cached_list(&state, &headers, key, || async {
        let articles = state.site.front_page(page).await?;
        let title = if page > 1 {
            format!("Page {page}")
        } else {
            String::new()
        };
        let tagline = state.site.settings().await?.tagline.clone();
        let path = if page > 1 {
            format!("/?page={page}")
        } else {
            "/".to_owned()
        };
        let site = SiteContext::new(&state, &title, &tagline, Some(&path))
            .await?
            .with_website(&state);
        Ok(Rendered::html(render_list(
            &state, site, None, &articles, "/",
        )?))
    })
    .await
}
