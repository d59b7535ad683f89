//! Static pages (`/about`, `/contact`): what readers see, and the editor editors and admins use.

use crate::auth::Staff;
use crate::publishing::{BODY_MAX_BYTES, TITLE_MAX};
use crate::{CoreError, CoreResult, Site};
use gazette_domain::records::NewAudit;
use gazette_domain::slugs::{is_slug, slugify};
use gazette_domain::static_page::{MAX_TRAIL, is_reserved};
use gazette_domain::{
    ArticleStatus, BodyFormat, Crumb, NewStaticPage, Page, PageId, PageRequest, Permission,
    StaticPage, StaticPageRow, StaticPageUpdate,
};
use gazette_store::StoreError;

/// The page editor as submitted.
#[derive(Debug, Clone, Default)]
pub struct PageForm {
    /// Heading.
    pub title: String,
    /// Address; empty derives it from the title.
    pub slug: String,
    /// The body, in `body_format`.
    pub body: String,
    /// Markdown or HTML.
    pub body_format: BodyFormat,
    /// The page it sits under.
    pub parent: Option<PageId>,
    /// The version the editor loaded (0 for a new page).
    pub version: i64,
}

/// The page editor's buttons.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageAction {
    /// Keep it private.
    Draft,
    /// Public now.
    Publish,
    /// To the trash.
    Trash,
    /// Out of the trash, as a draft.
    Restore,
}

impl PageAction {
    /// Reads the button's value.
    pub fn parse(value: &str) -> Option<Self> {
        Some(match value {
            "draft" | "unpublish" => Self::Draft,
            "publish" => Self::Publish,
            "trash" => Self::Trash,
            "restore" => Self::Restore,
            _ => return None,
        })
    }

    fn status(self) -> ArticleStatus {
        match self {
            Self::Draft | Self::Restore => ArticleStatus::Draft,
            Self::Publish => ArticleStatus::Published,
            Self::Trash => ArticleStatus::Trash,
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Publish => "publish",
            Self::Trash => "trash",
            Self::Restore => "restore",
        }
    }
}

/// A slug a page may have: a slug, and not one of Gazette's own first path segments.
pub fn page_slug(wanted: &str) -> String {
    let slug = slugify(wanted);
    if is_reserved(&slug) {
        format!("{slug}-page")
    } else {
        slug
    }
}

impl Site {
    /// A published page by its address, with its breadcrumb (its published parents).
    pub async fn public_page(&self, slug: &str) -> CoreResult<(StaticPage, Vec<Crumb>)> {
        let page = self.store.page_by_slug(slug).await?;
        if !page.is_public() {
            return Err(CoreError::NotFound("page"));
        }
        let trail = match page.parent_id {
            Some(_) => self.store.page_trail(page.id).await?,
            None => Vec::new(),
        };
        Ok((page, trail))
    }

    /// One page of the admin's list of pages.
    pub async fn newsroom_pages(
        &self,
        staff: &Staff,
        page: u32,
    ) -> CoreResult<Page<StaticPageRow>> {
        staff.require(Permission::EditAllArticles)?;
        Ok(self.store.admin_pages(PageRequest::new(page, 50)).await?)
    }

    /// Every page, for the editor's parent choice (at most 500, by title).
    pub async fn parent_choices(&self, staff: &Staff) -> CoreResult<Vec<StaticPageRow>> {
        staff.require(Permission::EditAllArticles)?;
        Ok(self
            .store
            .admin_pages(PageRequest::new(1, 500))
            .await?
            .items)
    }

    /// A page to edit.
    pub async fn page_for_editing(&self, staff: &Staff, id: PageId) -> CoreResult<StaticPage> {
        staff.require(Permission::EditAllArticles)?;
        Ok(self.store.page_by_id(id).await?)
    }

    /// The checked, rendered page a save stores (its slug still to be made unique).
    async fn checked_page(
        &self,
        staff: &Staff,
        form: &PageForm,
        id: Option<PageId>,
        status: ArticleStatus,
    ) -> CoreResult<NewStaticPage> {
        let title = form.title.trim();
        if title.is_empty() {
            return Err(CoreError::BadInput("A page needs a title.".into()));
        }
        if title.chars().count() > TITLE_MAX {
            return Err(CoreError::BadInput(format!(
                "A title is at most {TITLE_MAX} characters."
            )));
        }
        if form.body.len() > BODY_MAX_BYTES {
            return Err(CoreError::BadInput("A page body is at most 1 MiB.".into()));
        }
        let slug = match form.slug.trim() {
            "" => page_slug(title),
            given if !is_slug(given) => {
                return Err(CoreError::BadInput(format!(
                    "The slug {given:?} must be lower-case letters, digits and dashes, like about-us."
                )));
            }
            given if is_reserved(given) => {
                return Err(CoreError::BadInput(format!(
                    "/{given} is one of Gazette's own addresses; choose another slug."
                )));
            }
            given => given.to_owned(),
        };
        if let Some(parent) = form.parent {
            self.check_parent(id, parent).await?;
        }
        let now = self.now();
        Ok(NewStaticPage {
            slug,
            title: title.to_owned(),
            body_html: self.render_body(form.body_format, &form.body).await?,
            body_source: form.body.clone(),
            body_format: form.body_format,
            parent_id: form.parent,
            author_id: staff.user.id,
            status,
            created_at: now,
            updated_at: now,
        })
    }

