//! What the RSS and Atom feeds carry: the latest public articles of the site, a category, a tag
//! or an author, and the latest approved comments of the site or of one article. Entries are
//! made here from the stored (already sanitised) bodies, with absolute links; commenters' and
//! staff email addresses are never read. Each entry's id is fixed when the article is created
//! (or brought in from the old site's feed) and never follows its title, slug or address.

use crate::{CoreError, CoreResult, Site};
use gazette_domain::{Article, FeedComment, TermKind};
use gazette_render::AbsoluteLinks;
use gazette_render::feeds::{Category, Entry, Image, Person};
use gazette_store::ArticleFilter;

/// The setting holding the start of every feed id (`tag:news.example.com,2026-12-02:`), chosen
/// once when the site first opens and moved with it by `export json`, so ids outlive a change
/// of address.
pub const ID_BASE_SETTING: &str = "feeds.id_base";

/// Words of a comment shown as its entry's summary.
const COMMENT_SUMMARY_WORDS: usize = 40;

/// Which articles a feed lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FeedOf {
    /// Every public article.
    Site,
    /// A category's.
    Category(String),
    /// A tag's.
    Tag(String),
    /// An author's.
    Author(String),
}

/// A feed, ready to be written as RSS or Atom.
#[derive(Debug, Clone)]
pub struct Feed {
    /// Its title.
    pub title: String,
    /// One line about it.
    pub description: String,
    /// The page it is the feed of, as a path (`/category/world`).
    pub page_path: String,
    /// The RSS feed's path (`/category/world/feed`); the Atom one adds `/atom`.
    pub feed_path: String,
    /// Its permanent id (Atom `id`).
    pub id: String,
    /// The entries, newest first.
    pub entries: Vec<Entry>,
    /// Unix seconds of the newest change among the entries (0 when there are none).
    pub updated: i64,
}

impl Site {
    /// The feed id of `what` (`article/42`, `feed/category/world`).
    pub fn feed_id(&self, what: &str) -> String {
        format!("{}{what}", self.feed_id_base)
    }

    /// The latest public articles of the site, a category, a tag or an author, whole, for a feed
    /// whose links start at `base` (`https://news.example.com`). `NotFound` for an unknown slug,
    /// and for a category, tag or author with nothing public (as their archives are).
    pub async fn article_feed(&self, of: &FeedOf, base: &str) -> CoreResult<Feed> {
        let settings = self.settings().await?;
        let site = settings.title.clone();
        let (filter, title, description, path) = match of {
            FeedOf::Site => (
                ArticleFilter::All,
                site.clone(),
                settings.tagline.clone(),
                String::new(),
            ),
            FeedOf::Category(slug) | FeedOf::Tag(slug) => {
                let kind = match of {
                    FeedOf::Category(_) => TermKind::Category,
                    _ => TermKind::Tag,
                };
                let term = self.store.term(kind, slug).await?;
                (
                    ArticleFilter::Term(kind, slug.clone()),
                    format!("{} – {site}", term.name),
                    format!("Articles filed under {}", term.name),
                    format!("/{}/{slug}", kind.as_str()),
                )
            }
            FeedOf::Author(slug) => {
                let author = self.store.user_by_slug(slug).await?;
                (
                    ArticleFilter::Author(author.id),
                    format!("{} – {site}", author.display_name),
                    format!("Articles by {}", author.display_name),
                    format!("/author/{slug}"),
                )
            }
        };
        let articles = self
            .store
            .feed_articles(&filter, i64::from(self.config.feeds.items), self.now())
            .await?;
        if articles.is_empty() && *of != FeedOf::Site {
            return Err(CoreError::NotFound(match of {
                FeedOf::Category(_) => "category",
                FeedOf::Tag(_) => "tag",
                _ => "author",
            }));
        }
        let links = absolute_links(base)?;
        let entries: Vec<Entry> = articles
            .iter()
            .map(|a| self.article_entry(a, base, &links))
            .collect();
        let feed_path = format!("{path}/feed");
        Ok(Feed {
            title,
            description,
            page_path: if path.is_empty() { "/".into() } else { path },
            id: self.feed_id(feed_path.trim_start_matches('/')),
            feed_path,
            updated: entries.iter().map(|e| e.updated).max().unwrap_or(0),
            entries,
        })
    }

    /// The latest approved comments of `article` (public: the caller read it so), or of every
    /// public article with `None`.
    pub async fn comment_feed(&self, article: Option<&Article>, base: &str) -> CoreResult<Feed> {
        let site = self.settings().await?.title.clone();
        let comments = self
            .store
            .feed_comments(
                article.map(|a| a.id),
                i64::from(self.config.feeds.items),
                self.now(),
            )
            .await?;
        let links = absolute_links(base)?;
        let entries: Vec<Entry> = comments
            .iter()
            .map(|c| self.comment_entry(c, base, &links))
            .collect();
        let (title, description, page_path, feed_path) = match article {
            Some(a) => (
                format!("Comments on: {}", a.title),
                format!("The discussion of “{}” on {site}", a.title),
                format!("/articles/{}", a.slug),
                format!("/articles/{}/comments/feed", a.slug),
            ),
            None => (
                format!("Comments for {site}"),
                format!("The latest comments on {site}"),
                "/".to_owned(),
                "/comments/feed".to_owned(),
            ),
        };
        let id = match article {
            Some(a) => self.feed_id(&format!("feed/comments/article/{}", a.id.0)),
            None => self.feed_id("feed/comments"),
        };
        Ok(Feed {
            title,
            description,
            page_path,
            feed_path,
            id,
            updated: entries.iter().map(|e| e.updated).max().unwrap_or(0),
            entries,
        })
    }

