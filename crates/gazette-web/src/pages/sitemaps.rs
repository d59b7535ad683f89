//! `/sitemap.xml` (an index), `/sitemaps/{file}`, `/sitemap-news.xml` and `/robots.txt`.
//! Cached like the lists: publishing, editing or removing an article makes them stale.

use super::{cached_list, public_base};
use crate::AppState;
use crate::cache::{Rendered, XML};
use crate::error::AppError;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use gazette_core::sitemaps::SitemapFile;
use gazette_render::sitemaps::{self, NewsStory, Url};

/// An XML document, cached like the lists.
async fn cached<F, Fut>(
    state: &AppState,
    headers: &HeaderMap,
    key: String,
    render: F,
) -> Result<Response, AppError>
where
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = Result<String, AppError>>,
{
    cached_list(state, headers, key, || async {
        Ok(Rendered::new(XML, render().await?).modified_at(state.site.now()))
    })
    .await
}

/// `GET /sitemap.xml`: every sitemap file.
pub async fn index(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let base = public_base(&state, &headers);
    let key = format!("sitemap:index@{base}");
    cached(&state, &headers, key, || async {
        let files = state.site.sitemap_index().await?;
        let urls: Vec<Url> = files
            .iter()
            .map(|entry| Url {
                loc: format!("{base}{}", entry.file.path()),
                lastmod: entry.lastmod,
            })
            .collect();
        Ok(sitemaps::index(&urls))
    })
    .await
}

/// `GET /sitemaps/{file}`: one month's articles, the pages, or the archives.
pub async fn file(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(name): Path<String>,
) -> Result<Response, AppError> {
    let Some(file) = SitemapFile::parse(&name) else {
        return Err(AppError::NotFound("There is no such sitemap.".into()));
    };
    let base = public_base(&state, &headers);
    let key = format!("sitemap:{}@{base}", file.path());
    cached(&state, &headers, key, || async {
        let entries = state.site.sitemap_file(file).await?;
        let urls: Vec<Url> = entries
            .iter()
            .map(|entry| Url {
                loc: format!("{base}{}", entry.path),
                lastmod: Some(entry.lastmod),
            })
            .collect();
        Ok(sitemaps::urlset(&urls))
    })
    .await
}

/// `GET /sitemap-news.xml`: the stories of the last two days, for Google News.
pub async fn news(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, AppError> {
    let base = public_base(&state, &headers);
    let key = format!("sitemap:news@{base}");
    cached(&state, &headers, key, || async {
        let entries = state.site.news_sitemap().await?;
        let stories: Vec<NewsStory> = entries
            .into_iter()
            .map(|entry| NewsStory {
                loc: format!("{base}{}", entry.path),
                title: entry.title,
                published: entry.published_at,
            })
            .collect();
        let name = state.site.settings().await?.title.clone();
        Ok(sitemaps::news(
            &stories,
            &name,
            &state.site.config().site.language,
        ))
    })
    .await
}

/// `GET /robots.txt`: the newsroom, the API and search results are not for crawlers; the
/// sitemaps are named.
pub async fn robots(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let base = public_base(&state, &headers);
    let body = format!(
        "User-agent: *\n\
         Disallow: /admin\n\
         Disallow: /api/\n\
         Disallow: /*?replytocom=\n\
         Disallow: /articles/*/live\n\
         Disallow: /search\n\
         \n\
         Sitemap: {base}/sitemap.xml\n\
         Sitemap: {base}/sitemap-news.xml\n"
    );
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; charset=utf-8"),
        )],
        body,
    )
        .into_response()
}
