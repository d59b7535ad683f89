use crate::{CoreError, CoreResult, Site};
use gazette_domain::slugs::{is_slug, slugify};
use gazette_domain::{Article, ArticleStatus, NewArticle, Term};
use gazette_store::StoreError;

/// Longest accepted headline, in characters.
pub const TITLE_MAX: usize = 300;
/// Largest accepted article body, in bytes of Markdown.
pub const BODY_MAX_BYTES: usize = 1 << 20;
/// Words in a generated excerpt.
pub(crate) const EXCERPT_WORDS: usize = 55;

/// An article to publish (or save as a draft).
#[derive(Debug, Clone, Default)]
pub struct ArticleRequest {
    /// Headline.
    pub title: String,
    /// Login name of the author.
    pub author: String,
    /// Markdown body.
    pub body_markdown: String,
    /// Permalink slug; derived from the title when `None` (with `-2`, `-3`… if taken).
    pub slug: Option<String>,
    /// Summary; derived from the body when empty.
    pub excerpt: String,
    /// Category names.
    pub categories: Vec<String>,
    /// Tag names.
    pub tags: Vec<String>,
    /// Save as a draft instead of publishing.
    pub draft: bool,
    /// Whether readers may comment.
    pub comments_open: bool,
    /// Publication time (unix seconds); now when `None`. A future time schedules the article.
    pub published_at: Option<i64>,
}

impl Site {
    /// Renders, checks and stores an article. Nothing is stored when a check fails.
    pub async fn publish_article(&self, request: ArticleRequest) -> CoreResult<Article> {
        let title = request.title.trim();
        if title.is_empty() {
            return Err(CoreError::BadInput("an article needs a title".into()));
        }
        if title.chars().count() > TITLE_MAX {
            return Err(CoreError::BadInput(format!(
                "a title is at most {TITLE_MAX} characters"
            )));
        }
        if request.body_markdown.len() > BODY_MAX_BYTES {
            return Err(CoreError::BadInput(
                "an article body is at most 1 MiB of Markdown".into(),
            ));
        }
        let author = self
            .store
            .user_by_username(&request.author)
            .await
            .map_err(|e| match e {
                StoreError::NotFound(_) => CoreError::BadInput(format!(
                    "there is no staff account named {:?}",
                    request.author
                )),
                other => other.into(),
            })?;
        let terms = |names: &[String]| -> Vec<Term> {
            names
                .iter()
                .filter(|n| !n.trim().is_empty())
                .map(|n| Term::from_name(n))
                .collect()
        };
        let now = self.now();
        let excerpt = match request.excerpt.trim() {
            "" => gazette_render::excerpt(&request.body_markdown, EXCERPT_WORDS),
            given => given.to_owned(),
        };
        let (body_html, body_text) = self
            .render_body_and_text(gazette_domain::BodyFormat::Markdown, &request.body_markdown)
            .await?;
        let mut article = NewArticle {
            slug: String::new(),
            title: title.to_owned(),
            body_html,
            body_text,
            body_markdown: request.body_markdown,
            body_format: gazette_domain::BodyFormat::Markdown,
            excerpt,
            author_id: author.id,
            status: if request.draft {
                ArticleStatus::Draft
            } else {
                ArticleStatus::Published
            },
            comments_open: request.comments_open,
            published_at: if request.draft {
                None
            } else {
                Some(request.published_at.unwrap_or(now))
            },
            created_at: now,
            categories: terms(&request.categories),
            tags: terms(&request.tags),
            featured_media_id: None,
            coauthor_ids: Vec::new(),
        };
        if let Some(slug) = request.slug {
            if !is_slug(&slug) {
                return Err(CoreError::BadInput(format!(
                    "slug {slug:?} must be lower-case letters, digits and dashes"
                )));
            }
            article.slug = slug;
            let article = self
                .store
                .create_article(article)
                .await
                .map_err(|e| match e {
                    StoreError::Conflict(_) => {
                        CoreError::Conflict("another article already has that slug".into())
                    }
                    other => other.into(),
                })?;
            self.everything_changed().await?;
            self.queue_websub(None, &article).await?;
            return Ok(article);
        }
        // A derived slug that is taken gets a number, as WordPress does.
        let base = slugify(title);
        for attempt in 1..=50 {
            article.slug = if attempt == 1 {
                base.clone()
            } else {
                format!("{base}-{attempt}")
            };
            match self.store.create_article(article.clone()).await {
                Err(StoreError::Conflict(_)) => continue,
                result => {
                    let article = result?;
                    self.everything_changed().await?;
                    self.queue_websub(None, &article).await?;
                    return Ok(article);
                }
            }
        }
        Err(CoreError::Conflict(format!(
            "too many articles are titled like {title:?}; give a slug"
        )))
    }
}
