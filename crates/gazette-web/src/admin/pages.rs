//! `/admin/pages`: the list of static pages and their editor (editors and admins).

use super::articles::{NoticeQuery, body_format};
use super::auth::read_form;
use super::session::{AdminContext, StaffSession, check_csrf, render};
use crate::AppState;
use crate::error::AppError;
use crate::params::Params;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use gazette_core::CoreError;
use gazette_core::auth::Staff;
use gazette_core::pages::{PageAction, PageForm};
use gazette_domain::{ArticleStatus, Page, PageId, Permission, StaticPage, StaticPageRow};
use serde::{Deserialize, Serialize};

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ListQuery {
    page: Option<String>,
    notice: Option<String>,
}

#[derive(Debug, Serialize)]
struct ListView {
    #[serde(flatten)]
    admin: AdminContext,
    pages: Page<StaticPageRow>,
    total_pages: u32,
}

/// `GET /admin/pages`.
pub async fn list(
    State(state): State<AppState>,
    StaffSession(staff): StaffSession,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Response, AppError> {
    let Query(q) = query.map_err(|e| AppError::BadRequest(e.body_text()))?;
    let page = Params {
        page: q.page.clone(),
        ..Default::default()
    }
    .page()?;
    let pages = state.site.newsroom_pages(&staff, page).await?;
    let view = ListView {
        admin: AdminContext::new(&state, &staff, "Pages", q.notice.as_deref()).await?,
        total_pages: pages.total_pages(),
        pages,
    };
    render(&state, "admin_pages.html", &view, StatusCode::OK)
}

/// The page editor's fields as posted.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PageFields {
    csrf: String,
    action: String,
    title: String,
    slug: String,
    body: String,
    format: String,
    parent: String,
    version: i64,
}

impl PageFields {
    fn to_form(&self) -> Result<PageForm, AppError> {
        let parent = match self.parent.trim() {
            "" => None,
            id => Some(PageId(id.parse().map_err(|_| {
                AppError::BadRequest("parent must be a page id.".into())
            })?)),
        };
        Ok(PageForm {
            title: self.title.clone(),
            slug: self.slug.clone(),
            body: self.body.clone(),
            body_format: body_format(&self.format)?,
            parent,
            version: self.version,
        })
    }

    fn action(&self) -> Result<PageAction, AppError> {
        PageAction::parse(&self.action).ok_or_else(|| {
            AppError::BadRequest(
                "The form was sent with a button the editor does not have. Reload the editor and press Save or Publish.".into(),
            )
        })
    }
}

#[derive(Debug, Default, Serialize)]
struct PageFieldsView {
    title: String,
    slug: String,
    body: String,
    format: String,
    parent: String,
    version: i64,
}

impl PageFieldsView {
    fn of(page: &StaticPage) -> Self {
        Self {
            title: page.title.clone(),
            slug: page.slug.clone(),
            body: page.body_source.clone(),
            format: page.body_format.as_str().to_owned(),
            parent: page.parent_id.map(|p| p.0.to_string()).unwrap_or_default(),
            version: page.version,
        }
    }

    fn from_fields(fields: &PageFields) -> Self {
        Self {
            title: fields.title.clone(),
            slug: fields.slug.clone(),
            body: fields.body.clone(),
            format: fields.format.clone(),
            parent: fields.parent.clone(),
            version: fields.version,
        }
    }
}

#[derive(Debug, Serialize)]
struct EditorView {
    #[serde(flatten)]
    admin: AdminContext,
    id: Option<i64>,
    fields: PageFieldsView,
    status: &'static str,
    parents: Vec<StaticPageRow>,
    error: Option<String>,
    preview: Option<String>,
    public_url: Option<String>,
}

async fn editor(
    state: &AppState,
    staff: &Staff,
    page: Option<&StaticPage>,
    fields: PageFieldsView,
    feedback: (Option<String>, Option<String>),
    notice: Option<&str>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let title = match page {
        Some(p) => format!("Edit page “{}”", p.title),
        None => "New page".to_owned(),
    };
    let (error, preview) = feedback;
    let parents = state
        .site
        .parent_choices(staff)
        .await?
        .into_iter()
        .filter(|p| page.is_none_or(|current| current.id != p.id))
        .collect();
    let view = EditorView {
        admin: AdminContext::new(state, staff, &title, notice).await?,
        id: page.map(|p| p.id.0),
        fields,
        status: page.map_or("new", |p| p.status.as_str()),
        parents,
        error,
        preview,
        public_url: page
            .filter(|p| p.status == ArticleStatus::Published)
            .map(|p| format!("/{}", p.slug)),
    };
    render(state, "admin_page_editor.html", &view, status)
}

