//! The newsroom's article editor: what staff can list, open and save, and how each button
//! (draft, publish, schedule, unpublish, trash, restore) changes an article.

use crate::auth::Staff;
use crate::publishing::{BODY_MAX_BYTES, EXCERPT_WORDS, TITLE_MAX};
use crate::{CoreError, CoreResult, Site};
use gazette_domain::records::{ArticleQuery, ArticleRow, ArticleUpdate, NewAudit};
use gazette_domain::slugs::{is_slug, slugify};
use gazette_domain::{
    Article, ArticleId, ArticleStatus, BodyFormat, NewArticle, Page, PageRequest, Permission, Term,
    UserId,
};
use gazette_store::StoreError;

/// The editor form as submitted.
#[derive(Debug, Clone, Default)]
pub struct ArticleForm {
    /// Headline.
    pub title: String,
    /// Permalink slug; empty derives it from the title.
    pub slug: String,
    /// The body, in `body_format`.
    pub body_markdown: String,
    /// Markdown (written here) or HTML (an imported article keeps its HTML).
    pub body_format: BodyFormat,
    /// Summary; empty derives it from the body.
    pub excerpt: String,
    /// Categories, comma-separated.
    pub categories: String,
    /// Tags, comma-separated.
    pub tags: String,
    /// The byline (editors may choose; authors always write under their own name).
    pub author: Option<UserId>,
    /// Whether readers may comment.
    pub comments_open: bool,
    /// For scheduling: local date and time in the site's zone, `YYYY-MM-DDTHH:MM`.
    pub publish_at: String,
    /// The version the editor loaded (0 for a new article).
    pub version: i64,
    /// The featured image, from the media library.
    pub featured_image: Option<gazette_domain::MediaId>,
    /// Staff after the author in the byline, in order ("By A and B").
    pub coauthors: Vec<UserId>,
}

/// The most co-authors an article may have.
pub const MAX_COAUTHORS: usize = 10;

/// The button that was pressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SaveAction {
    /// Keep it private.
    Draft,
    /// Public now (or keep its original time if already public).
    Publish,
    /// Public at `publish_at`.
    Schedule,
    /// Back to draft.
    Unpublish,
    /// To the trash (restorable).
    Trash,
    /// Out of the trash, as a draft.
    Restore,
}

impl SaveAction {
    /// Reads the button's value.
    pub fn parse(value: &str) -> Option<Self> {
        Some(match value {
            "draft" => Self::Draft,
            "publish" => Self::Publish,
            "schedule" => Self::Schedule,
            "unpublish" => Self::Unpublish,
            "trash" => Self::Trash,
            "restore" => Self::Restore,
            _ => return None,
        })
    }

    fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Publish => "publish",
            Self::Schedule => "schedule",
            Self::Unpublish => "unpublish",
            Self::Trash => "trash",
            Self::Restore => "restore",
        }
    }
}

fn terms(list: &str) -> Vec<Term> {
    let mut seen = std::collections::HashSet::new();
    list.split(',')
        .map(str::trim)
        .filter(|name| !name.is_empty())
        .take(50)
        .map(Term::from_name)
        .filter(|term| seen.insert(term.slug.clone()))
        .collect()
}

impl Site {
    /// One page of the newsroom's article list. Authors see only the articles with their name in
    /// the byline (first author or co-author).
    pub async fn newsroom_articles(
        &self,
        staff: &Staff,
        mut query: ArticleQuery,
        page: u32,
    ) -> CoreResult<Page<ArticleRow>> {
        staff.require(Permission::WriteOwnArticles)?;
        if !staff.can(Permission::EditAllArticles) {
            query.author = Some(staff.user.id);
        }
        Ok(self
            .store
            .admin_articles(&query, PageRequest::new(page, 25))
            .await?)
    }

    /// An article to edit, if this staff member may edit it.
    pub async fn article_for_editing(&self, staff: &Staff, id: ArticleId) -> CoreResult<Article> {
        let article = self.store.article_by_id(id).await?;
        self.require_editor_of(staff, &article)?;
        Ok(article)
    }

    fn require_editor_of(&self, staff: &Staff, article: &Article) -> CoreResult<()> {
        if staff.can(Permission::EditAllArticles)
            || (staff.can(Permission::WriteOwnArticles)
                && (article.author.id == staff.user.id
                    || article.authors.iter().any(|a| a.id == staff.user.id)))
        {
            Ok(())
        } else {
            Err(CoreError::Forbidden(
                "You can only edit articles with your name in the byline.".into(),
            ))
        }
    }