    /// A parent must exist and must not be the page itself or one of the pages under it.
    async fn check_parent(&self, page: Option<PageId>, parent: PageId) -> CoreResult<()> {
        if Some(parent) == page {
            return Err(CoreError::BadInput(
                "A page cannot be its own parent.".into(),
            ));
        }
        self.store.page_by_id(parent).await.map_err(|e| match e {
            StoreError::NotFound(_) => {
                CoreError::BadInput("That parent page does not exist.".into())
            }
            other => other.into(),
        })?;
        let trail = self.store.page_trail(parent).await?;
        if page.is_some_and(|id| trail.iter().any(|crumb| crumb.id == id)) {
            return Err(CoreError::BadInput(
                "That parent is filed under this page; a page cannot sit under itself.".into(),
            ));
        }
        if trail.len() + 1 >= MAX_TRAIL {
            return Err(CoreError::BadInput(format!(
                "Pages nest at most {MAX_TRAIL} deep."
            )));
        }
        Ok(())
    }

    /// Creates a page from the editor.
    pub async fn create_page(
        &self,
        staff: &Staff,
        form: PageForm,
        action: PageAction,
    ) -> CoreResult<StaticPage> {
        staff.require(Permission::EditAllArticles)?;
        let new = self
            .checked_page(staff, &form, None, action.status())
            .await?;
        let explicit = !form.slug.trim().is_empty();
        let base = new.slug.clone();
        let mut attempt = 1;
        let page = loop {
            let candidate = if attempt == 1 {
                base.clone()
            } else {
                format!("{base}-{attempt}")
            };
            match self
                .store
                .create_page(NewStaticPage {
                    slug: candidate,
                    ..new.clone()
                })
                .await
            {
                Err(StoreError::Conflict(_)) if !explicit && attempt < 50 => attempt += 1,
                Err(StoreError::Conflict(_)) => {
                    return Err(CoreError::Conflict(
                        "Another page already has that slug; choose another.".into(),
                    ));
                }
                other => break other?,
            }
        };
        self.audit_page(staff, &page, action).await?;
        self.everything_changed().await?;
        Ok(page)
    }

    /// Saves the editor over a page, unless someone else saved it since it was opened.
    pub async fn save_page(
        &self,
        staff: &Staff,
        id: PageId,
        form: PageForm,
        action: PageAction,
    ) -> CoreResult<StaticPage> {
        let current = self.page_for_editing(staff, id).await?;
        let form = PageForm {
            slug: match form.slug.trim() {
                "" => current.slug.clone(),
                _ => form.slug.clone(),
            },
            ..form
        };
        let mut page = self
            .checked_page(staff, &form, Some(id), action.status())
            .await?;
        page.created_at = current.created_at;
        page.author_id = current.author.id;
        let saved = self
            .store
            .update_page(
                id,
                StaticPageUpdate {
                    expected_version: form.version,
                    page,
                },
            )
            .await
            .map_err(|e| match e {
                StoreError::Conflict("page version") => CoreError::Conflict(
                    "Someone else saved this page after you opened it. Your changes were not saved: \
                     open the page again to see theirs, then make yours."
                        .into(),
                ),
                StoreError::Conflict(_) => {
                    CoreError::Conflict("Another page already has that slug; choose another.".into())
                }
                other => other.into(),
            })?;
        self.audit_page(staff, &saved, action).await?;
        self.everything_changed().await?;
        Ok(saved)
    }

    async fn audit_page(
        &self,
        staff: &Staff,
        page: &StaticPage,
        action: PageAction,
    ) -> CoreResult<()> {
        self.store
            .record_audit(NewAudit {
                at: self.now(),
                actor: Some(staff.user.id),
                actor_name: staff.user.display_name.clone(),
                action: format!("page.{}", action.as_str()),
                comment_id: None,
                article_id: None,
                detail: format!("/{} {}", page.slug, page.title),
            })
            .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_slugs_never_take_gazettes_own_addresses() {
        assert_eq!(page_slug("About us"), "about-us");
        assert_eq!(page_slug("Admin"), "admin-page");
        assert_eq!(page_slug("Feed"), "feed-page");
    }

    #[test]
    fn buttons_parse_by_name() {
        assert_eq!(PageAction::parse("unpublish"), Some(PageAction::Draft));
        assert_eq!(PageAction::parse("schedule"), None);
    }
}
