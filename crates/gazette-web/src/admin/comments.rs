use super::auth::read_form;
use super::session::{AdminContext, StaffSession, check_csrf, render};
use crate::AppState;
use crate::error::AppError;
use crate::params::Params;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Form, Path, Query, RawForm, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use gazette_core::CoreError;
use gazette_core::moderating::{Actor, Moderation};
use gazette_domain::records::CommentFilter;
use gazette_domain::{CommentId, CommentStatus, Permission, StaffComment};
use serde::{Deserialize, Serialize};

/// Comments per page of the queue.
const PER_PAGE: u32 = 50;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct QueueQuery {
    status: String,
    article: String,
    email: String,
    /// Words the comment's text, name or email must all hold (a search, across the tabs).
    q: String,
    page: Option<String>,
    notice: Option<String>,
}

#[derive(Debug, Serialize)]
struct Tab {
    status: &'static str,
    label: &'static str,
    count: i64,
    current: bool,
}

#[derive(Debug, Serialize)]
struct QueuePage {
    #[serde(flatten)]
    admin: AdminContext,
    tabs: Vec<Tab>,
    status: &'static str,
    comments: Vec<StaffComment>,
    page: u32,
    total_pages: u32,
    article: String,
    email: String,
    q: String,
    filter_query: String,
    can_moderate: bool,
    actions: Vec<(&'static str, &'static str)>,
    return_to: String,
}

fn comment_id(text: &str) -> Result<CommentId, AppError> {
    text.parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .map(CommentId)
        .ok_or_else(|| AppError::BadRequest(format!("{text:?} is not a comment id.")))
}

/// The actions that make sense from a tab, as (action, button label).
fn actions_for(status: CommentStatus) -> Vec<(&'static str, &'static str)> {
    match status {
        CommentStatus::Held => vec![("approve", "Approve"), ("spam", "Spam"), ("trash", "Trash")],
        CommentStatus::Approved => vec![
            ("unapprove", "Unapprove"),
            ("spam", "Spam"),
            ("trash", "Trash"),
        ],
        CommentStatus::Spam => vec![("not-spam", "Not spam"), ("delete", "Delete permanently")],
        CommentStatus::Trash => vec![("restore", "Restore"), ("delete", "Delete permanently")],
    }
}

/// `GET /admin/comments`: the queue, by status tab, filtered by article or author email, or
/// searched for words (each tab counts its matches, so a search covers every status).
pub async fn queue(
    State(state): State<AppState>,
    StaffSession(staff): StaffSession,
    query: Result<Query<QueueQuery>, QueryRejection>,
) -> Result<Response, AppError> {
    let Query(q) = query.map_err(|e| AppError::BadRequest(e.body_text()))?;
    let status = match q.status.as_str() {
        "" => CommentStatus::Held,
        other => CommentStatus::parse(other).map_err(|_| {
            AppError::BadRequest("status must be held, approved, spam or trash.".into())
        })?,
    };
    let page = Params {
        page: q.page.clone(),
        ..Default::default()
    }
    .page()?;
    let article = match q.article.trim() {
        "" => None,
        id => Some(crate::api::articles::parse_id(id)?),
    };
    let email = Some(q.email.trim().to_lowercase()).filter(|e| !e.is_empty());
    let words = gazette_domain::search::Terms::parse(&q.q)
        .map_err(|e| AppError::BadRequest(format!("The search is too long: {e}.")))?
        .words;
    let filter = CommentFilter {
        status: Some(status),
        article,
        email,
        article_author: None,
        words,
    };
    let actor = Actor::Staff(&staff);
    let counts = state.site.comment_tab_counts(actor, filter.clone()).await?;
    let comments = state
        .site
        .comments_for(actor, filter, page, PER_PAGE)
        .await?;
    let count_of = |s: CommentStatus| {
        counts
            .iter()
            .find(|(c, _)| *c == s)
            .map(|(_, n)| *n)
            .unwrap_or(0)
    };
    let tabs = [
        (CommentStatus::Held, "Held"),
        (CommentStatus::Approved, "Approved"),
        (CommentStatus::Spam, "Spam"),
        (CommentStatus::Trash, "Trash"),
    ]
    .into_iter()
    .map(|(s, label)| Tab {
        status: s.as_str(),
        label,
        count: count_of(s),
        current: s == status,
    })
    .collect();
    let filter_query = form_urlencoded::Serializer::new(String::new())
        .append_pair("article", &q.article)
        .append_pair("email", &q.email)
        .append_pair("q", &q.q)
        .finish();
    let total_pages = comments.total_pages();
    let return_to = format!("/admin/comments?status={}&{filter_query}", status.as_str());
    let view = QueuePage {
        admin: AdminContext::new(&state, &staff, "Comments", q.notice.as_deref()).await?,
        tabs,
        status: status.as_str(),
        comments: comments.items,
        page,
        total_pages,
        article: q.article,
        email: q.email,
        q: q.q,
        filter_query,
        can_moderate: staff.can(Permission::ModerateComments),
        actions: actions_for(status),
        return_to,
    };
    render(&state, "admin_comments.html", &view, StatusCode::OK)
}

