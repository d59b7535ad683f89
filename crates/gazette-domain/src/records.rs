use crate::{ArticleId, ArticleStatus, CommentId, CommentStatus, DomainError, Term, User, UserId};
use serde::Serialize;

/// What a ban matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum BanKind {
    /// An exact, lower-cased email address.
    Email,
    /// An exact client address.
    Ip,
}

impl BanKind {
    /// The value stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Email => "email",
            Self::Ip => "ip",
        }
    }

    /// Reads a stored or typed value.
    pub fn parse(value: &str) -> Result<Self, DomainError> {
        match value {
            "email" => Ok(Self::Email),
            "ip" => Ok(Self::Ip),
            other => Err(DomainError::UnknownVariant {
                kind: "ban kind",
                value: other.to_owned(),
            }),
        }
    }
}

/// A banned commenter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Ban {
    /// Database id.
    pub id: i64,
    /// Email or address.
    pub kind: BanKind,
    /// The banned email or address.
    pub value: String,
    /// Why, for the other moderators.
    pub reason: String,
    /// Whether their earlier comments were hidden when the ban was made.
    pub hide_history: bool,
    /// Unix seconds.
    pub created_at: i64,
    /// The moderator's name.
    pub created_by: String,
}

/// A ban to create.
#[derive(Debug, Clone)]
pub struct NewBan {
    /// Email or address.
    pub kind: BanKind,
    /// Normalised value (lower-cased email, canonical address).
    pub value: String,
    /// Why.
    pub reason: String,
    /// Move their approved and held comments to the trash as well.
    pub hide_history: bool,
    /// Unix seconds.
    pub created_at: i64,
    /// The moderator.
    pub created_by: User,
}

/// One line of the audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditEntry {
    /// Database id.
    pub id: i64,
    /// Unix seconds.
    pub at: i64,
    /// The staff member's display name at the time.
    pub actor_name: String,
    /// What was done, e.g. "comment.approve", "article.publish", "settings.update".
    pub action: String,
    /// The comment concerned, if any.
    pub comment_id: Option<i64>,
    /// The article concerned, if any.
    pub article_id: Option<i64>,
    /// Status before, for status changes.
    pub before_status: Option<String>,
    /// Status after, for status changes.
    pub after_status: Option<String>,
    /// Anything else worth knowing.
    pub detail: String,
}

/// An audit line to write.
#[derive(Debug, Clone)]
pub struct NewAudit {
    /// Unix seconds.
    pub at: i64,
    /// Who, when a staff member acted (`None` for the system, e.g. the CLI without an account).
    pub actor: Option<UserId>,
    /// Their name, kept even if the account goes.
    pub actor_name: String,
    /// What was done.
    pub action: String,
    /// The comment concerned.
    pub comment_id: Option<CommentId>,
    /// The article concerned.
    pub article_id: Option<ArticleId>,
    /// Anything else worth knowing.
    pub detail: String,
}

/// Which way a moderator's decision teaches the classifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Training {
    /// The comment is spam.
    Spam,
    /// The comment is legitimate.
    Ham,
}

impl Training {
    /// The value stored in `comments.trained_as`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Spam => "spam",
            Self::Ham => "ham",
        }
    }
}

/// A moderation status change with what must happen in the same transaction.
#[derive(Debug, Clone)]
pub struct StatusChange {
    /// The new status.
    pub status: CommentStatus,
    /// The audit line (its before/after statuses are filled in by the store).
    pub audit: Option<NewAudit>,
    /// Teach the classifier with these tokens, moving them from the other class if the comment
    /// had been learned the other way.
    pub training: Option<(Training, Vec<String>)>,
}

/// Which comments a moderation screen lists.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CommentFilter {
    /// Status tab; `None` for all.
    pub status: Option<CommentStatus>,
    /// Under one article.
    pub article: Option<ArticleId>,
    /// From one email address (lower-cased).
    pub email: Option<String>,
    /// Under articles by this author (what an author may see).
    pub article_author: Option<UserId>,
    /// Holding every one of these words (lower-cased; `search::Terms`) in the text, the name or
    /// the email address: a staff search, any status.
    pub words: Vec<String>,
}

/// A staff edit of a comment.
#[derive(Debug, Clone)]
pub struct CommentEdit {
    /// Display name.
    pub author_name: String,
    /// Website.
    pub author_url: Option<String>,
    /// Markdown source.
    pub body_markdown: String,
    /// Rendered, sanitised HTML.
    pub body_html: String,
}

/// Which articles the admin list shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ArticleQuery {
    /// Draft, published (including scheduled) or trash; `None` for all but trash.
    pub status: Option<ArticleStatus>,
    /// By one author.
    pub author: Option<UserId>,
    /// In one category, by slug.
    pub category: Option<String>,
    /// Title contains this (case-insensitive).
    pub title: Option<String>,
}

