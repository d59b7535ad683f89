//! Pages readers see. Each handler gathers what its template needs from the core and renders it.

/// Category, tag and author archives.
pub mod archive;
/// The article page with its discussion and comment form.
pub mod article;
/// `/corrections`.
pub mod corrections;
/// RSS and Atom feeds.
pub mod feeds;
/// The front page.
pub mod front;
/// Structured data and social tags.
pub mod metadata;
/// The 301 that old addresses (an imported site's permalinks) answer with.
pub mod moved;
/// `/search`.
pub mod search;
/// Sitemaps and robots.txt.
pub mod sitemaps;
/// Static pages: `/about`.
pub mod static_page;
/// Posting the comment form.
pub mod submit;

use crate::AppState;
use crate::error::AppError;

use gazette_domain::{ArticleSummary, Page, Term};
use serde::Serialize;

/// What every page's layout needs.
#[derive(Debug, Serialize)]
pub struct SiteContext {
    site: SiteInfo,
    nav: Vec<Term>,
    page_title: String,
    description: String,
    canonical: Option<String>,
    asset_version: &'static str,
    /// Feeds announced with `<link rel="alternate">`: the site's, its comments', and the page's own.
    feeds: Vec<FeedLink>,
    /// schema.org JSON-LD documents, already escaped for a script element.
    json_ld: Vec<String>,
    /// Open Graph tags beyond the layout's own.
    og_tags: Vec<metadata::MetaTag>,
    /// The page's image (absolute), for `og:image` and `twitter:image`.
    og_image: Option<String>,
    /// `summary` or `summary_large_image`.
    twitter_card: &'static str,
}

/// A feed a page announces.
#[derive(Debug, Serialize)]
struct FeedLink {
    title: String,
    href: String,
    kind: &'static str,
}

#[derive(Debug, Serialize)]
struct SiteInfo {
    title: String,
    tagline: String,
    language: String,
}

impl SiteContext {
    /// The layout's context for a page titled `page_title` (empty for the front page).
    pub async fn new(
        state: &AppState,
        page_title: &str,
        description: &str,
        path: Option<&str>,
    ) -> Result<Self, AppError> {
        let settings = state.site.settings().await?;
        let mut context = Self::without_navigation(state, page_title);
        context.site.title = settings.title.clone();
        context.site.tagline = settings.tagline.clone();
        context.nav = state.site.navigation().await?;
        context.description = description.to_owned();
        context.canonical = path.map(|p| {
            format!(
                "{}{p}",
                state.site.config().site.base_url.trim_end_matches('/')
            )
        });
        Ok(context)
    }

    /// The layout's context without reading the database (for error pages).
    pub fn without_navigation(state: &AppState, page_title: &str) -> Self {
        let config = &state.site.config().site;
        let settings = state.site.cached_settings();
        Self {
            site: SiteInfo {
                title: settings.title.clone(),
                tagline: settings.tagline.clone(),
                language: config.language.clone(),
            },
            nav: Vec::new(),
            page_title: page_title.to_owned(),
            description: String::new(),
            canonical: None,
            asset_version: crate::assets::asset_version(),
            json_ld: Vec::new(),
            og_tags: Vec::new(),
            og_image: None,
            twitter_card: "summary",
            feeds: vec![
                FeedLink {
                    title: format!("{} » Feed", settings.title),
                    href: "/feed".into(),
                    kind: "application/rss+xml",
                },
                FeedLink {
                    title: format!("{} » Comments Feed", settings.title),
                    href: "/comments/feed".into(),
                    kind: "application/rss+xml",
                },
            ],
        }
    }

    /// Adds a JSON-LD document (from [`metadata`]).
    pub fn with_json_ld(mut self, json: String) -> Self {
        self.json_ld.push(json);
        self
    }

    /// Adds `BreadcrumbList` JSON-LD: the front page (under the site's title), then `trail`
    /// (name, path), the last being this page.
    pub fn with_breadcrumbs(self, state: &AppState, trail: Vec<(String, String)>) -> Self {
        let mut crumbs = vec![(self.site.title.clone(), "/".to_owned())];
        crumbs.extend(trail);
        let json = metadata::breadcrumbs(&Self::configured_base(state), &crumbs);
        self.with_json_ld(json)
    }

    /// Adds the front page's `WebSite` JSON-LD.
    pub fn with_website(self, state: &AppState) -> Self {
        let json = metadata::website(
            &self.site.title,
            &Self::configured_base(state),
            &self.site.tagline,
        );
        self.with_json_ld(json)
    }

    /// Adds an article's structured data and social tags.
    pub fn with_article(mut self, meta: metadata::ArticleMeta) -> Self {
        self.json_ld.push(meta.json_ld);
        self.og_tags = meta.tags;
        self.og_image = meta.image;
        self.twitter_card = meta.twitter_card;
        self
    }

