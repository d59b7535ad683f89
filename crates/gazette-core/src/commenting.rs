use crate::{CoreError, CoreResult, Site};
use gazette_domain::{Comment, CommentDraft, Field, FieldErrors, NewComment};
use gazette_store::StoreError;

/// Where a comment came from, for moderation and (later) rate limits.
#[derive(Debug, Clone, Default)]
pub struct Submitter {
    /// Client address, if known.
    pub ip: Option<String>,
    /// Client User-Agent, if sent (cut to 255 characters).
    pub user_agent: Option<String>,
}

impl Site {
    /// Validates and stores a comment under the public article `slug`, held or approved as the
    /// moderation policy decides. Returns only once the comment is committed.
    ///
    /// Refusals store nothing: `NotFound` (no such public article), `CommentsClosed`, or
    /// `Invalid` with one message per field to fix.
    pub async fn submit_comment(
        &self,
        slug: &str,
        draft: &CommentDraft,
        from: Submitter,
    ) -> CoreResult<Comment> {
        let article = self.public_article(slug).await?;
        if !self.accepts_comments(&article) {
            return Err(CoreError::CommentsClosed);
        }
        let valid = draft.validate().map_err(CoreError::Invalid)?;
        let body_html = gazette_render::render_comment(&valid.body);
        if gazette_render::markdown::is_blank(&body_html) {
            let mut errors = FieldErrors::default();
            errors.add(
                Field::Comment,
                "Your comment has no text once formatting is removed.",
            );
            return Err(CoreError::Invalid(errors));
        }
        let has_approved = self.store.has_approved_comment_from(&valid.email).await?;
        let (status, held_reason) = self.config.comments.moderation.decide(has_approved);
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
            user_agent: from.user_agent.map(|ua| ua.chars().take(255).collect()),
            created_at: self.now(),
            max_depth: self.config.comments.max_depth,
        };
        match self.store.insert_comment(new).await {
            Ok(comment) => {
                tracing::info!(
                    comment = comment.id.0,
                    article = article.id.0,
                    status = comment.status.as_str(),
                    "comment submitted"
                );
                Ok(comment)
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