/// `GET /admin/pages/new`.
pub async fn new(
    State(state): State<AppState>,
    StaffSession(staff): StaffSession,
) -> Result<Response, AppError> {
    staff
        .require(Permission::EditAllArticles)
        .map_err(AppError::from)?;
    let fields = PageFieldsView::default();
    editor(
        &state,
        &staff,
        None,
        fields,
        (None, None),
        None,
        StatusCode::OK,
    )
    .await
}

/// `GET /admin/pages/{id}`.
pub async fn edit(
    State(state): State<AppState>,
    StaffSession(staff): StaffSession,
    Path(id): Path<String>,
    query: Result<Query<NoticeQuery>, QueryRejection>,
) -> Result<Response, AppError> {
    let id = PageId(crate::api::articles::parse_id(&id)?.0);
    let page = state.site.page_for_editing(&staff, id).await?;
    let notice = query.ok().and_then(|Query(q)| q.notice());
    let fields = PageFieldsView::of(&page);
    editor(
        &state,
        &staff,
        Some(&page),
        fields,
        (None, None),
        notice.as_deref(),
        StatusCode::OK,
    )
    .await
}

fn notice_for(action: PageAction) -> &'static str {
    match action {
        PageAction::Draft => "draft",
        PageAction::Publish => "published",
        PageAction::Trash => "trashed",
        PageAction::Restore => "restored",
    }
}

/// `POST /admin/pages` (new) and `POST /admin/pages/{id}` (save): preview, or save and go back
/// to the editor; a refused save shows the editor again with the message and what was typed.
async fn submit(
    state: &AppState,
    staff: &Staff,
    current: Option<&StaticPage>,
    fields: PageFields,
) -> Result<Response, AppError> {
    staff
        .require(Permission::EditAllArticles)
        .map_err(AppError::from)?;
    check_csrf(staff, &fields.csrf)?;
    let form = fields.to_form()?;
    if fields.action == "preview" {
        let preview = state
            .site
            .preview_article(staff, form.body_format, &form.body)
            .await?;
        let view = PageFieldsView::from_fields(&fields);
        return editor(
            state,
            staff,
            current,
            view,
            (None, Some(preview)),
            None,
            StatusCode::OK,
        )
        .await;
    }
    let action = fields.action()?;
    let saved = match current {
        Some(page) => state.site.save_page(staff, page.id, form, action).await,
        None => state.site.create_page(staff, form, action).await,
    };
    let (message, status) = match saved {
        Ok(page) => {
            return Ok(Redirect::to(&format!(
                "/admin/pages/{}?notice={}",
                page.id.0,
                notice_for(action)
            ))
            .into_response());
        }
        Err(CoreError::BadInput(message)) => (message, StatusCode::UNPROCESSABLE_ENTITY),
        Err(CoreError::Conflict(message)) => (message, StatusCode::CONFLICT),
        Err(other) => return Err(other.into()),
    };
    let view = PageFieldsView::from_fields(&fields);
    editor(
        state,
        staff,
        current,
        view,
        (Some(message), None),
        None,
        status,
    )
    .await
}

/// `POST /admin/pages`.
pub async fn create(
    State(state): State<AppState>,
    StaffSession(staff): StaffSession,
    form: Result<Form<PageFields>, FormRejection>,
) -> Result<Response, AppError> {
    let fields = read_form(form)?;
    submit(&state, &staff, None, fields).await
}

/// `POST /admin/pages/{id}`.
pub async fn save(
    State(state): State<AppState>,
    StaffSession(staff): StaffSession,
    Path(id): Path<String>,
    form: Result<Form<PageFields>, FormRejection>,
) -> Result<Response, AppError> {
    let id = PageId(crate::api::articles::parse_id(&id)?.0);
    let fields = read_form(form)?;
    let current = state.site.page_for_editing(&staff, id).await?;
    submit(&state, &staff, Some(&current), fields).await
}
