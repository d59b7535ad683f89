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
use gazette_core::editing::{ArticleForm, SaveAction};
use gazette_domain::records::{ArticleQuery, ArticleRow};
use gazette_domain::{
    Article, ArticleId, ArticleStatus, BodyFormat, Page, Permission, User, UserId,
};
use serde::{Deserialize, Serialize};

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ListQuery {
    status: String,
    author: String,
    category: String,
    q: String,
    page: Option<String>,
    notice: Option<String>,
}

#[derive(Debug, Serialize)]
struct ListPage {
    #[serde(flatten)]
    admin: AdminContext,
    articles: Page<ArticleRow>,
    total_pages: u32,
    status: String,
    author: String,
    category: String,
    q: String,
    authors: Vec<Byline>,
    can_edit_all: bool,
    filter_query: String,
}

#[derive(Debug, Serialize)]
struct Byline {
    id: i64,
    name: String,
}

fn bylines(users: Vec<User>) -> Vec<Byline> {
    users
        .into_iter()
        .filter(|u| u.password_hash.is_some() || u.username == "gazette")
        .map(|u| Byline {
            id: u.id.0,
            name: u.display_name,
        })
        .collect()
}

/// `GET /admin/articles`: filters by status, author and category, a title search, and pages.
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
    let status = match q.status.as_str() {
        "" => None,
        other => Some(ArticleStatus::parse(other).map_err(|_| {
            AppError::BadRequest("status must be draft, published or trash.".into())
        })?),
    };
    let author = match q.author.as_str() {
        "" => None,
        other => {
            Some(UserId(other.parse().map_err(|_| {
                AppError::BadRequest("author must be an id.".into())
            })?))
        }
    };
    let filter = ArticleQuery {
        status,
        author,
        category: Some(q.category.trim().to_owned()).filter(|c| !c.is_empty()),
        title: Some(q.q.trim().to_owned()).filter(|t| !t.is_empty()),
    };
    let articles = state.site.newsroom_articles(&staff, filter, page).await?;
    let total_pages = articles.total_pages();
    let filter_query = form_urlencoded::Serializer::new(String::new())
        .append_pair("status", &q.status)
        .append_pair("author", &q.author)
        .append_pair("category", &q.category)
        .append_pair("q", &q.q)
        .finish();
    let view = ListPage {
        admin: AdminContext::new(&state, &staff, "Articles", q.notice.as_deref()).await?,
        articles,
        total_pages,
        status: q.status,
        author: q.author,
        category: q.category,
        q: q.q,
        authors: bylines(state.site.bylines(&staff).await?),
        can_edit_all: staff.can(Permission::EditAllArticles),
        filter_query,
    };
    render(&state, "admin_articles.html", &view, StatusCode::OK)
}

/// The editor's fields as posted.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct EditorFields {
    csrf: String,
    action: String,
    title: String,
    slug: String,
    body: String,
    format: String,
    excerpt: String,
    categories: String,
    tags: String,
    author: String,
    comments_open: Option<String>,
    publish_at: String,
    version: i64,
    featured_image: String,
    /// Repeated: one per co-author chosen in the multiple select.
    coauthors: Vec<String>,
}

