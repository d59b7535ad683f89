use crate::{CoreResult, Site};
use gazette_domain::{CommentId, CommentStatus, Page, PageRequest, StaffComment};

/// What a moderator does to a comment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Moderation {
    /// Make it public.
    Approve,
    /// Send it back to the queue.
    Unapprove,
    /// Mark it spam.
    Spam,
    /// Move it to the trash.
    Trash,
}

impl Moderation {
    fn target(self) -> CommentStatus {
        match self {
            Self::Approve => CommentStatus::Approved,
            Self::Unapprove => CommentStatus::Held,
            Self::Spam => CommentStatus::Spam,
            Self::Trash => CommentStatus::Trash,
        }
    }
}

impl Site {
    /// Applies a moderation action and returns the comment as it now stands.
    pub async fn moderate(&self, id: CommentId, action: Moderation) -> CoreResult<StaffComment> {
        let comment = self.store.set_comment_status(id, action.target()).await?;
        tracing::info!(
            comment = id.0,
            status = action.target().as_str(),
            "comment moderated"
        );
        Ok(comment)
    }

    /// One page of comments in `status`, newest first, with staff-only details.
    pub async fn comments_in(
        &self,
        status: CommentStatus,
        page: u32,
        per_page: u32,
    ) -> CoreResult<Page<StaffComment>> {
        Ok(self
            .store
            .staff_comments(status, PageRequest::new(page, per_page))
            .await?)
    }
}
