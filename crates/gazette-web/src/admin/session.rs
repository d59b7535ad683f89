use crate::AppState;
use crate::error::AppError;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use gazette_core::auth::{SESSION_SECONDS, Staff};
use gazette_domain::Permission;
use serde::Serialize;
use sha2::{Digest, Sha256};

/// The staff session cookie. Scoped to `/admin`, so public pages never see it.
pub const SESSION_COOKIE: &str = "gazette_session";
/// The double-submit token for forms shown before login (login, setup, reset).
pub const LOGIN_CSRF_COOKIE: &str = "gazette_login_csrf";

/// The logged-in staff member behind the request. Without a valid session, a page request is sent
/// to the login form (and back afterwards); any other request is refused with 401.
#[derive(Debug, Clone)]
pub struct StaffSession(pub Staff);

impl FromRequestParts<AppState> for StaffSession {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let jar = CookieJar::from_headers(&parts.headers);
        let token = jar.get(SESSION_COOKIE).map(|c| c.value().to_owned());
        if let Some(token) = token {
            match state.site.staff_session(&token).await {
                Ok(staff) => return Ok(Self(staff)),
                Err(gazette_core::CoreError::NotFound(_)) => {}
                Err(other) => return Err(AppError::from(other).into_response()),
            }
        }
        if parts.method == Method::GET || parts.method == Method::HEAD {
            let next = parts
                .uri
                .path_and_query()
                .map(|p| p.as_str())
                .unwrap_or("/admin");
            let target = format!(
                "/admin/login?next={}",
                form_urlencoded::byte_serialize(next.as_bytes()).collect::<String>()
            );
            return Err(Redirect::to(&target).into_response());
        }
        Err(AppError::Unauthorized(
            "Your session has ended. Log in again, then repeat what you were doing.".into(),
        )
        .into_response())
    }
}

/// Refuses a form whose token is not this session's (a forged or stale form).
pub fn check_csrf(staff: &Staff, sent: &str) -> Result<(), AppError> {
    // Comparing digests keeps the comparison's timing independent of the secret's bytes.
    if Sha256::digest(sent.as_bytes()) == Sha256::digest(staff.csrf_token.as_bytes()) {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "This form has expired or did not come from this site. Reload the page and try again."
                .into(),
        ))
    }
}

/// The session cookie for a new login.
pub fn session_cookie(token: String, secure: bool) -> Cookie<'static> {
    Cookie::build((SESSION_COOKIE, token))
        .path("/admin")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
        .max_age(cookie::time::Duration::seconds(SESSION_SECONDS))
        .build()
}

/// The signed cookie naming the accounts (at most five) that logged in from this browser: those
/// skip the account-wide login throttle, so guessing from elsewhere never locks the owner out.
const DEVICE_COOKIE: &str = "gazette_device";

/// Whether this browser logged in to `username` before.
pub fn knows_device(jar: &axum_extra::extract::SignedCookieJar, username: &str) -> bool {
    let name = username.trim().to_lowercase();
    jar.get(DEVICE_COOKIE)
        .is_some_and(|c| c.value().split('|').any(|known| known == name))
}

/// Remembers that `username` logged in from this browser, for a year.
pub fn remember_device(
    jar: axum_extra::extract::SignedCookieJar,
    username: &str,
    secure: bool,
) -> axum_extra::extract::SignedCookieJar {
    let name = username.trim().to_lowercase();
    let mut names: Vec<String> = jar
        .get(DEVICE_COOKIE)
        .map(|c| {
            c.value()
                .split('|')
                .filter(|n| !n.is_empty() && *n != name)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    names.push(name);
    let skip = names.len().saturating_sub(5);
    jar.add(
        Cookie::build((DEVICE_COOKIE, names[skip..].join("|")))
            .path("/admin")
            .http_only(true)
            .same_site(SameSite::Lax)
            .secure(secure)
            .max_age(cookie::time::Duration::days(365))
            .build(),
    )
}

/// Removes the session cookie.
pub fn clear_session(jar: CookieJar) -> CookieJar {
    jar.remove(Cookie::build(SESSION_COOKIE).path("/admin"))
}

/// The pre-login form token: the one in the cookie, or a new one to set.
pub fn login_csrf(jar: CookieJar, secure: bool) -> Result<(CookieJar, String), AppError> {
    if let Some(existing) = jar.get(LOGIN_CSRF_COOKIE) {
        let value = existing.value().to_owned();
        return Ok((jar, value));
    }
    let token = gazette_core::auth::random_token().map_err(AppError::from)?;
    let cookie = Cookie::build((LOGIN_CSRF_COOKIE, token.clone()))
        .path("/admin")
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(secure)
        .build();
    Ok((jar.add(cookie), token))
}

/// Refuses a pre-login form whose token does not match its cookie.
pub fn check_login_csrf(jar: &CookieJar, sent: &str) -> Result<(), AppError> {
    let expected = jar
        .get(LOGIN_CSRF_COOKIE)
        .map(|c| c.value().to_owned())
        .unwrap_or_default();
    if !expected.is_empty()
        && Sha256::digest(sent.as_bytes()) == Sha256::digest(expected.as_bytes())
    {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "This form has expired or did not come from this site. Reload the page and try again."
                .into(),
        ))
    }
}

