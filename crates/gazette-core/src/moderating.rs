use crate::auth::Staff;
use crate::spam::comment_tokens;
use crate::{CoreError, CoreResult, Site};
use gazette_domain::records::{
    AuditEntry, Ban, BanKind, CommentEdit, CommentFilter, NewAudit, NewBan, StatusChange, Training,
};
use gazette_domain::{
    CommentDraft, CommentId, CommentStatus, NewComment, Page, PageRequest, Permission, StaffComment,
};

/// Who is acting: a logged-in staff member, or the operator at the command line.
#[derive(Debug, Clone, Copy)]
pub enum Actor<'a> {
    /// A staff member, whose role is checked.
    Staff(&'a Staff),
    /// The `gazette` command line: whoever can run it owns the site.
    Operator,
}

impl Actor<'_> {
    fn require(&self, permission: Permission) -> CoreResult<()> {
        match self {
            Actor::Staff(staff) => staff.require(permission),
            Actor::Operator => Ok(()),
        }
    }

    pub(crate) fn audit(&self, at: i64, action: &str) -> NewAudit {
        let (actor, actor_name) = match self {
            Actor::Staff(staff) => (Some(staff.user.id), staff.user.display_name.clone()),
            Actor::Operator => (None, "command line".to_owned()),
        };
        NewAudit {
            at,
            actor,
            actor_name,
            action: action.to_owned(),
            comment_id: None,
            article_id: None,
            detail: String::new(),
        }
    }
}

/// What a moderator does to a comment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Moderation {
    /// Make it public (teaches the classifier "not spam").
    Approve,
    /// Send it back to the queue.
    Unapprove,
    /// Mark it spam (teaches the classifier "spam").
    Spam,
    /// It was not spam after all: publish it (teaches "not spam").
    NotSpam,
    /// Move it to the trash.
    Trash,
    /// Take it out of the trash, back to the queue.
    Restore,
}

impl Moderation {
    /// Reads the action named in a form or URL.
    pub fn parse(value: &str) -> Option<Self> {
        Some(match value {
            "approve" => Self::Approve,
            "unapprove" => Self::Unapprove,
            "spam" => Self::Spam,
            "not-spam" => Self::NotSpam,
            "trash" => Self::Trash,
            "restore" => Self::Restore,
            _ => return None,
        })
    }

    /// The name used in forms and the audit log.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Approve => "approve",
            Self::Unapprove => "unapprove",
            Self::Spam => "spam",
            Self::NotSpam => "not-spam",
            Self::Trash => "trash",
            Self::Restore => "restore",
        }
    }

    fn target(self) -> CommentStatus {
        match self {
            Self::Approve | Self::NotSpam => CommentStatus::Approved,
            Self::Unapprove | Self::Restore => CommentStatus::Held,
            Self::Spam => CommentStatus::Spam,
            Self::Trash => CommentStatus::Trash,
        }
    }

    fn training(self) -> Option<Training> {
        match self {
            Self::Approve | Self::NotSpam => Some(Training::Ham),
            Self::Spam => Some(Training::Spam),
            Self::Unapprove | Self::Trash | Self::Restore => None,
        }
    }
}

/// The most comments one bulk action touches.
pub const BULK_MAX: usize = 200;

impl Site {
    /// Applies a moderation action, writes the audit line and teaches the classifier, in one
    /// transaction; returns the comment as it now stands.
    pub async fn moderate(
        &self,
        actor: Actor<'_>,
        id: CommentId,
        action: Moderation,
    ) -> CoreResult<StaffComment> {
        actor.require(Permission::ModerateComments)?;
        let training = match action.training() {
            Some(training) => {
                let current = self.store.staff_comment(id).await?;
                let tokens = comment_tokens(
                    &current.body_markdown,
                    &current.comment.author_name,
                    current.comment.author_url.as_deref(),
                );
                Some((training, tokens))
            }
            None => None,
        };
        let mut audit = actor.audit(self.now(), &format!("comment.{}", action.as_str()));
        audit.comment_id = Some(id);
        let comment = self
            .store
            .set_comment_status(
                id,
                StatusChange {
                    status: action.target(),
                    audit: Some(audit),
                    training,
                },
            )
            .await?;
        self.discussion_changed(comment.comment.article_id).await?;
        tracing::info!(
            comment = id.0,
            action = action.as_str(),
            "comment moderated"
        );
        Ok(comment)
    }