impl EditorFields {
    fn to_form(&self) -> Result<ArticleForm, AppError> {
        let author = match self.author.trim() {
            "" => None,
            id => Some(UserId(id.parse().map_err(|_| {
                AppError::BadRequest("author must be an id.".into())
            })?)),
        };
        let featured_image = match self.featured_image.trim() {
            "" => None,
            id => Some(gazette_domain::MediaId(id.parse().map_err(|_| {
                AppError::BadRequest("featured_image must be an id.".into())
            })?)),
        };
        let coauthors = self
            .coauthors
            .iter()
            .filter(|id| !id.trim().is_empty())
            .map(|id| {
                id.trim()
                    .parse()
                    .map(UserId)
                    .map_err(|_| AppError::BadRequest("coauthors must be ids.".into()))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(ArticleForm {
            coauthors,
            featured_image,
            title: self.title.clone(),
            slug: self.slug.clone(),
            body_markdown: self.body.clone(),
            body_format: body_format(&self.format)?,
            excerpt: self.excerpt.clone(),
            categories: self.categories.clone(),
            tags: self.tags.clone(),
            author,
            comments_open: self.comments_open.is_some(),
            publish_at: self.publish_at.clone(),
            version: self.version,
        })
    }
}

/// The editor's "Body format" choice: Markdown unless HTML is chosen (as an import keeps it).
pub(super) fn body_format(value: &str) -> Result<BodyFormat, AppError> {
    match value {
        "" | "markdown" => Ok(BodyFormat::Markdown),
        "html" => Ok(BodyFormat::Html),
        _ => Err(AppError::BadRequest(
            "The body format must be markdown or html.".into(),
        )),
    }
}

#[derive(Debug, Serialize)]
struct EditorPage {
    #[serde(flatten)]
    admin: AdminContext,
    id: Option<i64>,
    fields: EditorView,
    error: Option<String>,
    preview: Option<String>,
    authors: Vec<Byline>,
    can_edit_all: bool,
    status: String,
    public_url: Option<String>,
    published_at: Option<i64>,
    updated_at: Option<i64>,
    corrections: Vec<gazette_domain::Correction>,
    /// The images an editor may feature: the newest of the library, and the chosen one.
    images: Vec<gazette_domain::Media>,
}

#[derive(Debug, Default, Serialize)]
struct EditorView {
    title: String,
    slug: String,
    body: String,
    format: String,
    excerpt: String,
    categories: String,
    tags: String,
    author: String,
    comments_open: bool,
    publish_at: String,
    version: i64,
    featured_image: String,
    coauthors: Vec<String>,
}

impl EditorView {
    fn of(article: &Article) -> Self {
        Self {
            title: article.title.clone(),
            slug: article.slug.clone(),
            body: article.body_markdown.clone(),
            format: article.body_format.as_str().to_owned(),
            excerpt: article.excerpt.clone(),
            categories: article
                .categories
                .iter()
                .map(|t| t.name.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            tags: article
                .tags
                .iter()
                .map(|t| t.name.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            author: article.author.id.0.to_string(),
            comments_open: article.comments_open,
            publish_at: String::new(),
            version: article.version,
            featured_image: article
                .featured_image
                .as_ref()
                .map(|m| m.id.0.to_string())
                .unwrap_or_default(),
            coauthors: article
                .authors
                .iter()
                .skip(1)
                .map(|a| a.id.0.to_string())
                .collect(),
        }
    }

    fn from_fields(fields: &EditorFields) -> Self {
        Self {
            title: fields.title.clone(),
            slug: fields.slug.clone(),
            body: fields.body.clone(),
            format: fields.format.clone(),
            excerpt: fields.excerpt.clone(),
            categories: fields.categories.clone(),
            tags: fields.tags.clone(),
            author: fields.author.clone(),
            comments_open: fields.comments_open.is_some(),
            publish_at: fields.publish_at.clone(),
            version: fields.version,
            featured_image: fields.featured_image.clone(),
            coauthors: fields.coauthors.clone(),
        }
    }
}

struct EditorState<'a> {
    id: Option<ArticleId>,
    article: Option<&'a Article>,
    fields: EditorView,
    error: Option<String>,
    preview: Option<String>,
}

async fn editor(
    state: &AppState,
    staff: &Staff,
    editor: EditorState<'_>,
    notice: Option<&str>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let title = match editor.article {
        Some(a) => format!("Edit “{}”", a.title),
        None => "New article".to_owned(),
    };
    let now = state.site.now();
    let mut images: Vec<gazette_domain::Media> = state
        .site
        .media_library(staff, 1)
        .await?
        .items
        .into_iter()
        .filter(gazette_domain::Media::is_image)
        .collect();
    let chosen: Option<i64> = editor.fields.featured_image.parse().ok();
    if let Some(chosen) = chosen
        && !images.iter().any(|m| m.id.0 == chosen)
    {
        let current = editor
            .article
            .and_then(|a| a.featured_image.clone())
            .filter(|m| m.id.0 == chosen);
        let chosen = match current {
            Some(media) => Some(media),
            None => state
                .site
                .media_for_editing(staff, gazette_domain::MediaId(chosen))
                .await
                .ok()
                .map(|(media, _)| media),
        };
        images.extend(chosen);
    }
    let page = EditorPage {
        images,
        admin: AdminContext::new(state, staff, &title, notice).await?,
        id: editor.id.map(|id| id.0),
        fields: editor.fields,
        error: editor.error,
        preview: editor.preview,
        authors: bylines(state.site.bylines(staff).await?),
        can_edit_all: staff.can(Permission::EditAllArticles),
        status: match editor.article {
            Some(a)
                if a.status == ArticleStatus::Published
                    && a.published_at.is_some_and(|at| at > now) =>
            {
                "scheduled".into()
            }
            Some(a) => a.status.as_str().to_owned(),
            None => "new".into(),
        },
        public_url: editor
            .article
            .filter(|a| a.is_public(now))
            .map(|a| format!("/articles/{}", a.slug)),
        published_at: editor.article.and_then(|a| a.published_at),
        updated_at: editor.article.map(|a| a.updated_at),
        corrections: editor
            .article
            .map(|a| a.corrections.clone())
            .unwrap_or_default(),
    };
    render(state, "admin_editor.html", &page, status)
}

/// `GET /admin/articles/new`.
pub async fn new(
    State(state): State<AppState>,
    StaffSession(staff): StaffSession,
    query: Result<Query<NoticeQuery>, QueryRejection>,
) -> Result<Response, AppError> {
    staff
        .require(Permission::WriteOwnArticles)
        .map_err(AppError::from)?;
    let query = query.map(|Query(q)| q).unwrap_or_default();
    let fields = EditorView {
        author: staff.user.id.0.to_string(),
        comments_open: true,
        featured_image: featured_choice(query.featured.as_deref()),
        ..Default::default()
    };
    let view = EditorState {
        id: None,
        article: None,
        fields,
        error: None,
        preview: None,
    };
    editor(&state, &staff, view, None, StatusCode::OK).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NoticeQuery {
    notice: Option<String>,
    /// An image just uploaded from the editor, chosen (not yet saved) as the featured image.
    featured: Option<String>,
}

impl NoticeQuery {
    /// The notice code, if any.
    pub fn notice(self) -> Option<String> {
        self.notice
    }
}

/// `GET /admin/articles/{id}`.
pub async fn edit(
    State(state): State<AppState>,
    StaffSession(staff): StaffSession,
    Path(id): Path<String>,
    query: Result<Query<NoticeQuery>, QueryRejection>,
) -> Result<Response, AppError> {
    let id = crate::api::articles::parse_id(&id)?;
    let article = state.site.article_for_editing(&staff, id).await?;
    let query = query.map(|Query(q)| q).unwrap_or_default();
    let mut fields = EditorView::of(&article);
    if query.featured.is_some() {
        fields.featured_image = featured_choice(query.featured.as_deref());
    }
    let notice = query.notice;
    let view = EditorState {
        id: Some(id),
        article: Some(&article),
        fields,
        error: None,
        preview: None,
    };
    editor(&state, &staff, view, notice.as_deref(), StatusCode::OK).await
}

/// An image id from the address (digits only), or none.
fn featured_choice(value: Option<&str>) -> String {
    value
        .filter(|v| !v.is_empty() && v.len() < 20 && v.bytes().all(|b| b.is_ascii_digit()))
        .unwrap_or_default()
        .to_owned()
}

fn notice_for(action: SaveAction) -> &'static str {
    match action {
        SaveAction::Draft => "draft",
        SaveAction::Publish => "published",
        SaveAction::Schedule => "scheduled",
        SaveAction::Unpublish => "unpublished",
        SaveAction::Trash => "trashed",
        SaveAction::Restore => "restored",
    }
}

/// `POST /admin/articles`: creates an article (or shows a preview of the unsaved one).
pub async fn create(
    State(state): State<AppState>,
    StaffSession(staff): StaffSession,
    form: Result<axum_extra::extract::Form<EditorFields>, axum_extra::extract::FormRejection>,
) -> Result<Response, AppError> {
    let fields = super::auth::read_form_with_lists(form)?;
    check_csrf(&staff, &fields.csrf)?;
    if fields.action == "preview" {
        let view = EditorState {
            id: None,
            article: None,
            fields: EditorView::from_fields(&fields),
            error: None,
            preview: Some(
                state
                    .site
                    .preview_article(&staff, body_format(&fields.format)?, &fields.body)
                    .await?,
            ),
        };
        return editor(&state, &staff, view, None, StatusCode::OK).await;
    }
    let action = SaveAction::parse(&fields.action)
        .ok_or_else(|| AppError::BadRequest(
            "The form was sent with a button the editor does not have. Reload the editor and press Save, Publish or Schedule.".into(),
        ))?;
    match state
        .site
        .create_article(&staff, fields.to_form()?, action)
        .await
    {
        Ok(article) => Ok(Redirect::to(&format!(
            "/admin/articles/{}?notice={}",
            article.id.0,
            notice_for(action)
        ))
        .into_response()),
        Err(CoreError::BadInput(message) | CoreError::Conflict(message)) => {
            let view = EditorState {
                id: None,
                article: None,
                fields: EditorView::from_fields(&fields),
                error: Some(message),
                preview: None,
            };
            editor(&state, &staff, view, None, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(other) => Err(other.into()),
    }
}

/// `POST /admin/articles/{id}`: saves the editor (refusing a save over someone else's newer one).
pub async fn save(
    State(state): State<AppState>,
    StaffSession(staff): StaffSession,
    Path(id): Path<String>,
    form: Result<axum_extra::extract::Form<EditorFields>, axum_extra::extract::FormRejection>,
) -> Result<Response, AppError> {
    let id = crate::api::articles::parse_id(&id)?;
    let fields = super::auth::read_form_with_lists(form)?;
    check_csrf(&staff, &fields.csrf)?;
    let current = state.site.article_for_editing(&staff, id).await?;
    if fields.action == "preview" {
        let view = EditorState {
            id: Some(id),
            article: Some(&current),
            fields: EditorView::from_fields(&fields),
            error: None,
            preview: Some(
                state
                    .site
                    .preview_article(&staff, body_format(&fields.format)?, &fields.body)
                    .await?,
            ),
        };
        return editor(&state, &staff, view, None, StatusCode::OK).await;
    }
    let action = SaveAction::parse(&fields.action)
        .ok_or_else(|| AppError::BadRequest(
            "The form was sent with a button the editor does not have. Reload the editor and press Save, Publish or Schedule.".into(),
        ))?;
    let (message, status) = match state
        .site
        .save_article(&staff, id, fields.to_form()?, action)
        .await
    {
        Ok(article) => {
            return Ok(Redirect::to(&format!(
                "/admin/articles/{}?notice={}",
                article.id.0,
                notice_for(action)
            ))
            .into_response());
        }
        Err(CoreError::BadInput(message)) => (message, StatusCode::UNPROCESSABLE_ENTITY),
        Err(CoreError::Conflict(message)) => (message, StatusCode::CONFLICT),
        Err(other) => return Err(other.into()),
    };
    let view = EditorState {
        id: Some(id),
        article: Some(&current),
        fields: EditorView::from_fields(&fields),
        error: Some(message),
        preview: None,
    };
    editor(&state, &staff, view, None, status).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct StateFields {
    csrf: String,
    action: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CorrectionFields {
    csrf: String,
    correction: String,
}

/// `POST /admin/articles/{id}/corrections`: appends a dated correction to a published article.
pub async fn add_correction(
    State(state): State<AppState>,
    StaffSession(staff): StaffSession,
    Path(id): Path<String>,
    form: Result<Form<CorrectionFields>, FormRejection>,
) -> Result<Response, AppError> {
    let id = crate::api::articles::parse_id(&id)?;
    let fields = read_form(form)?;
    check_csrf(&staff, &fields.csrf)?;
    state
        .site
        .add_correction(&staff, id, &fields.correction)
        .await?;
    Ok(Redirect::to(&format!("/admin/articles/{}?notice=corrected", id.0)).into_response())
}

/// `POST /admin/articles/{id}/state`: trash, restore or unpublish from the list.
pub async fn change_state(
    State(state): State<AppState>,
    StaffSession(staff): StaffSession,
    Path(id): Path<String>,
    form: Result<Form<StateFields>, FormRejection>,
) -> Result<Response, AppError> {
    let id = crate::api::articles::parse_id(&id)?;
    let fields = read_form(form)?;
    check_csrf(&staff, &fields.csrf)?;
    let action = match SaveAction::parse(&fields.action) {
        Some(
            action @ (SaveAction::Trash
            | SaveAction::Restore
            | SaveAction::Unpublish
            | SaveAction::Publish),
        ) => action,
        _ => {
            return Err(AppError::BadRequest(
                "The action must be trash, restore, unpublish or publish.".into(),
            ));
        }
    };
    state.site.change_article_state(&staff, id, action).await?;
    Ok(Redirect::to(&format!("/admin/articles?notice={}", notice_for(action))).into_response())
}
