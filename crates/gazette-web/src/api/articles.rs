use super::{Paged, cached, timestamp};
use crate::AppState;
use crate::error::AppError;
use crate::params::Params;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use gazette_core::freshness::Shows;
use gazette_domain::{Article, ArticleId, ArticleSummary, Term};
use serde::Serialize;

#[derive(Debug, Serialize)]
struct AuthorJson {
    name: String,
    slug: String,
    url: String,
}

impl From<&gazette_domain::AuthorRef> for AuthorJson {
    fn from(a: &gazette_domain::AuthorRef) -> Self {
        Self {
            url: format!("/author/{}", a.slug),
            name: a.name.clone(),
            slug: a.slug.clone(),
        }
    }
}

/// A featured image: its largest stored size, and every size for `srcset`.
#[derive(Debug, Serialize)]
struct ImageJson {
    url: String,
    width: Option<i64>,
    height: Option<i64>,
    srcset: String,
    alt_text: String,
    caption: String,
    credit: String,
}

impl ImageJson {
    fn of(media: Option<&gazette_domain::Media>) -> Option<Self> {
        let media = media.filter(|m| m.is_image())?;
        let (url, width, height) = media.largest();
        Some(Self {
            url,
            width,
            height,
            srcset: media.srcset(),
            alt_text: media.alt_text.clone(),
            caption: media.caption.clone(),
            credit: media.credit.clone(),
        })
    }
}

/// An article in a list.
#[derive(Debug, Serialize)]
pub struct ArticleSummaryJson {
    id: i64,
    slug: String,
    title: String,
    url: String,
    excerpt: String,
    /// The first author (kept for clients written before `authors`).
    author: AuthorJson,
    /// Everyone in the byline, in order.
    authors: Vec<AuthorJson>,
    featured_image: Option<ImageJson>,
    published_at: String,
    comment_count: i64,
}

impl From<ArticleSummary> for ArticleSummaryJson {
    fn from(a: ArticleSummary) -> Self {
        Self {
            id: a.id.0,
            url: format!("/articles/{}", a.slug),
            slug: a.slug,
            title: a.title,
            excerpt: a.excerpt,
            author: AuthorJson::from(&a.author),
            authors: a.authors.iter().map(AuthorJson::from).collect(),
            featured_image: ImageJson::of(a.image.as_ref()),
            published_at: timestamp(a.published_at),
            comment_count: a.comment_count,
        }
    }
}

/// A whole article.
#[derive(Debug, Serialize)]
pub struct ArticleJson {
    id: i64,
    slug: String,
    title: String,
    url: String,
    excerpt: String,
    body_html: String,
    /// The first author (kept for clients written before `authors`).
    author: AuthorJson,
    /// Everyone in the byline, in order.
    authors: Vec<AuthorJson>,
    featured_image: Option<ImageJson>,
    published_at: String,
    updated_at: String,
    categories: Vec<Term>,
    tags: Vec<Term>,
    comment_count: i64,
    comments_open: bool,
}

/// `GET /api/v1/articles?page=N`: published articles, newest first.
pub async fn list(
    State(state): State<AppState>,
    headers: HeaderMap,
    query: Result<Query<Params>, QueryRejection>,
) -> Result<Response, AppError> {
    let page = Params::from_query(query)?.page()?;
    cached(
        &state,
        &headers,
        format!("api:articles:{page}"),
        Shows::Lists,
        async {
            let articles = state.site.front_page(page).await?;
            let (per_page, total) = (articles.per_page, articles.total);
            let items: Vec<ArticleSummaryJson> = articles
                .items
                .into_iter()
                .map(ArticleSummaryJson::from)
                .collect();
            Ok(Paged::new(items, page, per_page, total))
        },
    )
    .await
}

/// `GET /api/v1/articles/{id}`: one published article.
pub async fn show(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    cached(
        &state,
        &headers,
        format!("api:article:{}", id.0),
        Shows::Article(id),
        async {
            let article = state.site.public_article_by_id(id).await?;
            let comments_open = state.site.accepts_comments(&article).await?;
            Ok(article_json(article, comments_open))
        },
    )
    .await
}

fn article_json(a: Article, comments_open: bool) -> ArticleJson {
    ArticleJson {
        id: a.id.0,
        url: format!("/articles/{}", a.slug),
        slug: a.slug,
        title: a.title,
        excerpt: a.excerpt,
        body_html: a.body_html,
        author: AuthorJson::from(&a.author),
        authors: a.authors.iter().map(AuthorJson::from).collect(),
        featured_image: ImageJson::of(a.featured_image.as_ref()),
        published_at: timestamp(a.published_at.unwrap_or_default()),
        updated_at: timestamp(a.updated_at),
        categories: a.categories,
        tags: a.tags,
        comment_count: a.comment_count,
        comments_open,
    }
}

/// An article id from the path, or a 400 that says what an id looks like.
pub fn parse_id(text: &str) -> Result<ArticleId, AppError> {
    text.parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .map(ArticleId)
        .ok_or_else(|| {
            AppError::BadRequest(format!(
                "{text:?} is not an article id; ids are positive whole numbers."
            ))
        })
}
