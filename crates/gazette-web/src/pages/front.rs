use super::{SiteContext, render_list};
use crate::AppState;
use crate::error::AppError;
use crate::params::Params;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::response::Response;

/// `GET /`: the latest articles, paginated with `?page=N`.
pub async fn front_page(
    State(state): State<AppState>,
    query: Result<Query<Params>, QueryRejection>,
) -> Result<Response, AppError> {
    let page = Params::from_query(query)?.page()?;
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
    let site = SiteContext::new(&state, &title, &tagline, Some(&path)).await?;
    render_list(&state, site, None, &articles, "/")
}
