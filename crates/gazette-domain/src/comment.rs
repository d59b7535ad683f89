use crate::{ArticleId, CommentId, DomainError};
use serde::Serialize;

/// Where a comment stands in moderation. Only `Approved` is ever public.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CommentStatus {
    /// Waiting for a moderator; visible to its author only.
    Held,
    /// Public.
    Approved,
    /// Judged spam; never public.
    Spam,
    /// Deleted, restorable; never public.
    Trash,
}

impl CommentStatus {
    /// The value stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Held => "held",
            Self::Approved => "approved",
            Self::Spam => "spam",
            Self::Trash => "trash",
        }
    }

    /// Reads a stored or typed value.
    pub fn parse(value: &str) -> Result<Self, DomainError> {
        match value {
            "held" => Ok(Self::Held),
            "approved" => Ok(Self::Approved),
            "spam" => Ok(Self::Spam),
            "trash" => Ok(Self::Trash),
            other => Err(DomainError::UnknownVariant {
                kind: "comment status",
                value: other.to_owned(),
            }),
        }
    }
}

/// A comment as the public side of the site may show it.
///
/// It deliberately has no email field: code that renders pages, feeds or the API cannot publish an
/// address it never receives. The avatar is a per-site keyed hash, computed when the comment was stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Comment {
    /// Database id and anchor.
    pub id: CommentId,
    /// The article it is under.
    pub article_id: ArticleId,
    /// The comment it replies to, if any (after depth clamping).
    pub parent_id: Option<CommentId>,
    /// Nesting level, 1 for a top-level comment.
    pub depth: u32,
    /// Materialised path of zero-padded ids; sorting by it gives thread order.
    pub path: String,
    /// Name as the commenter typed it.
    pub author_name: String,
    /// The commenter's website (http or https), if given.
    pub author_url: Option<String>,
    /// Hex keyed hash that the identicon is drawn from.
    pub avatar: String,
    /// Rendered, sanitised body.
    pub body_html: String,
    /// Moderation status.
    pub status: CommentStatus,
    /// Unix seconds of submission.
    pub created_at: i64,
    /// Its place in the order of approvals (live streams send what comes after what they sent);
    /// `None` for a comment never approved. Not part of any public answer.
    #[serde(skip)]
    pub approved_seq: Option<i64>,
}

/// An approved comment in a feed, with the article it is under.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedComment {
    /// The comment (approved, under a public article).
    pub comment: Comment,
    /// Its article's slug, for the link.
    pub article_slug: String,
    /// Its article's headline, for the entry's title.
    pub article_title: String,
}

/// A comment with what only staff may see: the email, network address and moderation reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StaffComment {
    /// The public part.
    pub comment: Comment,
    /// The commenter's email address. Never shown outside staff screens and the CLI.
    pub author_email: String,
    /// The address the comment came from, if known.
    pub ip: Option<String>,
    /// The browser's User-Agent, if sent.
    pub user_agent: Option<String>,
    /// Why it was held, if it was.
    pub held_reason: Option<String>,
    /// The Markdown the commenter wrote.
    pub body_markdown: String,
    /// Headline of the article it is under.
    pub article_title: String,
    /// Slug of the article it is under.
    pub article_slug: String,
}

/// What the store needs to insert a comment. Path and depth are the store's to compute, since they
/// need the new id and the parent's row, read in the same transaction.
#[derive(Debug, Clone)]
pub struct NewComment {
    /// The article it goes under.
    pub article_id: ArticleId,
    /// The comment it answers; must be approved and under the same article.
    pub parent_id: Option<CommentId>,
    /// Display name.
    pub author_name: String,
    /// Email, normalised to lower case.
    pub author_email: String,
    /// Website, if any.
    pub author_url: Option<String>,
    /// Hex keyed hash of the email, for the identicon.
    pub avatar: String,
    /// Markdown source.
    pub body_markdown: String,
    /// Rendered, sanitised HTML.
    pub body_html: String,
    /// Initial status decided by the moderation policy.
    pub status: CommentStatus,
    /// Why it is held (or marked spam), in words for the moderation queue.
    pub held_reason: Option<String>,
    /// Client address.
    pub ip: Option<String>,
    /// The client's /24 (IPv4) or /64 (IPv6) network, for rate limits.
    pub ip_network: Option<String>,
    /// Client User-Agent.
    pub user_agent: Option<String>,
    /// Set when a staff member replies from the moderation screen.
    pub staff_user_id: Option<crate::UserId>,
    /// Unix seconds.
    pub created_at: i64,
    /// Nesting limit in force: a reply to a comment at this depth attaches beside it instead.
    pub max_depth: u32,
    /// Limits checked inside the insert's own transaction, so that a burst of concurrent posts
    /// cannot all pass a check made before any of them was written. `None` for staff replies.
    pub guard: Option<CommentGuard>,
}

/// What a new comment must not exceed, decided atomically with its insert.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CommentGuard {
    /// Comments are counted from this time (unix seconds).
    pub since: i64,
    /// Most comments from the comment's address since then; 0 for no limit.
    pub per_ip: i64,
    /// Most comments from the comment's network since then; 0 for no limit.
    pub per_network: i64,
    /// Refuse it when the same email already posted exactly this text under this article.
    pub no_duplicate: bool,
}

impl CommentGuard {
    /// The store's `Conflict` reason for a duplicate.
    pub const DUPLICATE: &'static str = "duplicate comment";
    /// The store's `Conflict` reason for an address over its limit.
    pub const ADDRESS_LIMIT: &'static str = "address comment limit";
    /// The store's `Conflict` reason for a network over its limit.
    pub const NETWORK_LIMIT: &'static str = "network comment limit";

    /// Which limit, if any, counts of `by_ip` and `by_network` earlier comments (and whether a
    /// duplicate exists) break.
    pub fn refusal(&self, by_ip: i64, by_network: i64, duplicate: bool) -> Option<&'static str> {
        if self.no_duplicate && duplicate {
            Some(Self::DUPLICATE)
        } else if self.per_ip > 0 && by_ip >= self.per_ip {
            Some(Self::ADDRESS_LIMIT)
        } else if self.per_network > 0 && by_network >= self.per_network {
            Some(Self::NETWORK_LIMIT)
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_round_trip_through_their_stored_text() {
        for s in [
            CommentStatus::Held,
            CommentStatus::Approved,
            CommentStatus::Spam,
            CommentStatus::Trash,
        ] {
            assert_eq!(CommentStatus::parse(s.as_str()), Ok(s));
        }
        assert!(CommentStatus::parse("Approved").is_err());
    }
}