    /// Applies one action to several comments; returns how many it changed. Missing ids are skipped.
    pub async fn moderate_many(
        &self,
        actor: Actor<'_>,
        ids: &[CommentId],
        action: Moderation,
    ) -> CoreResult<usize> {
        actor.require(Permission::ModerateComments)?;
        if ids.len() > BULK_MAX {
            return Err(CoreError::BadInput(format!(
                "Select at most {BULK_MAX} comments at once."
            )));
        }
        let mut changed = 0;
        for id in ids {
            match self.moderate(actor, *id, action).await {
                Ok(_) => changed += 1,
                Err(CoreError::NotFound(_)) => {}
                Err(other) => return Err(other),
            }
        }
        Ok(changed)
    }

    /// One page of comments for a moderation screen. Authors see only the comments under their
    /// own articles; roles without either permission are refused.
    pub async fn comments_for(
        &self,
        actor: Actor<'_>,
        mut filter: CommentFilter,
        page: u32,
        per_page: u32,
    ) -> CoreResult<Page<StaffComment>> {
        self.restrict_filter(actor, &mut filter)?;
        Ok(self
            .store
            .staff_comments(&filter, PageRequest::new(page, per_page))
            .await?)
    }

    /// How many comments each status tab holds for this screen.
    pub async fn comment_tab_counts(
        &self,
        actor: Actor<'_>,
        mut filter: CommentFilter,
    ) -> CoreResult<Vec<(CommentStatus, i64)>> {
        self.restrict_filter(actor, &mut filter)?;
        Ok(self.store.comment_status_counts(&filter).await?)
    }

    fn restrict_filter(&self, actor: Actor<'_>, filter: &mut CommentFilter) -> CoreResult<()> {
        if let Actor::Staff(staff) = actor
            && !staff.can(Permission::ModerateComments)
        {
            staff.require(Permission::SeeOwnArticleComments)?;
            filter.article_author = Some(staff.user.id);
        }
        Ok(())
    }

    /// One page of comments in `status` (the CLI's list).
    pub async fn comments_in(
        &self,
        status: CommentStatus,
        page: u32,
        per_page: u32,
    ) -> CoreResult<Page<StaffComment>> {
        let filter = CommentFilter {
            status: Some(status),
            ..Default::default()
        };
        self.comments_for(Actor::Operator, filter, page, per_page)
            .await
    }

    /// A comment with its staff-only details.
    pub async fn staff_comment(&self, actor: Actor<'_>, id: CommentId) -> CoreResult<StaffComment> {
        actor.require(Permission::ModerateComments)?;
        Ok(self.store.staff_comment(id).await?)
    }

    /// Corrects a comment's name, website or text (checked like a reader's, rendered again).
    pub async fn edit_comment(
        &self,
        actor: Actor<'_>,
        id: CommentId,
        name: &str,
        website: &str,
        body: &str,
    ) -> CoreResult<StaffComment> {
        actor.require(Permission::ModerateComments)?;
        let current = self.store.staff_comment(id).await?;
        let valid = CommentDraft {
            body: body.to_owned(),
            name: name.to_owned(),
            email: current.author_email.clone(),
            website: website.to_owned(),
            parent: String::new(),
        }
        .validate()
        .map_err(CoreError::Invalid)?;
        let body_html = self.render_comment(&valid.body).await?;
        let mut audit = actor.audit(self.now(), "comment.edit");
        audit.comment_id = Some(id);
        audit.article_id = Some(current.comment.article_id);
        let edited = self
            .store
            .edit_comment(
                id,
                CommentEdit {
                    author_name: valid.name,
                    author_url: valid.website,
                    body_html,
                    body_markdown: valid.body,
                },
                audit,
            )
            .await?;
        self.discussion_changed(current.comment.article_id).await?;
        Ok(edited)
    }

    /// Deletes a comment for good; only from Spam or Trash, so nothing public vanishes by one click.
    pub async fn delete_comment(&self, actor: Actor<'_>, id: CommentId) -> CoreResult<()> {
        actor.require(Permission::ModerateComments)?;
        let current = self.store.staff_comment(id).await?;
        if !matches!(
            current.comment.status,
            CommentStatus::Spam | CommentStatus::Trash
        ) {
            return Err(CoreError::Conflict(
                "Only comments in Spam or Trash can be deleted permanently. Move it to the trash first.".into(),
            ));
        }
        let mut audit = actor.audit(self.now(), "comment.delete");
        audit.comment_id = Some(id);
        audit.article_id = Some(current.comment.article_id);
        audit.detail = format!(
            "by {}: {}",
            current.comment.author_name,
            clip(&current.body_markdown, 80)
        );
        self.store.delete_comment(id, audit).await?;
        self.discussion_changed(current.comment.article_id).await?;
        Ok(())
    }