    /// The site's configured address for absolute links in cached pages ("" when unset: the
    /// page is shared by every host it is asked under, so the request's is not used).
    pub fn configured_base(state: &AppState) -> String {
        state
            .site
            .config()
            .site
            .base_url
            .trim_end_matches('/')
            .to_owned()
    }

    /// Announces this page's own feed at `path` (RSS; its Atom twin at `path/atom`).
    pub fn with_feed(mut self, title: &str, path: &str) -> Self {
        let title = format!("{} » {title}", self.site.title);
        self.feeds.push(FeedLink {
            title: title.clone(),
            href: path.to_owned(),
            kind: "application/rss+xml",
        });
        self.feeds.push(FeedLink {
            title: format!("{title} (Atom)"),
            href: format!("{path}/atom"),
            kind: "application/atom+xml",
        });
        self
    }
}

/// The site's address for absolute links (feeds, sitemaps, structured data): `site.base_url`,
/// or on a site that has not set it, `http://` and the request's `Host` when it is a plain host
/// name that parses as one (anything else gives `http://localhost`). No trailing slash.
pub fn public_base(state: &AppState, headers: &axum::http::HeaderMap) -> String {
    let configured = state.site.config().site.base_url.trim_end_matches('/');
    if !configured.is_empty() {
        return configured.to_owned();
    }
    let host = headers
        .get(axum::http::header::HOST)
        .and_then(|v| v.to_str().ok())
        .filter(|h| {
            h.len() <= 255
                && h
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b))
                // A host the URL parser refuses (`[`, `a:b:c`) would make no link at all.
                && gazette_render::Url::parse(&format!("http://{h}/"))
                    .is_ok_and(|u| u.host_str().is_some())
        })
        .unwrap_or("localhost");
    format!("http://{}", host.to_ascii_lowercase())
}

/// Previous/next links for a paginated list.
#[derive(Debug, Serialize)]
pub struct Pagination {
    page: u32,
    total_pages: u32,
    prev: Option<String>,
    next: Option<String>,
}

impl Pagination {
    /// Links built by `url(page)` around `page` of `total_pages`.
    pub fn new(page: u32, total_pages: u32, url: impl Fn(u32) -> String) -> Self {
        Self {
            page,
            total_pages,
            prev: (page > 1).then(|| url(page - 1)),
            next: (page < total_pages).then(|| url(page + 1)),
        }
    }
}

/// A list of articles (front page or an archive).
#[derive(Debug, Serialize)]
struct ListPage<'a> {
    #[serde(flatten)]
    site: SiteContext,
    heading: Option<&'a str>,
    heading_kind: Option<&'a str>,
    articles: &'a [ArticleSummary],
    pagination: Pagination,
    empty_message: &'a str,
}

/// Renders a list page of `articles` whose pages live at `base` (`?page=N` appended).
fn render_list(
    state: &AppState,
    site: SiteContext,
    heading: Option<(&str, &str)>,
    articles: &Page<ArticleSummary>,
    base: &str,
) -> Result<String, AppError> {
    let pagination = Pagination::new(articles.page, articles.total_pages(), |p| {
        if p == 1 {
            base.to_owned()
        } else {
            format!("{base}?page={p}")
        }
    });
    let page = ListPage {
        site,
        heading: heading.map(|(_, name)| name),
        heading_kind: heading.map(|(kind, _)| kind),
        articles: &articles.items,
        pagination,
        empty_message: "Nothing has been published here yet.",
    };
    render_html(state, "list.html", &page)
}

/// Answers `key` from the page cache, or renders it with `render` under the lists' generation
/// (front page, archives, static pages, feeds of lists, sitemaps) and keeps it unless something
/// changed while it rendered.
pub async fn cached_list<F, Fut>(
    state: &AppState,
    headers: &axum::http::HeaderMap,
    key: String,
    render: F,
) -> Result<axum::response::Response, AppError>
where
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = Result<crate::cache::Rendered, AppError>>,
{
    use gazette_core::freshness::Shows;
    if let Some(hit) = state.cache.get(&state.site, &key, headers).await? {
        return Ok(hit);
    }
    let stamp = state.site.stamp(Shows::Lists).await?;
    let rendered = render().await?;
    let keep = state.site.stamp(Shows::Lists).await? == stamp;
    Ok(state
        .cache
        .put(key, Shows::Lists, stamp, keep, rendered, headers))
}

/// Renders a template to a string.
pub fn render_html(
    state: &AppState,
    template: &str,
    context: &impl Serialize,
) -> Result<String, AppError> {
    state
        .templates
        .render(template, context)
        .map_err(|e| AppError::Internal(format!("rendering {template}: {e}")))
}