/// Where to go after an action: back to the queue the form came from, or the held tab.
fn back_to(return_to: &str, notice: &str) -> String {
    let base = crate::security::same_site_path(return_to, "/admin/comments")
        .unwrap_or("/admin/comments?status=held")
        .to_owned();
    let separator = if base.contains('?') { '&' } else { '?' };
    format!("{base}{separator}notice={notice}")
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ActionFields {
    csrf: String,
    action: String,
    return_to: String,
}

/// `POST /admin/comments/{id}/moderate`.
pub async fn moderate(
    State(state): State<AppState>,
    StaffSession(staff): StaffSession,
    Path(id): Path<String>,
    form: Result<Form<ActionFields>, FormRejection>,
) -> Result<Response, AppError> {
    let id = comment_id(&id)?;
    let fields = read_form(form)?;
    check_csrf(&staff, &fields.csrf)?;
    let action = Moderation::parse(&fields.action)
        .ok_or_else(|| AppError::BadRequest(format!("Unknown action {:?}.", fields.action)))?;
    state
        .site
        .moderate(Actor::Staff(&staff), id, action)
        .await?;
    Ok(Redirect::to(&back_to(&fields.return_to, "moderated")).into_response())
}

/// `POST /admin/comments/bulk`: one action on the ticked comments (`ids` repeated).
pub async fn bulk(
    State(state): State<AppState>,
    StaffSession(staff): StaffSession,
    RawForm(body): RawForm,
) -> Result<Response, AppError> {
    let mut csrf = String::new();
    let mut action = String::new();
    let mut return_to = String::new();
    let mut ids = Vec::new();
    for (key, value) in form_urlencoded::parse(&body) {
        match key.as_ref() {
            "csrf" => csrf = value.into_owned(),
            "action" => action = value.into_owned(),
            "return_to" => return_to = value.into_owned(),
            "ids" => ids.push(comment_id(&value)?),
            _ => {}
        }
    }
    check_csrf(&staff, &csrf)?;
    if ids.is_empty() {
        return Err(AppError::BadRequest(
            "Tick at least one comment, then choose an action.".into(),
        ));
    }
    if action == "delete" {
        for id in &ids {
            state.site.delete_comment(Actor::Staff(&staff), *id).await?;
        }
        return Ok(Redirect::to(&back_to(&return_to, "deleted")).into_response());
    }
    let action = Moderation::parse(&action)
        .ok_or_else(|| AppError::BadRequest(format!("Unknown action {action:?}.")))?;
    state
        .site
        .moderate_many(Actor::Staff(&staff), &ids, action)
        .await?;
    Ok(Redirect::to(&back_to(&return_to, "moderated")).into_response())
}

#[derive(Debug, Serialize)]
struct EditPage {
    #[serde(flatten)]
    admin: AdminContext,
    comment: StaffComment,
    name: String,
    url: String,
    body: String,
    error: Option<String>,
}

/// `GET /admin/comments/{id}/edit`.
pub async fn edit_form(
    State(state): State<AppState>,
    StaffSession(staff): StaffSession,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let comment = state
        .site
        .staff_comment(Actor::Staff(&staff), comment_id(&id)?)
        .await?;
    let view = EditPage {
        admin: AdminContext::new(&state, &staff, "Edit comment", None).await?,
        name: comment.comment.author_name.clone(),
        url: comment.comment.author_url.clone().unwrap_or_default(),
        body: comment.body_markdown.clone(),
        comment,
        error: None,
    };
    render(&state, "admin_comment_edit.html", &view, StatusCode::OK)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct EditFields {
    csrf: String,
    name: String,
    url: String,
    body: String,
}

/// `POST /admin/comments/{id}/edit`.
pub async fn edit(
    State(state): State<AppState>,
    StaffSession(staff): StaffSession,
    Path(id): Path<String>,
    form: Result<Form<EditFields>, FormRejection>,
) -> Result<Response, AppError> {
    let id = comment_id(&id)?;
    let fields = read_form(form)?;
    check_csrf(&staff, &fields.csrf)?;
    match state
        .site
        .edit_comment(
            Actor::Staff(&staff),
            id,
            &fields.name,
            &fields.url,
            &fields.body,
        )
        .await
    {
        Ok(comment) => Ok(Redirect::to(&format!(
            "/admin/comments?status={}&notice=saved",
            comment.comment.status.as_str()
        ))
        .into_response()),
        Err(CoreError::Invalid(errors)) => {
            let comment = state.site.staff_comment(Actor::Staff(&staff), id).await?;
            let view = EditPage {
                admin: AdminContext::new(&state, &staff, "Edit comment", None).await?,
                comment,
                name: fields.name,
                url: fields.url,
                body: fields.body,
                error: Some(errors.to_string()),
            };
            render(
                &state,
                "admin_comment_edit.html",
                &view,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
        }
        Err(other) => Err(other.into()),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ReplyFields {
    csrf: String,
    body: String,
    return_to: String,
}

/// `POST /admin/comments/{id}/reply`: a staff reply, published at once.
pub async fn reply(
    State(state): State<AppState>,
    StaffSession(staff): StaffSession,
    Path(id): Path<String>,
    form: Result<Form<ReplyFields>, FormRejection>,
) -> Result<Response, AppError> {
    let id = comment_id(&id)?;
    let fields = read_form(form)?;
    check_csrf(&staff, &fields.csrf)?;
    match state.site.reply_as_staff(&staff, id, &fields.body).await {
        Ok(_) => Ok(Redirect::to(&back_to(&fields.return_to, "replied")).into_response()),
        Err(CoreError::Invalid(errors)) => Err(AppError::BadRequest(errors.to_string())),
        Err(other) => Err(other.into()),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DeleteFields {
    csrf: String,
    return_to: String,
}

/// `POST /admin/comments/{id}/delete`: for good, from Spam or Trash only.
pub async fn delete(
    State(state): State<AppState>,
    StaffSession(staff): StaffSession,
    Path(id): Path<String>,
    form: Result<Form<DeleteFields>, FormRejection>,
) -> Result<Response, AppError> {
    let id = comment_id(&id)?;
    let fields = read_form(form)?;
    check_csrf(&staff, &fields.csrf)?;
    state.site.delete_comment(Actor::Staff(&staff), id).await?;
    Ok(Redirect::to(&back_to(&fields.return_to, "deleted")).into_response())
}
