use super::cached;
use crate::AppState;
use crate::error::AppError;
use crate::params::Params;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use gazette_core::freshness::Shows;
use gazette_domain::ArticleId;
use serde::Serialize;
use std::collections::BTreeMap;

/// The most articles one request may ask about.
const IDS_MAX: usize = 100;

/// Approved-comment counts by article id; unknown or unpublished ids are left out.
#[derive(Debug, Serialize)]
pub struct Counts {
    counts: BTreeMap<String, i64>,
}

/// `GET /api/v1/counts?articles=1,2,3`.
pub async fn counts(
    State(state): State<AppState>,
    headers: HeaderMap,
    query: Result<Query<Params>, QueryRejection>,
) -> Result<Response, AppError> {
    let params = Params::from_query(query)?;
    let raw = params.articles.unwrap_or_default();
    let mut ids = Vec::new();
    for part in raw.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        match part.parse::<i64>() {
            Ok(id) if id > 0 => ids.push(ArticleId(id)),
            _ => {
                return Err(AppError::BadRequest(format!(
                    "articles must be comma-separated article ids, like articles=1,2,3; {part:?} is not one."
                )));
            }
        }
    }
    if ids.is_empty() {
        return Err(AppError::BadRequest(
            "Give the articles to count, like ?articles=1,2,3.".into(),
        ));
    }
    if ids.len() > IDS_MAX {
        return Err(AppError::BadRequest(format!(
            "Ask about at most {IDS_MAX} articles at once."
        )));
    }
    ids.sort();
    ids.dedup();
    let key = format!(
        "api:counts:{}",
        ids.iter()
            .map(|id| id.0.to_string())
            .collect::<Vec<_>>()
            .join(",")
    );
    cached(&state, &headers, key, Shows::Lists, async {
        let counts = state
            .site
            .comment_counts(&ids)
            .await?
            .into_iter()
            .map(|(id, n)| (id.0.to_string(), n))
            .collect();
        Ok(Counts { counts })
    })
    .await
}
