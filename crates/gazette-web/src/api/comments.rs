use super::articles::parse_id;
use super::{Paged, cached, timestamp};
use crate::AppState;
use crate::error::AppError;
use crate::params::Params;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use gazette_core::freshness::Shows;
use gazette_domain::Comment;
use serde::Serialize;

/// The most comments one API page holds.
const PER_PAGE_MAX: u32 = 1000;

/// A public comment. There is no email field: the domain type it comes from has none.
#[derive(Debug, Serialize)]
pub struct CommentJson {
    id: i64,
    parent_id: Option<i64>,
    depth: u32,
    author_name: String,
    author_url: Option<String>,
    avatar_url: String,
    body_html: String,
    created_at: String,
    url: String,
}

/// `GET /api/v1/articles/{id}/comments?page=N&per_page=M`: approved comments in thread order
/// (each reply right after its parent, with `parent_id` and `depth` to nest them).
pub async fn list(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    query: Result<Query<Params>, QueryRejection>,
) -> Result<Response, AppError> {
    let params = Params::from_query(query)?;
    let page = params.page()?;
    let default_per_page = state.site.settings().await?.comments_per_page;
    let per_page = params.per_page(default_per_page, PER_PAGE_MAX)?;
    let id = parse_id(&id)?;
    let key = format!("api:comments:{}:{page}:{per_page}", id.0);
    cached(&state, &headers, key, Shows::Article(id), async {
        let article = state.site.public_article_by_id(id).await?;
        let comments = state
            .site
            .approved_comments(&article, page, per_page)
            .await?;
        let items: Vec<CommentJson> = comments
            .into_iter()
            .map(|c| comment_json(c, &article.slug))
            .collect();
        Ok(Paged::new(items, page, per_page, article.comment_count))
    })
    .await
}

fn comment_json(c: Comment, slug: &str) -> CommentJson {
    CommentJson {
        id: c.id.0,
        parent_id: c.parent_id.map(|p| p.0),
        depth: c.depth,
        url: format!("/articles/{slug}#comment-{}", c.id.0),
        author_name: c.author_name,
        author_url: c.author_url,
        avatar_url: format!("/avatar/{}.svg", c.avatar),
        body_html: c.body_html,
        created_at: timestamp(c.created_at),
    }
}