/// An article in the admin list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ArticleRow {
    /// Database id.
    pub id: ArticleId,
    /// Slug.
    pub slug: String,
    /// Headline.
    pub title: String,
    /// Status.
    pub status: ArticleStatus,
    /// Author's display name.
    pub author_name: String,
    /// Author's id.
    pub author_id: UserId,
    /// Publication time, if set.
    pub published_at: Option<i64>,
    /// Last edit.
    pub updated_at: i64,
    /// Approved comments.
    pub comment_count: i64,
}

/// An edit to an existing article, made only if nobody saved it since `expected_version`.
#[derive(Debug, Clone)]
pub struct ArticleUpdate {
    /// The version the editor loaded.
    pub expected_version: i64,
    /// Slug; when it changes, the old one keeps answering with a redirect.
    pub slug: String,
    /// Headline.
    pub title: String,
    /// The source, in `body_format`.
    pub body_markdown: String,
    /// What the source is written in.
    pub body_format: crate::BodyFormat,
    /// Rendered, sanitised HTML.
    pub body_html: String,
    /// The body as plain text, for the search index.
    pub body_text: String,
    /// Summary.
    pub excerpt: String,
    /// Byline.
    pub author_id: UserId,
    /// Status.
    pub status: ArticleStatus,
    /// Whether readers may comment.
    pub comments_open: bool,
    /// Publication time.
    pub published_at: Option<i64>,
    /// Unix seconds of this edit.
    pub updated_at: i64,
    /// Who edits.
    pub updated_by: UserId,
    /// Categories (replacing the old ones).
    pub categories: Vec<Term>,
    /// Tags (replacing the old ones).
    pub tags: Vec<Term>,
    /// The featured image.
    pub featured_media_id: Option<crate::MediaId>,
    /// Authors after `author_id` in the byline (replacing the old ones).
    pub coauthor_ids: Vec<UserId>,
}

/// A staff session to store.
#[derive(Debug, Clone)]
pub struct NewSession {
    /// SHA-256 of the cookie's token, hex.
    pub token_hash: String,
    /// Whose.
    pub user_id: UserId,
    /// The token admin forms must carry.
    pub csrf_token: String,
    /// Unix seconds.
    pub created_at: i64,
    /// Unix seconds after which it is refused.
    pub expires_at: i64,
}

/// A live session: the account and its form token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// The staff member.
    pub user: User,
    /// The token admin forms must carry.
    pub csrf_token: String,
    /// Unix seconds.
    pub expires_at: i64,
}

/// A limit on attempts (logins, password checks, reset links) counted in one bucket, with
/// growing delays rather than a hard lock: the first `free` failures in the window cost nothing;
/// after that each further attempt must wait `first_delay` seconds after the last failure,
/// doubling with every failure up to `max_delay`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Throttle {
    /// What is counted, e.g. `pair:ada|192.0.2.1`.
    pub bucket: String,
    /// Failures older than this many seconds are not counted.
    pub window: i64,
    /// Failures allowed in the window before any wait.
    pub free: i64,
    /// The first wait, in seconds.
    pub first_delay: i64,
    /// The longest wait, in seconds.
    pub max_delay: i64,
}

impl Throttle {
    /// Until when (unix seconds) a new attempt must wait, given the `failures` counted in the
    /// window and the time of the `last` one; `None` when it may go ahead now.
    pub fn wait_until(&self, failures: i64, last: Option<i64>, now: i64) -> Option<i64> {
        if failures < self.free {
            return None;
        }
        let doublings = u32::try_from((failures - self.free).min(30)).unwrap_or(30);
        let delay = self
            .first_delay
            .saturating_mul(1i64 << doublings)
            .min(self.max_delay);
        let until = last.unwrap_or(now).saturating_add(delay);
        (until > now).then_some(until)
    }
}

/// What `Store::begin_attempt` decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attempt {
    /// The attempt is counted (as a failure until it is forgotten): the rows written.
    Counted(Vec<i64>),
    /// Nothing was counted: try again at this time (unix seconds).
    Wait(i64),
}

#[cfg(test)]
mod throttle_tests {
    use super::*;

    fn throttle() -> Throttle {
        Throttle {
            bucket: "pair:ada|192.0.2.1".into(),
            window: 900,
            free: 5,
            first_delay: 30,
            max_delay: 900,
        }
    }

    #[test]
    fn free_attempts_then_doubling_waits_up_to_a_cap() {
        let t = throttle();
        assert_eq!(t.wait_until(4, Some(1000), 1000), None);
        assert_eq!(t.wait_until(5, Some(1000), 1000), Some(1030));
        assert_eq!(t.wait_until(6, Some(1000), 1000), Some(1060));
        assert_eq!(t.wait_until(7, Some(1000), 1010), Some(1120));
        assert_eq!(t.wait_until(60, Some(1000), 1000), Some(1900));
        // Once the wait has passed, one more attempt may go.
        assert_eq!(t.wait_until(5, Some(1000), 1031), None);
    }
}
