use crate::{CoreError, CoreResult, Site};
use gazette_domain::{Comment, CommentDraft, CommentStatus, Field, FieldErrors, NewComment};
use gazette_store::StoreError;

/// Where a comment came from, for moderation and rate limits.
#[derive(Debug, Clone, Default)]
pub struct Submitter {
    /// Client address, if known (behind a trusted proxy: the address it reports).
    pub ip: Option<String>,
    /// Client User-Agent, if sent (cut to 255 characters).
    pub user_agent: Option<String>,
}

/// A stored comment and the page of its discussion it appears on.
#[derive(Debug, Clone)]
pub struct Submitted {
    /// The comment as stored.
    pub comment: Comment,
    /// 1-based comment page it appears on (for the redirect to its anchor).
    pub page: u32,
}

/// The comment form as sent: the reader's fields plus the two the spam layers read.
#[derive(Debug, Clone, Default)]
pub struct Submission {
    /// What the reader typed.
    pub draft: CommentDraft,
    /// The field hidden from people; anything in it means a robot filled the form.
    pub honeypot: String,
    /// The signed token the page's form carried.
    pub form_token: String,
}

impl Site {
    /// Checks and stores a comment under the public article `slug`. Returns only once the comment
    /// is committed. The spam layers run in order, each refusing or deciding with a reason the
    /// moderation queue shows: validation, honeypot (stored as spam, answered as if accepted),
    /// form token, ban, rate limit, duplicate, word lists and links, classifier, then the policy.
    ///
    /// Refusals store nothing: `NotFound`, `CommentsClosed`, `Invalid` (per field, or the form),
    /// `Refused` (banned), `RateLimited`.
    pub async fn submit_comment(
        &self,
        slug: &str,
        submission: &Submission,
        from: Submitter,
    ) -> CoreResult<Submitted> {
        let article = self.public_article(slug).await?;
        if !self.accepts_comments(&article).await? {
            return Err(CoreError::CommentsClosed);
        }
        let valid = submission.draft.validate().map_err(CoreError::Invalid)?;
        let body_html = gazette_render::render_comment(&valid.body);
        if gazette_render::markdown::is_blank(&body_html) {
            let mut errors = FieldErrors::default();
            errors.add(
                Field::Comment,
                "Your comment has no text once formatting is removed.",
            );
            return Err(CoreError::Invalid(errors));
        }
        let honeypot_filled = !submission.honeypot.trim().is_empty();
        // Ban, duplicate and approval history in one read; the layers still act in order.
        let mut signals = gazette_store::CommenterSignals::default();
        if !honeypot_filled {
            self.check_form_token(article.id, &submission.form_token)?;
            signals = self
                .store
                .commenter_signals(article.id, &valid.email, &valid.body, from.ip.as_deref())
                .await?;
            if signals.banned {
                return Err(CoreError::Refused(
                    "Your comment could not be posted on this site.".into(),
                ));
            }
            self.check_rate(from.ip.as_deref()).await?;
            Self::check_duplicate(signals.duplicate)?;
        }
        let settings = self.settings().await?;
        let (status, held_reason) = match self.judge_content(&valid, &submission.honeypot).await? {
            Some(verdict) => (verdict.status, Some(verdict.reason)),
            None => {
                let (status, reason) = settings.moderation.decide(signals.has_approved);
                (status, reason.map(|r| r.describe().to_owned()))
            }
        };
        let ip_network = from.ip.as_deref().and_then(crate::spam::ip_network);
        let new = NewComment {
            article_id: article.id,
            parent_id: valid.parent_id,
            avatar: self.secrets.avatar_hash(&valid.email),
            author_name: valid.name,
            author_email: valid.email,
            author_url: valid.website,
            body_markdown: valid.body,
            body_html,
            status,
            held_reason,
            ip: from.ip,
            ip_network,
            user_agent: from.user_agent.map(|ua| ua.chars().take(255).collect()),
            staff_user_id: None,
            created_at: self.now(),
            max_depth: settings.max_depth,
        };
        match self.store.insert_comment(new).await {
            Ok(comment) => {
                if comment.status == CommentStatus::Approved {
                    self.discussion_changed(comment.article_id).await?;
                }
                tracing::info!(
                    comment = comment.id.0,
                    article = article.id.0,
                    status = comment.status.as_str(),
                    "comment submitted"
                );
                if comment.status == CommentStatus::Spam {
                    tracing::info!(comment = comment.id.0, "comment stored as spam");
                }
                // While the whole discussion fits on one page, the new comment is on the first;
                // only longer ones need counting where it landed.
                let page = if article.comment_count < i64::from(settings.comments_per_page) {
                    1
                } else {
                    self.comment_page(&comment).await?
                };
                Ok(Submitted { comment, page })
            }
            Err(StoreError::NotFound("parent comment")) => {
                let mut errors = FieldErrors::default();
                errors.add(
                    Field::Parent,
                    "The comment you are replying to is not available any more; post your comment without replying.",
                );
                Err(CoreError::Invalid(errors))
            }
            Err(other) => Err(other.into()),
        }
    }
}
