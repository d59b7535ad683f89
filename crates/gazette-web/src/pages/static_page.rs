use super::{SiteContext, cached_list, render_html};
use crate::AppState;
use crate::error::AppError;
use crate::pages::moved::moved_permanently;
use crate::params::Params;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use gazette_core::reading::DateArchive;
use gazette_domain::{Crumb, StaticPage};
use serde::Serialize;

#[derive(Debug, Serialize)]
struct PageView<'a> {
    #[serde(flatten)]
    site: SiteContext,
    page: &'a StaticPage,
    trail: &'a [Crumb],
}

/// `GET /{slug}`: a published static page, with its parents as a breadcrumb. Cached like the
/// archives (any save of a page or article makes it stale).
pub async fn static_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    // `/2026`: a year's archive lives at `/2026/` (no page has a slug of digits).
    if let Some(year) = DateArchive::parse(&slug, None, None) {
        return Ok(moved_permanently(&year.path()));
    }
    let key = format!("page:{slug}");
    cached_list(&state, &headers, key, || async {
        let (page, trail) = state.site.public_page(&slug).await?;
        let description = gazette_render::excerpt_of_html(&page.body_html, 30);
        let path = format!("/{}", page.slug);
        let mut site = SiteContext::new(&state, &page.title, &description, Some(&path)).await?;
        // Like the visible breadcrumb, only under a parent.
        if !trail.is_empty() {
            let mut crumbs: Vec<(String, String)> = trail
                .iter()
                .filter(|c| c.public)
                .map(|c| (c.title.clone(), format!("/{}", c.slug)))
                .collect();
            crumbs.push((page.title.clone(), path.clone()));
            site = site.with_breadcrumbs(&state, crumbs);
        }
        let view = PageView {
            site,
            page: &page,
            trail: &trail,
        };
        Ok(crate::cache::Rendered::html(render_html(
            &state,
            "page.html",
            &view,
        )?))
    })
    .await
}

/// `GET /{slug}/`: WordPress's page addresses end in a slash; a published page answers at the
/// address without it. Anything else is a 404 (which consults the redirects). `/2026/` is the
/// year's archive.
pub async fn static_page_with_slash(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(slug): Path<String>,
    query: Result<Query<Params>, QueryRejection>,
) -> Result<Response, AppError> {
    if slug.bytes().all(|b| b.is_ascii_digit()) {
        let year = DateArchive::parse(&slug, None, None);
        return super::archive::dated(State(state), &headers, year, query).await;
    }
    let (page, _) = state.site.public_page(&slug).await?;
    Ok(moved_permanently(&format!("/{}", page.slug)))
}