    /// Answers a comment as staff: published at once, under the staff member's name.
    pub async fn reply_as_staff(
        &self,
        staff: &Staff,
        parent: CommentId,
        body: &str,
    ) -> CoreResult<gazette_domain::Comment> {
        staff.require(Permission::ModerateComments)?;
        let parent = self.store.staff_comment(parent).await?;
        if parent.comment.status != CommentStatus::Approved {
            return Err(CoreError::Conflict(
                "Approve the comment before replying to it.".into(),
            ));
        }
        let valid = CommentDraft {
            body: body.to_owned(),
            name: staff.user.display_name.clone(),
            email: staff.user.email.clone(),
            website: String::new(),
            parent: parent.comment.id.0.to_string(),
        }
        .validate()
        .map_err(CoreError::Invalid)?;
        let settings = self.settings().await?;
        let body_html = self.render_comment(&valid.body).await?;
        let comment = self
            .store
            .insert_comment(NewComment {
                article_id: parent.comment.article_id,
                parent_id: valid.parent_id,
                author_name: valid.name,
                avatar: self.secrets.avatar_hash(&valid.email),
                author_email: valid.email,
                author_url: None,
                body_html,
                body_markdown: valid.body,
                status: CommentStatus::Approved,
                held_reason: None,
                ip: None,
                ip_network: None,
                user_agent: None,
                staff_user_id: Some(staff.user.id),
                created_at: self.now(),
                max_depth: settings.max_depth,
                guard: None,
            })
            .await?;
        let mut audit = Actor::Staff(staff).audit(self.now(), "comment.reply");
        audit.comment_id = Some(comment.id);
        audit.article_id = Some(comment.article_id);
        audit.detail = format!("in reply to comment {}", parent.comment.id);
        self.store.record_audit(audit).await?;
        self.discussion_changed(comment.article_id).await?;
        Ok(comment)
    }

    /// Bans an email address or a client address, optionally trashing what they posted.
    pub async fn ban(
        &self,
        staff: &Staff,
        kind: BanKind,
        value: &str,
        reason: &str,
        hide_history: bool,
    ) -> CoreResult<Ban> {
        staff.require(Permission::ModerateComments)?;
        let value = match kind {
            BanKind::Email => {
                let email = value.trim().to_lowercase();
                if !email.contains('@') || email.len() > 254 {
                    return Err(CoreError::BadInput(format!(
                        "{email:?} is not an email address."
                    )));
                }
                email
            }
            BanKind::Ip => value
                .trim()
                .parse::<std::net::IpAddr>()
                .map_err(|_| {
                    CoreError::BadInput(format!("{:?} is not an IP address.", value.trim()))
                })?
                .to_canonical()
                .to_string(),
        };
        if reason.chars().count() > 500 {
            return Err(CoreError::BadInput(
                "A reason is at most 500 characters.".into(),
            ));
        }
        let ban = self
            .store
            .create_ban(NewBan {
                kind,
                value: value.clone(),
                reason: reason.trim().to_owned(),
                hide_history,
                created_at: self.now(),
                created_by: staff.user.clone(),
            })
            .await
            .map_err(|e| match e {
                gazette_store::StoreError::Conflict(_) => {
                    CoreError::Conflict(format!("{value} is banned already."))
                }
                other => other.into(),
            })?;
        if hide_history {
            self.everything_changed().await?;
        }
        Ok(ban)
    }

    /// Every ban.
    pub async fn bans(&self, staff: &Staff) -> CoreResult<Vec<Ban>> {
        staff.require(Permission::ModerateComments)?;
        Ok(self.store.bans().await?)
    }

    /// Lifts a ban.
    pub async fn lift_ban(&self, staff: &Staff, id: i64) -> CoreResult<()> {
        staff.require(Permission::ModerateComments)?;
        let mut audit = Actor::Staff(staff).audit(self.now(), "ban.delete");
        audit.detail = format!("ban {id} lifted");
        Ok(self.store.delete_ban(id, audit).await?)
    }

    /// One page of the audit log; admins only.
    pub async fn audit_log(&self, staff: &Staff, page: u32) -> CoreResult<Page<AuditEntry>> {
        staff.require(Permission::ReadAuditLog)?;
        Ok(self.store.audit_log(PageRequest::new(page, 50)).await?)
    }
}

fn clip(text: &str, width: usize) -> String {
    let mut out: String = text.chars().take(width).collect();
    if text.chars().count() > width {
        out.push('…');
    }
    out
}