    fn article_entry(&self, article: &Article, base: &str, links: &AbsoluteLinks) -> Entry {
        let terms = article
            .categories
            .iter()
            .map(|t| (TermKind::Category, t))
            .chain(article.tags.iter().map(|t| (TermKind::Tag, t)));
        Entry {
            id: article
                .feed_id
                .clone()
                .unwrap_or_else(|| self.feed_id(&format!("article/{}", article.id.0))),
            title: article.title.clone(),
            url: format!("{base}/articles/{}", article.slug),
            summary: article.excerpt.clone(),
            content_html: self.with_corrections(links.article(&article.body_html), article),
            authors: article
                .authors
                .iter()
                .map(|a| Person {
                    name: a.name.clone(),
                    url: Some(format!("{base}/author/{}", a.slug)),
                })
                .collect(),
            categories: terms
                .map(|(kind, t)| Category {
                    name: t.name.clone(),
                    url: format!("{base}/{}/{}", kind.as_str(), t.slug),
                })
                .collect(),
            published: article.published_at.unwrap_or(article.created_at),
            updated: article.updated_at,
            image: article
                .featured_image
                .as_ref()
                .filter(|m| m.is_image())
                .map(|m| Image {
                    url: absolute_url(base, &m.url),
                    mime_type: m.mime_type.clone(),
                    alt_text: m.alt_text.clone(),
                }),
        }
    }

    /// The body followed by its corrections, dated in the site's time zone, as the page shows them.
    fn with_corrections(&self, mut html: String, article: &Article) -> String {
        let tz = self.config.timezone();
        for correction in &article.corrections {
            let date = jiff::Timestamp::from_second(correction.created_at)
                .map(|t| {
                    t.to_zoned_datetime(tz.clone())
                        .strftime("%B %-d, %Y")
                        .to_string()
                })
                .unwrap_or_default();
            html.push_str(&format!(
                "\n<p class=\"correction\"><strong>Correction, {date}:</strong> {}</p>",
                gazette_render::escape_text(&correction.body)
            ));
        }
        html
    }

    fn comment_entry(&self, feed: &FeedComment, base: &str, links: &AbsoluteLinks) -> Entry {
        let c = &feed.comment;
        let body = links.comment(&c.body_html);
        Entry {
            id: self.feed_id(&format!("comment/{}", c.id.0)),
            title: format!("Comment on {} by {}", feed.article_title, c.author_name),
            url: format!("{base}/articles/{}#comment-{}", feed.article_slug, c.id.0),
            summary: gazette_render::excerpt_of_html(&body, COMMENT_SUMMARY_WORDS),
            content_html: body,
            authors: vec![Person {
                name: c.author_name.clone(),
                url: c.author_url.clone(),
            }],
            categories: Vec::new(),
            published: c.created_at,
            updated: c.created_at,
            image: None,
        }
    }

    /// Reads the feed id base, choosing it on the site's first start.
    pub(crate) async fn load_feed_id_base(
        store: &dyn gazette_store::Store,
        config: &crate::Config,
        now: i64,
    ) -> CoreResult<String> {
        match store.setting(ID_BASE_SETTING).await {
            Ok(value) => Ok(value),
            Err(gazette_store::StoreError::NotFound(_)) => {
                let host = url_host(&config.site.base_url).unwrap_or_else(|| "localhost".into());
                let day = jiff::Timestamp::from_second(now)
                    .unwrap_or(jiff::Timestamp::UNIX_EPOCH)
                    .strftime("%Y-%m-%d");
                let fresh = format!("tag:{host},{day}:");
                Ok(store.put_setting_if_absent(ID_BASE_SETTING, &fresh).await?)
            }
            Err(other) => Err(other.into()),
        }
    }
}

/// The host of an `http(s)://` address, lower-cased.
fn url_host(base: &str) -> Option<String> {
    let url = gazette_render::Url::parse(base).ok()?;
    url.host_str().map(str::to_ascii_lowercase)
}

fn absolute_links(base: &str) -> CoreResult<AbsoluteLinks> {
    AbsoluteLinks::new(&format!("{base}/"))
        .ok_or_else(|| CoreError::Storage(format!("the site's address {base:?} is not a URL")))
}

/// `url` when absolute, else `base` + the path.
pub fn absolute_url(base: &str, url: &str) -> String {
    if url.starts_with("http://") || url.starts_with("https://") {
        url.to_owned()
    } else {
        format!("{base}/{}", url.trim_start_matches('/'))
    }
}
