use super::{SiteContext, render_html};
use crate::AppState;
use crate::cache::Rendered;
use crate::error::AppError;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use gazette_core::freshness::Shows;
use gazette_domain::Correction;
use serde::Serialize;

/// How many corrections `/corrections` lists.
const LISTED: i64 = 100;

#[derive(Serialize)]
struct Item {
    correction: Correction,
    slug: String,
    title: String,
}

#[derive(Serialize)]
struct CorrectionsPage {
    #[serde(flatten)]
    site: SiteContext,
    corrections: Vec<Item>,
}

/// `GET /corrections`: the latest corrections of public articles, newest first. Cached like the
/// lists (a correction changes everything: its article, feeds and this page).
pub async fn corrections(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let key = "corrections".to_owned();
    if let Some(hit) = state.cache.get(&state.site, &key, &headers).await? {
        return Ok(hit);
    }
    let stamp = state.site.stamp(Shows::Lists).await?;
    let corrections = state
        .site
        .recent_corrections(LISTED)
        .await?
        .into_iter()
        .map(|(correction, slug, title)| Item {
            correction,
            slug,
            title,
        })
        .collect();
    let site = SiteContext::new(
        &state,
        "Corrections",
        "The latest corrections to our reporting",
        Some("/corrections"),
    )
    .await?;
    let html = render_html(
        &state,
        "corrections.html",
        &CorrectionsPage { site, corrections },
    )?;
    let keep = state.site.stamp(Shows::Lists).await? == stamp;
    Ok(state.cache.put(
        key,
        Shows::Lists,
        stamp,
        keep,
        Rendered::html(html),
        &headers,
    ))
}
