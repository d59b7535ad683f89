use super::{SiteContext, cached_list, render_html};
use crate::AppState;
use crate::cache::Rendered;
use crate::error::AppError;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
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
    cached_list(&state, &headers, "corrections".to_owned(), || async {
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
        let page = CorrectionsPage { site, corrections };
        Ok(Rendered::html(render_html(
            &state,
            "corrections.html",
            &page,
        )?))
    })
    .await
}