/// Whether cookies should be marked Secure (the site is served over https).
pub fn secure(state: &AppState) -> bool {
    state.site.config().site.base_url.starts_with("https://")
}

/// What every admin page's layout needs.
#[derive(Debug, Serialize)]
pub struct AdminContext {
    site_title: String,
    page_title: String,
    user: Option<AdminUser>,
    csrf: String,
    notice: Option<&'static str>,
    asset_version: &'static str,
}

#[derive(Debug, Serialize)]
struct AdminUser {
    display_name: String,
    role: &'static str,
    can_moderate: bool,
    can_write: bool,
    can_pages: bool,
    can_see_comments: bool,
    can_settings: bool,
    can_users: bool,
    can_audit: bool,
}

impl AdminContext {
    /// The layout for a logged-in page.
    pub async fn new(
        state: &AppState,
        staff: &Staff,
        page_title: &str,
        notice: Option<&str>,
    ) -> Result<Self, AppError> {
        let settings = state.site.settings().await?;
        Ok(Self {
            site_title: settings.title.clone(),
            page_title: page_title.to_owned(),
            user: Some(AdminUser {
                display_name: staff.user.display_name.clone(),
                role: staff.user.role.as_str(),
                can_moderate: staff.can(Permission::ModerateComments),
                can_write: staff.can(Permission::WriteOwnArticles),
                can_pages: staff.can(Permission::EditAllArticles),
                can_see_comments: staff.can(Permission::ModerateComments)
                    || staff.can(Permission::SeeOwnArticleComments),
                can_settings: staff.can(Permission::ManageSettings),
                can_users: staff.can(Permission::ManageUsers),
                can_audit: staff.can(Permission::ReadAuditLog),
            }),
            csrf: staff.csrf_token.clone(),
            notice: notice.and_then(notice_text),
            asset_version: crate::assets::asset_version(),
        })
    }

    /// The layout for a page shown before login.
    pub async fn anonymous(
        state: &AppState,
        page_title: &str,
        csrf: String,
    ) -> Result<Self, AppError> {
        let settings = state.site.settings().await?;
        Ok(Self {
            site_title: settings.title.clone(),
            page_title: page_title.to_owned(),
            user: None,
            csrf,
            notice: None,
            asset_version: crate::assets::asset_version(),
        })
    }
}

/// The fixed messages a redirect may ask a page to show (`?notice=code`); free text is never
/// taken from the URL, so a link cannot make the admin say something it did not.
fn notice_text(code: &str) -> Option<&'static str> {
    Some(match code {
        "saved" => "Saved.",
        "corrected" => "Correction added. It shows at the foot of the article.",
        "published" => "Published.",
        "scheduled" => "Scheduled.",
        "draft" => "Saved as a draft.",
        "unpublished" => "Unpublished: it is a draft again.",
        "trashed" => "Moved to the trash.",
        "restored" => "Restored as a draft.",
        "moderated" => "Done.",
        "deleted" => "Deleted permanently.",
        "replied" => "Your reply is published.",
        "banned" => "Banned.",
        "unbanned" => "Ban lifted.",
        "redirected" => "Redirect added.",
        "unredirected" => "Redirect deleted.",
        "password" => "Your password is changed. Other sessions were logged out.",
        "welcome" => "Welcome. You are logged in.",
        "user" => "Staff account created.",
        "uploaded" => "Image uploaded, without its camera and location data.",
        "featured" => {
            "Image uploaded and chosen as the featured image below: save the article to keep it."
        }
        _ => return None,
    })
}

/// Renders an admin template; admin pages are never cached or indexed.
pub fn render(
    state: &AppState,
    template: &str,
    context: &impl Serialize,
    status: StatusCode,
) -> Result<Response, AppError> {
    let body = state
        .templates
        .render(template, context)
        .map_err(|e| AppError::Internal(format!("rendering {template}: {e}")))?;
    let mut response = (status, Html(body)).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        "x-robots-tag",
        HeaderValue::from_static("noindex, nofollow"),
    );
    Ok(response)
}
