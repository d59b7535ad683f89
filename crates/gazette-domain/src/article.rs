use crate::{ArticleId, DomainError, UserId};
use serde::Serialize;

/// Where an article is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ArticleStatus {
    /// Being written; only staff see it.
    Draft,
    /// Public from `published_at` on (a future time means scheduled).
    Published,
    /// Deleted, restorable by staff.
    Trash,
}

impl ArticleStatus {
    /// The value stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Published => "published",
            Self::Trash => "trash",
        }
    }

    /// Reads a stored value.
    pub fn parse(value: &str) -> Result<Self, DomainError> {
        match value {
            "draft" => Ok(Self::Draft),
            "published" => Ok(Self::Published),
            "trash" => Ok(Self::Trash),
            other => Err(DomainError::UnknownVariant {
                kind: "article status",
                value: other.to_owned(),
            }),
        }
    }
}

/// What an article's or page's source is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BodyFormat {
    /// Written in the editor (CommonMark with tables and footnotes).
    #[default]
    Markdown,
    /// HTML as another system held it (an import): sanitised, never read as Markdown.
    Html,
}

impl BodyFormat {
    /// The value stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Markdown => "markdown",
            Self::Html => "html",
        }
    }

    /// Reads a stored value.
    pub fn parse(value: &str) -> Result<Self, DomainError> {
        match value {
            "markdown" => Ok(Self::Markdown),
            "html" => Ok(Self::Html),
            other => Err(DomainError::UnknownVariant {
                kind: "body format",
                value: other.to_owned(),
            }),
        }
    }
}

/// The two kinds of taxonomy an article is filed under.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TermKind {
    /// Broad sections of the site, shown in the navigation.
    Category,
    /// Free-form keywords.
    Tag,
}

impl TermKind {
    /// Singular word used in URLs and headings.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Category => "category",
            Self::Tag => "tag",
        }
    }
}

/// A category or tag: its display name and URL slug.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Term {
    /// As shown to readers.
    pub name: String,
    /// As used in `/category/{slug}` and `/tag/{slug}`.
    pub slug: String,
}

impl Term {
    /// A term from a display name, with a slug derived from it.
    pub fn from_name(name: &str) -> Self {
        let name: String = name.chars().filter(|c| !c.is_control()).collect();
        Self {
            name: name.trim().to_owned(),
            slug: crate::slugs::slugify(&name),
        }
    }
}

/// The author of an article, as a byline shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuthorRef {
    /// The staff account.
    pub id: UserId,
    /// Display name for the byline.
    pub name: String,
    /// For `/author/{slug}`.
    pub slug: String,
}

/// A whole article, as its page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Article {
    /// Database id.
    pub id: ArticleId,
    /// Permalink slug: `/articles/{slug}`.
    pub slug: String,
    /// Headline.
    pub title: String,
    /// The source as written, in `body_format`.
    pub body_markdown: String,
    /// What the source is written in.
    pub body_format: BodyFormat,
    /// The rendered and sanitised body.
    pub body_html: String,
    /// Plain-text summary for lists and metadata.
    pub excerpt: String,
    /// The first author: whose article it is in the newsroom.
    pub author: AuthorRef,
    /// Everyone in the byline, in order: `author` first, then the co-authors.
    pub authors: Vec<AuthorRef>,
    /// The image at the top of the article and in social cards.
    pub featured_image: Option<crate::media::Media>,
    /// Draft, published or trash.
    pub status: ArticleStatus,
    /// Whether readers may comment (before the age limit is considered).
    pub comments_open: bool,
    /// Unix seconds when it went (or goes) public.
    pub published_at: Option<i64>,
    /// Unix seconds of creation.
    pub created_at: i64,
    /// Unix seconds of the last edit.
    pub updated_at: i64,
    /// Number of approved comments, kept by the store with every comment write.
    pub comment_count: i64,
    /// Sections.
    pub categories: Vec<Term>,
    /// Keywords.
    pub tags: Vec<Term>,
    /// Bumped by every save; an editor's save must name the version it started from.
    pub version: i64,
    /// Its id in the feeds of the system it was imported from (WordPress's guid); `None` for
    /// Gazette's own, whose feed id is made from the site's id base and `id`.
    #[serde(skip)]
    pub feed_id: Option<String>,
    /// Corrections appended since publication, oldest first.
    pub corrections: Vec<Correction>,
}

/// A dated correction at the foot of a published article ("Correction, December 2: an earlier
/// version misstated …").
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Correction {
    /// Database id.
    pub id: i64,
    /// What was wrong and what is right, as plain text.
    pub body: String,
    /// Unix seconds.
    pub created_at: i64,
}

/// The longest correction accepted, in characters.
pub const MAX_CORRECTION_CHARS: usize = 2_000;

