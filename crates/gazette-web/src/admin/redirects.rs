use super::auth::read_form;
use super::session::{AdminContext, StaffSession, check_csrf, render};
use crate::AppState;
use crate::error::AppError;
use crate::params::Params;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Form, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect as SeeOther, Response};
use gazette_core::CoreError;
use gazette_domain::Page;
use gazette_domain::import::Redirect;
use serde::{Deserialize, Serialize};

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RedirectsQuery {
    notice: Option<String>,
    page: Option<String>,
    q: Option<String>,
}

#[derive(Debug, Serialize)]
struct RedirectsPage {
    #[serde(flatten)]
    admin: AdminContext,
    redirects: Page<Redirect>,
    total_pages: u32,
    q: String,
    error: Option<String>,
    from: String,
    to: String,
}

#[allow(clippy::too_many_arguments)]
async fn redirects_page(
    state: &AppState,
    staff: &gazette_core::auth::Staff,
    notice: Option<&str>,
    q: String,
    page: u32,
    error: Option<String>,
    (from, to): (String, String),
    status: StatusCode,
) -> Result<Response, AppError> {
    let redirects = state.site.redirects(staff, &q, page).await?;
    let view = RedirectsPage {
        admin: AdminContext::new(state, staff, "Redirects", notice).await?,
        total_pages: redirects.total_pages(),
        redirects,
        q,
        error,
        from,
        to,
    };
    render(state, "admin_redirects.html", &view, status)
}

/// `GET /admin/redirects`: old addresses and where they lead, by path (`?q=` narrows to a
/// prefix); admins only.
pub async fn list(
    State(state): State<AppState>,
    StaffSession(staff): StaffSession,
    query: Result<Query<RedirectsQuery>, QueryRejection>,
) -> Result<Response, AppError> {
    let Query(q) = query.map_err(|e| AppError::BadRequest(e.body_text()))?;
    let page = Params {
        page: q.page,
        ..Default::default()
    }
    .page()?;
    redirects_page(
        &state,
        &staff,
        q.notice.as_deref(),
        q.q.unwrap_or_default(),
        page,
        None,
        (String::new(), String::new()),
        StatusCode::OK,
    )
    .await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RedirectFields {
    csrf: String,
    from: String,
    to: String,
}

/// `POST /admin/redirects`: a new redirect.
pub async fn add(
    State(state): State<AppState>,
    StaffSession(staff): StaffSession,
    form: Result<Form<RedirectFields>, FormRejection>,
) -> Result<Response, AppError> {
    let fields = read_form(form)?;
    check_csrf(&staff, &fields.csrf)?;
    match state
        .site
        .add_redirect(&staff, &fields.from, &fields.to)
        .await
    {
        Ok(_) => Ok(SeeOther::to("/admin/redirects?notice=redirected").into_response()),
        Err(CoreError::BadInput(message) | CoreError::Conflict(message)) => {
            redirects_page(
                &state,
                &staff,
                None,
                String::new(),
                1,
                Some(message),
                (fields.from, fields.to),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(other) => Err(other.into()),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DeleteFields {
    csrf: String,
    path: String,
}

/// `POST /admin/redirects/delete`: the path is a field, since it holds slashes.
pub async fn delete(
    State(state): State<AppState>,
    StaffSession(staff): StaffSession,
    form: Result<Form<DeleteFields>, FormRejection>,
) -> Result<Response, AppError> {
    let fields = read_form(form)?;
    check_csrf(&staff, &fields.csrf)?;
    state.site.delete_redirect(&staff, &fields.path).await?;
    Ok(SeeOther::to("/admin/redirects?notice=unredirected").into_response())
}
