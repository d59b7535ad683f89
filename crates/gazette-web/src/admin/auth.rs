use super::session::{
    AdminContext, StaffSession, check_csrf, check_login_csrf, clear_session, knows_device,
    login_csrf, remember_device, render, secure, session_cookie,
};
use crate::AppState;
use crate::client::ClientInfo;
use crate::error::AppError;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::CookieJar;
use gazette_core::CoreError;
use gazette_core::accounts::AccountRequest;
use gazette_domain::Role;
use serde::{Deserialize, Serialize};

/// Reads an admin form, turning an unreadable one into a 400 that says so.
pub fn read_form<T>(form: Result<Form<T>, FormRejection>) -> Result<T, AppError> {
    form.map(|Form(f)| f)
        .map_err(|r| unreadable_form(r.status(), r.body_text()))
}

/// 413 for a form over the body limit, 400 with the reason for anything else.
fn unreadable_form(status: StatusCode, reason: String) -> AppError {
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        AppError::PayloadTooLarge
    } else {
        AppError::BadRequest(format!("The form could not be read: {reason}"))
    }
}

/// A form whose fields may repeat (`coauthors=2&coauthors=5`, from a multiple select), with
/// the same messages as [`read_form`].
pub fn read_form_with_lists<T>(
    form: Result<axum_extra::extract::Form<T>, axum_extra::extract::FormRejection>,
) -> Result<T, AppError> {
    form.map(|axum_extra::extract::Form(f)| f)
        .map_err(|r| unreadable_form(r.status(), r.body_text()))
}

/// The size limit of one kind of upload, and the messages for an upload over it or cut short.
#[derive(Debug, Clone, Copy)]
pub struct UploadLimit {
    /// What is uploaded, as the message names it ("image", "file").
    pub what: &'static str,
    pub megabytes: u32,
    /// The setting that raises the limit.
    pub setting: &'static str,
}

impl UploadLimit {
    /// 413, naming the limit and the setting that raises it.
    pub fn too_large(&self) -> (String, StatusCode) {
        (
            format!(
                "The {} is larger than {} MB, the largest this site takes ({}).",
                self.what, self.megabytes, self.setting
            ),
            StatusCode::PAYLOAD_TOO_LARGE,
        )
    }

    /// A multipart body that could not be read: over the limit (413) or malformed (400).
    pub fn unreadable(
        &self,
        error: &axum::extract::multipart::MultipartError,
    ) -> (String, StatusCode) {
        if error.status() == StatusCode::PAYLOAD_TOO_LARGE {
            self.too_large()
        } else {
            (
                format!("The upload could not be read: {}", error.body_text()),
                StatusCode::BAD_REQUEST,
            )
        }
    }
}