impl Correction {
    /// The text of a correction as an editor typed it, checked: trimmed, without control
    /// characters (line breaks become spaces), not empty and not too long.
    pub fn clean_text(text: &str) -> Result<String, &'static str> {
        let cleaned: String = text
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        let cleaned = cleaned.split_whitespace().collect::<Vec<_>>().join(" ");
        if cleaned.is_empty() {
            return Err("Write what the correction says.");
        }
        if cleaned.chars().count() > MAX_CORRECTION_CHARS {
            return Err("A correction can be at most 2,000 characters.");
        }
        Ok(cleaned)
    }
}

impl Article {
    /// Whether a reader may see it at time `now`.
    pub fn is_public(&self, now: i64) -> bool {
        self.status == ArticleStatus::Published && self.published_at.is_some_and(|at| at <= now)
    }

    /// Whether it was edited noticeably after publication, so the dateline says "Updated".
    pub fn was_updated(&self) -> bool {
        self.published_at
            .is_some_and(|published| self.updated_at > published + 60)
    }

    /// Whether new comments are accepted at `now`, given the site's "close after N days" (0 = never).
    pub fn accepts_comments(&self, now: i64, close_after_days: u32) -> bool {
        if !self.comments_open {
            return false;
        }
        match (close_after_days, self.published_at) {
            (0, _) | (_, None) => true,
            (days, Some(published)) => now < published + i64::from(days) * 86_400,
        }
    }
}

/// An article in a list: front page, archives, API index.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ArticleSummary {
    /// Database id.
    pub id: ArticleId,
    /// Permalink slug.
    pub slug: String,
    /// Headline.
    pub title: String,
    /// Plain-text summary.
    pub excerpt: String,
    /// The first author.
    pub author: AuthorRef,
    /// Everyone in the byline, `author` first.
    pub authors: Vec<AuthorRef>,
    /// Unix seconds of publication.
    pub published_at: i64,
    /// Number of approved comments.
    pub comment_count: i64,
    /// The featured image, for the teaser.
    pub image: Option<crate::media::Media>,
}

/// What a new article carries when it is created.
#[derive(Debug, Clone)]
pub struct NewArticle {
    /// Permalink slug, unique.
    pub slug: String,
    /// Headline.
    pub title: String,
    /// The source, in `body_format`.
    pub body_markdown: String,
    /// What the source is written in.
    pub body_format: BodyFormat,
    /// Rendered, sanitised HTML of the body.
    pub body_html: String,
    /// The body as plain text, for the search index.
    pub body_text: String,
    /// Plain-text summary.
    pub excerpt: String,
    /// The staff account in the byline.
    pub author_id: UserId,
    /// Draft or published.
    pub status: ArticleStatus,
    /// Whether readers may comment.
    pub comments_open: bool,
    /// Publication time (unix seconds) for published articles.
    pub published_at: Option<i64>,
    /// Creation time (unix seconds).
    pub created_at: i64,
    /// Categories, created on the fly when new.
    pub categories: Vec<Term>,
    /// Tags, created on the fly when new.
    pub tags: Vec<Term>,
    /// The image at its head, in lists and in social cards.
    pub featured_media_id: Option<crate::MediaId>,
    /// Authors after `author_id` in the byline, in order.
    pub coauthor_ids: Vec<UserId>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn article(published_at: Option<i64>, updated_at: i64) -> Article {
        Article {
            id: ArticleId(1),
            slug: "a".into(),
            title: "A".into(),
            body_markdown: String::new(),
            body_format: BodyFormat::Markdown,
            body_html: String::new(),
            excerpt: String::new(),
            author: AuthorRef {
                id: UserId(1),
                name: "N".into(),
                slug: "n".into(),
            },
            authors: Vec::new(),
            featured_image: None,
            status: ArticleStatus::Published,
            comments_open: true,
            published_at,
            created_at: 0,
            updated_at,
            comment_count: 0,
            categories: vec![],
            tags: vec![],
            version: 1,
            feed_id: None,
            corrections: vec![],
        }
    }

    #[test]
    fn scheduled_article_is_not_public_before_its_time() {
        let a = article(Some(1_000), 1_000);
        assert!(!a.is_public(999));
        assert!(a.is_public(1_000));
    }

    #[test]
    fn comments_close_after_the_configured_number_of_days() {
        let a = article(Some(0), 0);
        assert!(a.accepts_comments(86_400 * 3 - 1, 3));
        assert!(!a.accepts_comments(86_400 * 3, 3));
        assert!(a.accepts_comments(86_400 * 300, 0));
    }

    #[test]
    fn a_closed_article_refuses_comments_whatever_its_age() {
        let mut a = article(Some(0), 0);
        a.comments_open = false;
        assert!(!a.accepts_comments(1, 0));
    }

    #[test]
    fn an_edit_within_a_minute_of_publishing_is_not_an_update() {
        assert!(!article(Some(100), 150).was_updated());
        assert!(article(Some(100), 161).was_updated());
    }

    #[test]
    fn statuses_round_trip_through_their_stored_text() {
        for s in [
            ArticleStatus::Draft,
            ArticleStatus::Published,
            ArticleStatus::Trash,
        ] {
            assert_eq!(ArticleStatus::parse(s.as_str()), Ok(s));
        }
        assert!(ArticleStatus::parse("bogus").is_err());
    }
}
