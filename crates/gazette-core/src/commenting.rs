use crate::{CoreError, CoreResult, Site};
use gazette_domain::{
    Article, Comment, CommentDraft, CommentGuard, CommentStatus, CommenterHistory, Field,
    FieldErrors, NewComment, ValidComment,
};
use gazette_store::StoreError;
use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

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
    /// is committed. The cheap checks come first, so a refusal costs little whoever sends it:
    /// validation (lengths, names), the honeypot, the form token, ban and duplicate (one read),
    /// the rate limit; only then is the body rendered (off the async threads, bounded) and judged
    /// by the word lists, links and classifier, then the moderation policy. The rate limit and the
    /// duplicate check are made again inside the insert's transaction, so a burst of concurrent
    /// posts cannot all pass them.
    ///
    /// Refusals store nothing: `NotFound`, `CommentsClosed`, `Invalid` (per field, or the form),
    /// `Refused` (banned), `RateLimited`. A robot (the honeypot filled in) meets the same limits
    /// and is stored as spam; beyond them it gets `Discarded`, to be answered as if accepted.
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
        if !submission.honeypot.trim().is_empty() {
            return self.submit_robot_comment(&article, valid, from).await;
        }
        self.check_form_token(article.id, &submission.form_token)?;
        self.check_reserved_name(&valid.name).await?;
        // Ban, duplicate and approval history in one read; the layers still act in order.
        let signals = self
            .store
            .commenter_signals(
                article.id,
                &valid.email,
                &valid.name,
                &valid.body,
                from.ip.as_deref(),
            )
            .await?;
        if signals.banned {
            return Err(CoreError::Refused(
                "Your comment could not be posted on this site.".into(),
            ));
        }
        self.check_rate(from.ip.as_deref()).await?;
        Self::check_duplicate(signals.duplicate)?;
        let body_html = self.render_comment(&valid.body).await?;
        if gazette_render::markdown::is_blank(&body_html) {
            let mut errors = FieldErrors::default();
            errors.add(
                Field::Comment,
                "Your comment has no text once formatting is removed.",
            );
            return Err(CoreError::Invalid(errors));
        }
        let settings = self.settings().await?;
        let (status, held_reason) = match self.judge_content(&valid).await? {
            Some(verdict) => (verdict.status, Some(verdict.reason)),
            None => {
                let history = CommenterHistory::from_signals(
                    signals.has_approved,
                    signals.has_approved_with_name,
                );
                let (status, reason) = settings.moderation.decide(history);
                (status, reason.map(|r| r.describe().to_owned()))
            }
        };
        let new = self.new_comment(&article, valid, body_html, status, held_reason, from);
        match self.store.insert_comment(new).await {
            Ok(comment) => self.submitted(&article, comment).await,
            Err(StoreError::NotFound("parent comment")) => {
                let mut errors = FieldErrors::default();
                errors.add(
                    Field::Parent,
                    "The comment you are replying to is not available any more; post your comment without replying.",
                );
                Err(CoreError::Invalid(errors))
            }
            Err(StoreError::Refused(CommentGuard::DUPLICATE)) => Err(Self::check_duplicate(true)
                .err()
                .unwrap_or(CoreError::Discarded)),
            Err(StoreError::Refused(limit)) => Err(self.rate_limited(limit)),
            Err(other) => Err(other.into()),
        }
    }

    /// A comment whose honeypot was filled in: stored as spam (moderators see what robots send)
    /// within the same limits as everyone's, and otherwise dropped without storing anything. The
    /// robot learns nothing either way.
    async fn submit_robot_comment(
        &self,
        article: &Article,
        valid: ValidComment,
        from: Submitter,
    ) -> CoreResult<Submitted> {
        let signals = self
            .store
            .commenter_signals(
                article.id,
                &valid.email,
                &valid.name,
                &valid.body,
                from.ip.as_deref(),
            )
            .await?;
        if signals.banned || signals.duplicate || self.check_rate(from.ip.as_deref()).await.is_err()
        {
            return Err(CoreError::Discarded);
        }
        let body_html = self.render_comment(&valid.body).await?;
        let reason = "Honeypot: a field hidden from people was filled in".to_owned();
        let new = self.new_comment(
            article,
            valid,
            body_html,
            CommentStatus::Spam,
            Some(reason),
            from,
        );
        match self.store.insert_comment(new).await {
            Ok(comment) => {
                tracing::info!(comment = comment.id.0, "comment stored as spam (honeypot)");
                self.submitted(article, comment).await
            }
            Err(StoreError::Refused(_) | StoreError::NotFound(_)) => Err(CoreError::Discarded),
            Err(other) => Err(other.into()),
        }
    }

    fn new_comment(
        &self,
        article: &Article,
        valid: ValidComment,
        body_html: String,
        status: CommentStatus,
        held_reason: Option<String>,
        from: Submitter,
    ) -> NewComment {
        let spam = &self.config.spam;
        let ip_network = from.ip.as_deref().and_then(crate::spam::ip_network);
        NewComment {
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
            max_depth: self.cached_settings().max_depth,
            guard: Some(CommentGuard {
                since: self.now() - i64::from(spam.rate_window_seconds),
                per_ip: i64::from(spam.per_ip_limit),
                per_network: i64::from(spam.per_network_limit),
                no_duplicate: true,
            }),
        }
    }

    async fn submitted(&self, article: &Article, comment: Comment) -> CoreResult<Submitted> {
        if comment.status == CommentStatus::Approved {
            self.discussion_changed(comment.article_id).await?;
        }
        tracing::info!(
            comment = comment.id.0,
            article = article.id.0,
            status = comment.status.as_str(),
            "comment submitted"
        );
        // While the whole discussion fits on one page, the new comment is on the first; only
        // longer ones need counting where it landed.
        let per_page = self.settings().await?.comments_per_page;
        let page = if article.comment_count < i64::from(per_page) {
            1
        } else {
            self.comment_page(&comment).await?
        };
        Ok(Submitted { comment, page })
    }

    /// Refuses a reader's name that looks like a staff member's display name, so
    /// nobody posts as "Chief Editor" but the chief editor.
    async fn check_reserved_name(&self, name: &str) -> CoreResult<()> {
        let lookalike = gazette_domain::name_lookalike(name);
        if self.reserved_names().await?.contains(&lookalike) {
            let mut errors = FieldErrors::default();
            errors.add(
                Field::Name,
                "That name belongs to a member of the newsroom; please comment under your own name.",
            );
            return Err(CoreError::Invalid(errors));
        }
        Ok(())
    }

    /// The staff names' lookalike forms, read at most every 30 seconds.
    async fn reserved_names(&self) -> CoreResult<Arc<HashSet<String>>> {
        const FRESH_FOR: Duration = Duration::from_secs(30);
        if let Ok(cached) = self.reserved_names.lock()
            && let Some((read_at, names)) = cached.as_ref()
            && read_at.elapsed() < FRESH_FOR
        {
            return Ok(names.clone());
        }
        let names: HashSet<String> = self
            .store
            .users()
            .await?
            .iter()
            .map(|u| gazette_domain::name_lookalike(&u.display_name))
            .filter(|n| !n.is_empty())
            .collect();
        let names = Arc::new(names);
        if let Ok(mut cached) = self.reserved_names.lock() {
            *cached = Some((Instant::now(), names.clone()));
        }
        Ok(names)
    }

    /// Forgets the staff names read, after an account changed on this node.
    pub(crate) fn staff_changed(&self) {
        if let Ok(mut cached) = self.reserved_names.lock() {
            *cached = None;
        }
    }
}