/// 429 for a throttled attempt, 422 for anything else to fix in the form.
fn form_status(error: &CoreError) -> StatusCode {
    match error {
        CoreError::TooManyAttempts(_) => StatusCode::TOO_MANY_REQUESTS,
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NextQuery {
    next: Option<String>,
}

/// Only a path on this site's admin is a safe place to return to after logging in.
fn safe_next(next: Option<&str>) -> String {
    next.and_then(|path| crate::security::same_site_path(path, "/admin"))
        .unwrap_or("/admin")
        .to_owned()
}

#[derive(Debug, Serialize)]
struct FormPage<'a> {
    #[serde(flatten)]
    admin: AdminContext,
    form: &'a str,
    error: Option<String>,
    username: String,
    display_name: String,
    email: String,
    next: String,
    token: String,
}

async fn form_page(
    state: &AppState,
    jar: CookieJar,
    form: &'static str,
    title: &str,
    error: Option<String>,
    status: StatusCode,
    fill: impl FnOnce(&mut FormPage<'_>),
) -> Result<Response, AppError> {
    let (jar, csrf) = login_csrf(jar, secure(state))?;
    let mut page = FormPage {
        admin: AdminContext::anonymous(state, title, csrf).await?,
        form,
        error,
        username: String::new(),
        display_name: String::new(),
        email: String::new(),
        next: String::new(),
        token: String::new(),
    };
    fill(&mut page);
    Ok((jar, render(state, "admin_login.html", &page, status)?).into_response())
}

/// `GET /admin/setup`: the first admin's form, only while no account can log in.
pub async fn setup_form(
    State(state): State<AppState>,
    jar: CookieJar,
) -> Result<Response, AppError> {
    if !state.site.needs_setup().await? {
        return Ok(Redirect::to("/admin/login").into_response());
    }
    form_page(
        &state,
        jar,
        "setup",
        "Set up your site",
        None,
        StatusCode::OK,
        |_| {},
    )
    .await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SetupFields {
    csrf: String,
    username: String,
    display_name: String,
    email: String,
    password: String,
}

/// `POST /admin/setup`: creates the first admin and logs them in.
pub async fn setup(
    State(state): State<AppState>,
    jar: CookieJar,
    form: Result<Form<SetupFields>, FormRejection>,
) -> Result<Response, AppError> {
    let fields = read_form(form)?;
    check_login_csrf(&jar, &fields.csrf)?;
    let request = AccountRequest {
        username: fields.username.clone(),
        display_name: fields.display_name.clone(),
        email: fields.email.clone(),
        role: Role::Admin,
        password: fields.password,
    };
    match state.site.setup_first_admin(request).await {
        Ok(logged_in) => {
            let jar = jar.add(session_cookie(logged_in.token, secure(&state)));
            Ok((jar, Redirect::to("/admin?notice=welcome")).into_response())
        }
        Err(CoreError::BadInput(message)) => {
            form_page(
                &state,
                jar,
                "setup",
                "Set up your site",
                Some(message),
                StatusCode::UNPROCESSABLE_ENTITY,
                |p| {
                    p.username = fields.username;
                    p.display_name = fields.display_name;
                    p.email = fields.email;
                },
            )
            .await
        }
        Err(other) => Err(other.into()),
    }
}

/// `GET /admin/login`.
pub async fn login_form(
    State(state): State<AppState>,
    jar: CookieJar,
    query: Result<Query<NextQuery>, QueryRejection>,
) -> Result<Response, AppError> {
    if state.site.needs_setup().await? {
        return Ok(Redirect::to("/admin/setup").into_response());
    }
    let next = safe_next(query.ok().and_then(|Query(q)| q.next).as_deref());
    form_page(&state, jar, "login", "Log in", None, StatusCode::OK, |p| {
        p.next = next
    })
    .await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct LoginFields {
    csrf: String,
    username: String,
    password: String,
    next: String,
}

/// `POST /admin/login`: a session cookie and back to where the staff member was going; or the
/// form again with a message (422 wrong password, 429 throttled).
pub async fn login(
    State(state): State<AppState>,
    client: ClientInfo,
    jar: CookieJar,
    devices: axum_extra::extract::SignedCookieJar,
    form: Result<Form<LoginFields>, FormRejection>,
) -> Result<Response, AppError> {
    let fields = read_form(form)?;
    check_login_csrf(&jar, &fields.csrf)?;
    let next = safe_next(Some(&fields.next));
    let known = knows_device(&devices, &fields.username);
    let (message, status) = match state
        .site
        .login(
            &fields.username,
            &fields.password,
            client.ip.as_deref(),
            known,
        )
        .await
    {
        Ok(logged_in) => {
            let jar = jar.add(session_cookie(logged_in.token, secure(&state)));
            let devices = remember_device(devices, &fields.username, secure(&state));
            return Ok((jar, devices, Redirect::to(&next)).into_response());
        }
        Err(CoreError::BadInput(message)) => (message, StatusCode::UNPROCESSABLE_ENTITY),
        Err(CoreError::TooManyAttempts(message)) => (message, StatusCode::TOO_MANY_REQUESTS),
        Err(other) => return Err(other.into()),
    };
    form_page(&state, jar, "login", "Log in", Some(message), status, |p| {
        p.username = fields.username;
        p.next = next;
    })
    .await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CsrfOnly {
    csrf: String,
}

/// `POST /admin/logout`.
pub async fn logout(
    State(state): State<AppState>,
    StaffSession(staff): StaffSession,
    jar: CookieJar,
    form: Result<Form<CsrfOnly>, FormRejection>,
) -> Result<Response, AppError> {
    let fields = read_form(form)?;
    check_csrf(&staff, &fields.csrf)?;
    if let Some(cookie) = jar.get(super::session::SESSION_COOKIE) {
        state.site.logout(cookie.value()).await?;
    }
    Ok((clear_session(jar), Redirect::to("/admin/login")).into_response())
}

#[derive(Debug, Serialize)]
struct PasswordPage {
    #[serde(flatten)]
    admin: AdminContext,
    form: &'static str,
    error: Option<String>,
}

/// `GET /admin/password`.
pub async fn password_form(
    State(state): State<AppState>,
    StaffSession(staff): StaffSession,
) -> Result<Response, AppError> {
    let page = PasswordPage {
        admin: AdminContext::new(&state, &staff, "Change your password", None).await?,
        form: "password",
        error: None,
    };
    render(&state, "admin_login.html", &page, StatusCode::OK)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PasswordFields {
    csrf: String,
    current: String,
    password: String,
    confirm: String,
}

/// `POST /admin/password`: logs every other session out and keeps this one.
pub async fn change_password(
    State(state): State<AppState>,
    StaffSession(staff): StaffSession,
    jar: CookieJar,
    form: Result<Form<PasswordFields>, FormRejection>,
) -> Result<Response, AppError> {
    let fields = read_form(form)?;
    check_csrf(&staff, &fields.csrf)?;
    let result = if fields.password != fields.confirm {
        Err(CoreError::BadInput(
            "The two new passwords are not the same.".into(),
        ))
    } else {
        state
            .site
            .change_password(&staff, &fields.current, &fields.password)
            .await
    };
    match result {
        Ok(logged_in) => {
            let jar = jar.add(session_cookie(logged_in.token, secure(&state)));
            Ok((jar, Redirect::to("/admin?notice=password")).into_response())
        }
        Err(error @ (CoreError::BadInput(_) | CoreError::TooManyAttempts(_))) => {
            let page = PasswordPage {
                admin: AdminContext::new(&state, &staff, "Change your password", None).await?,
                form: "password",
                error: Some(error.to_string()),
            };
            render(&state, "admin_login.html", &page, form_status(&error))
        }
        Err(other) => Err(other.into()),
    }
}

/// `GET /admin/reset/{token}`: the new-password form of a reset link.
pub async fn reset_form(
    State(state): State<AppState>,
    Path(token): Path<String>,
    jar: CookieJar,
) -> Result<Response, AppError> {
    form_page(
        &state,
        jar,
        "reset",
        "Choose a new password",
        None,
        StatusCode::OK,
        |p| p.token = token,
    )
    .await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ResetFields {
    csrf: String,
    password: String,
    confirm: String,
}

/// `POST /admin/reset/{token}`: sets the password once, then sends the staff member to log in.
pub async fn reset(
    State(state): State<AppState>,
    Path(token): Path<String>,
    client: ClientInfo,
    jar: CookieJar,
    form: Result<Form<ResetFields>, FormRejection>,
) -> Result<Response, AppError> {
    let fields = read_form(form)?;
    check_login_csrf(&jar, &fields.csrf)?;
    let result = if fields.password != fields.confirm {
        Err(CoreError::BadInput(
            "The two passwords are not the same.".into(),
        ))
    } else {
        state
            .site
            .reset_password(&token, &fields.password, client.ip.as_deref())
            .await
    };
    match result {
        Ok(_) => Ok(Redirect::to("/admin/login").into_response()),
        Err(error @ (CoreError::BadInput(_) | CoreError::TooManyAttempts(_))) => {
            let status = form_status(&error);
            form_page(
                &state,
                jar,
                "reset",
                "Choose a new password",
                Some(error.to_string()),
                status,
                |p| p.token = token,
            )
            .await
        }
        Err(other) => Err(other.into()),
    }
}