    /// The byline a save may use: editors choose, authors write as themselves.
    async fn byline(&self, staff: &Staff, requested: Option<UserId>) -> CoreResult<UserId> {
        match requested {
            Some(id) if id != staff.user.id => {
                if !staff.can(Permission::EditAllArticles) {
                    return Err(CoreError::Forbidden(
                        "Only editors can publish under another name.".into(),
                    ));
                }
                let user = self.store.user_by_id(id).await.map_err(|e| match e {
                    StoreError::NotFound(_) => {
                        CoreError::BadInput("That author does not exist.".into())
                    }
                    other => other.into(),
                })?;
                Ok(user.id)
            }
            _ => Ok(staff.user.id),
        }
    }

    /// The co-authors a save may name: staff accounts that exist, at most [`MAX_COAUTHORS`],
    /// each once. Whoever writes may share the byline with colleagues.
    async fn checked_coauthors(&self, requested: &[UserId]) -> CoreResult<Vec<UserId>> {
        let mut ids: Vec<UserId> = Vec::new();
        for &id in requested {
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
        if ids.len() > MAX_COAUTHORS {
            return Err(CoreError::BadInput(format!(
                "An article has at most {MAX_COAUTHORS} co-authors."
            )));
        }
        for &id in &ids {
            self.store.user_by_id(id).await.map_err(|e| match e {
                StoreError::NotFound(_) => {
                    CoreError::BadInput("One of the co-authors does not exist.".into())
                }
                other => other.into(),
            })?;
        }
        Ok(ids)
    }

    /// Turns the schedule field into unix seconds in the site's time zone.
    fn schedule_time(&self, text: &str) -> CoreResult<i64> {
        let local: jiff::civil::DateTime = text.trim().parse().map_err(|_| {
            CoreError::BadInput(
                "Give the publication time as a date and time, like 2026-12-01T08:00.".into(),
            )
        })?;
        let zoned = local
            .to_zoned_datetime(self.config.timezone())
            .map_err(|_| {
                CoreError::BadInput("That time does not exist in the site's time zone.".into())
            })?;
        let at = zoned.timestamp().as_second();
        if at <= self.now() {
            return Err(CoreError::BadInput(
                "A scheduled time must be in the future. To publish now, press Publish.".into(),
            ));
        }
        Ok(at)
    }

    /// Status and publication time after `action`, given what the article had.
    fn next_state(
        &self,
        action: SaveAction,
        form: &ArticleForm,
        current: Option<(ArticleStatus, Option<i64>)>,
    ) -> CoreResult<(ArticleStatus, Option<i64>)> {
        let now = self.now();
        Ok(match action {
            SaveAction::Draft | SaveAction::Unpublish | SaveAction::Restore => {
                (ArticleStatus::Draft, None)
            }
            SaveAction::Publish => match current {
                Some((ArticleStatus::Published, Some(at))) if at <= now => {
                    (ArticleStatus::Published, Some(at))
                }
                _ => (ArticleStatus::Published, Some(now)),
            },
            SaveAction::Schedule => (
                ArticleStatus::Published,
                Some(self.schedule_time(&form.publish_at)?),
            ),
            SaveAction::Trash => (ArticleStatus::Trash, current.and_then(|(_, at)| at)),
        })
    }

    fn checked_text(form: &ArticleForm) -> CoreResult<(String, String)> {
        let title = form.title.trim();
        if title.is_empty() {
            return Err(CoreError::BadInput("An article needs a title.".into()));
        }
        if title.chars().count() > TITLE_MAX {
            return Err(CoreError::BadInput(format!(
                "A title is at most {TITLE_MAX} characters."
            )));
        }
        if form.body_markdown.len() > BODY_MAX_BYTES {
            return Err(CoreError::BadInput(
                "An article body is at most 1 MiB.".into(),
            ));
        }
        let excerpt = match form.excerpt.trim() {
            "" if form.body_format == BodyFormat::Html => {
                gazette_render::excerpt_of_html(&form.body_markdown, EXCERPT_WORDS)
            }
            "" => gazette_render::excerpt(&form.body_markdown, EXCERPT_WORDS),
            given if given.chars().count() > 1000 => {
                return Err(CoreError::BadInput(
                    "An excerpt is at most 1,000 characters.".into(),
                ));
            }
            given => given.to_owned(),
        };
        Ok((title.to_owned(), excerpt))
    }

    fn checked_slug(slug: &str) -> CoreResult<String> {
        let slug = slug.trim();
        if !is_slug(slug) {
            return Err(CoreError::BadInput(format!(
                "The slug {slug:?} must be lower-case letters, digits and dashes, like council-approves-budget."
            )));
        }
        Ok(slug.to_owned())
    }

    /// The editor's preview of a body: checked for size, rendered off the async threads. Only
    /// staff who may write articles may ask (rendering costs CPU).
    pub async fn preview_article(
        &self,
        staff: &Staff,
        format: BodyFormat,
        source: &str,
    ) -> CoreResult<String> {
        staff.require(Permission::WriteOwnArticles)?;
        if source.len() > BODY_MAX_BYTES {
            return Err(CoreError::BadInput(
                "An article body is at most 1 MiB.".into(),
            ));
        }
        self.render_body(format, source).await
    }

    /// Creates an article from the editor.
    pub async fn create_article(
        &self,
        staff: &Staff,
        form: ArticleForm,
        action: SaveAction,
    ) -> CoreResult<Article> {
        staff.require(Permission::WriteOwnArticles)?;
        let (title, excerpt) = Self::checked_text(&form)?;
        let author_id = self.byline(staff, form.author).await?;
        let (status, published_at) = self.next_state(action, &form, None)?;
        let explicit_slug = !form.slug.trim().is_empty();
        let base = if explicit_slug {
            Self::checked_slug(&form.slug)?
        } else {
            slugify(&title)
        };
        let featured_media_id = self.checked_featured_image(form.featured_image).await?;
        let coauthor_ids = self.checked_coauthors(&form.coauthors).await?;
        let (body_html, body_text) = self
            .render_body_and_text(form.body_format, &form.body_markdown)
            .await?;
        let mut new = NewArticle {
            slug: base.clone(),
            title,
            body_html,
            body_text,
            body_markdown: form.body_markdown.clone(),
            body_format: form.body_format,
            excerpt,
            author_id,
            status,
            comments_open: form.comments_open,
            published_at,
            created_at: self.now(),
            categories: terms(&form.categories),
            tags: terms(&form.tags),
            featured_media_id,
            coauthor_ids,
        };
        let mut attempt = 1;
        let article = loop {
            match self.store.create_article(new.clone()).await {
                Err(StoreError::Conflict(_)) if !explicit_slug && attempt < 50 => {
                    attempt += 1;
                    new.slug = format!("{base}-{attempt}");
                }
                Err(StoreError::Conflict(_)) => {
                    return Err(CoreError::Conflict(
                        "Another article already has that slug; choose another.".into(),
                    ));
                }
                other => break other?,
            }
        };
        self.audit_article(staff, &article, action).await?;
        self.everything_changed().await?;
        self.queue_websub(None, &article).await?;
        Ok(article)
    }

    /// Appends a dated correction to a published article (whoever may edit it may correct it);
    /// it shows at the article's foot, in feeds and in its structured data, and moves its
    /// "Updated" date.
    pub async fn add_correction(
        &self,
        staff: &Staff,
        id: ArticleId,
        text: &str,
    ) -> CoreResult<Article> {
        let article = self.article_for_editing(staff, id).await?;
        if !article.is_public(self.now()) {
            return Err(CoreError::BadInput(
                "Corrections are for published articles: edit a draft or scheduled one instead."
                    .into(),
            ));
        }
        let body = gazette_domain::Correction::clean_text(text)
            .map_err(|m| CoreError::BadInput(m.into()))?;
        let now = self.now();
        let corrected = self
            .store
            .add_correction(
                id,
                &body,
                now,
                NewAudit {
                    at: now,
                    actor: Some(staff.user.id),
                    actor_name: staff.user.display_name.clone(),
                    action: "article.correction".into(),
                    comment_id: None,
                    article_id: Some(id),
                    detail: body.chars().take(200).collect(),
                },
            )
            .await?;
        self.everything_changed().await?;
        self.queue_websub(Some(&article), &corrected).await?;
        Ok(corrected)
    }

    /// The latest corrections of public articles, for `/corrections`: each with its article's
    /// slug and title, newest first.
    pub async fn recent_corrections(
        &self,
        limit: i64,
    ) -> CoreResult<Vec<(gazette_domain::Correction, String, String)>> {
        Ok(self.store.recent_corrections(limit, self.now()).await?)
    }

    /// Saves the editor over an existing article, unless someone else saved it since it was opened.
    pub async fn save_article(
        &self,
        staff: &Staff,
        id: ArticleId,
        form: ArticleForm,
        action: SaveAction,
    ) -> CoreResult<Article> {
        let current = self.article_for_editing(staff, id).await?;
        let (title, excerpt) = Self::checked_text(&form)?;
        // The byline stays unless an editor changes it: the form shows the author field to
        // editors only, and a co-author saving must not become the first author.
        let author_id = match form.author {
            None => current.author.id,
            Some(requested) if requested == current.author.id => requested,
            Some(_) if !staff.can(Permission::EditAllArticles) => {
                return Err(CoreError::Forbidden(
                    "Only editors can change an article's author.".into(),
                ));
            }
            requested => self.byline(staff, requested).await?,
        };
        let slug = if form.slug.trim().is_empty() {
            current.slug.clone()
        } else {
            Self::checked_slug(&form.slug)?
        };
        let (status, published_at) =
            self.next_state(action, &form, Some((current.status, current.published_at)))?;
        // An image that was featured already stays, even if it is no longer an image record
        // the editor could choose today (an imported file by address).
        let featured_media_id = match form.featured_image {
            Some(id) if current.featured_image.as_ref().is_some_and(|m| m.id == id) => Some(id),
            other => self.checked_featured_image(other).await?,
        };
        let coauthor_ids = self.checked_coauthors(&form.coauthors).await?;
        let (body_html, body_text) = self
            .render_body_and_text(form.body_format, &form.body_markdown)
            .await?;
        let update = ArticleUpdate {
            expected_version: form.version,
            slug,
            title,
            body_html,
            body_text,
            body_markdown: form.body_markdown.clone(),
            body_format: form.body_format,
            excerpt,
            author_id,
            status,
            comments_open: form.comments_open,
            published_at,
            updated_at: self.now(),
            updated_by: staff.user.id,
            categories: terms(&form.categories),
            tags: terms(&form.tags),
            featured_media_id,
            coauthor_ids,
        };
        let article = self.store.update_article(id, update).await.map_err(|e| match e {
            StoreError::Conflict("article version") => CoreError::Conflict(
                "Someone else saved this article after you opened it. Your changes were not saved: \
                 open the article again to see theirs, then make yours."
                    .into(),
            ),
            StoreError::Conflict(_) => CoreError::Conflict("Another article already has that slug; choose another.".into()),
            other => other.into(),
        })?;
        self.audit_article(staff, &article, action).await?;
        self.everything_changed().await?;
        self.queue_websub(Some(&current), &article).await?;
        Ok(article)
    }

    /// Trashes, restores or unpublishes an article from the list (keeping everything else).
    pub async fn change_article_state(
        &self,
        staff: &Staff,
        id: ArticleId,
        action: SaveAction,
    ) -> CoreResult<Article> {
        let current = self.article_for_editing(staff, id).await?;
        let form = ArticleForm {
            title: current.title.clone(),
            slug: current.slug.clone(),
            body_markdown: current.body_markdown.clone(),
            body_format: current.body_format,
            excerpt: current.excerpt.clone(),
            categories: current
                .categories
                .iter()
                .map(|t| t.name.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            tags: current
                .tags
                .iter()
                .map(|t| t.name.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            author: Some(current.author.id),
            comments_open: current.comments_open,
            publish_at: String::new(),
            version: current.version,
            featured_image: current.featured_image.as_ref().map(|m| m.id),
            coauthors: current.authors.iter().skip(1).map(|a| a.id).collect(),
        };
        self.save_article(staff, id, form, action).await
    }

    async fn audit_article(
        &self,
        staff: &Staff,
        article: &Article,
        action: SaveAction,
    ) -> CoreResult<()> {
        let detail = match (action, article.published_at) {
            (SaveAction::Schedule, Some(at)) => format!("{} (scheduled for {at})", article.title),
            _ => article.title.clone(),
        };
        self.store
            .record_audit(NewAudit {
                at: self.now(),
                actor: Some(staff.user.id),
                actor_name: staff.user.display_name.clone(),
                action: format!("article.{}", action.as_str()),
                comment_id: None,
                article_id: Some(article.id),
                detail,
            })
            .await?;
        Ok(())
    }

    /// The current slug for an old one, for a 301.
    pub async fn redirect_for(&self, old_slug: &str) -> CoreResult<String> {
        Ok(self.store.slug_redirect(old_slug).await?)
    }

    /// Every staff account, for the editor's byline choice.
    pub async fn bylines(&self, staff: &Staff) -> CoreResult<Vec<gazette_domain::User>> {
        staff.require(Permission::WriteOwnArticles)?;
        Ok(self.store.users().await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn term_lists_are_split_trimmed_and_deduplicated() {
        let t = terms(" Politics, budget ,, Budget ,city hall");
        let names: Vec<&str> = t.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["Politics", "budget", "city hall"]);
    }

    #[test]
    fn buttons_parse_by_name() {
        assert_eq!(SaveAction::parse("schedule"), Some(SaveAction::Schedule));
        assert_eq!(SaveAction::parse("explode"), None);
    }
}
