use crate::AppState;
use crate::pages::SiteContext;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use gazette_core::CoreError;
use serde::Serialize;

/// Everything a handler can answer besides success. Each variant names its status; the message is
/// shown to the client, except for `Internal`, whose cause is logged and replaced by a generic text.
#[derive(Debug)]
pub enum AppError {
    /// 400: the request itself is malformed.
    BadRequest(String),
    /// 401: a staff session is needed.
    Unauthorized(String),
    /// 403: refused, with the reason.
    Forbidden(String),
    /// 404: nothing here.
    NotFound(String),
    /// 409: clashes with what exists.
    Conflict(String),
    /// 413: the body is too large.
    PayloadTooLarge,
    /// 429: too many attempts; the message says how long to wait.
    TooManyRequests(String),
    /// 503: the database is unreachable.
    Unavailable(String),
    /// 503: a bounded read (a search) ran out of time or turns; the message says what to do.
    Busy(String),
    /// 500: a bug or a failure the client cannot fix.
    Internal(String),
}

/// The rendered form of an error, carried in the response's extensions until `render_errors`
/// turns it into a page or a JSON envelope.
#[derive(Debug, Clone, Serialize)]
pub struct ErrorBody {
    /// HTTP status code.
    pub status: u16,
    /// Stable machine-readable code, e.g. "not_found".
    pub code: &'static str,
    /// What went wrong and what to do about it.
    pub message: String,
}

impl AppError {
    fn parts(&self) -> (StatusCode, &'static str, String) {
        match self {
            Self::BadRequest(m) => (StatusCode::BAD_REQUEST, "bad_request", m.clone()),
            Self::Unauthorized(m) => (StatusCode::UNAUTHORIZED, "unauthorized", m.clone()),
            Self::Forbidden(m) => (StatusCode::FORBIDDEN, "forbidden", m.clone()),
            Self::NotFound(m) => (StatusCode::NOT_FOUND, "not_found", m.clone()),
            Self::Conflict(m) => (StatusCode::CONFLICT, "conflict", m.clone()),
            Self::TooManyRequests(m) => (
                StatusCode::TOO_MANY_REQUESTS,
                "too_many_requests",
                m.clone(),
            ),
            Self::PayloadTooLarge => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                "What you sent is too large. A comment can be at most 10,000 characters.".into(),
            ),
            Self::Busy(m) => (StatusCode::SERVICE_UNAVAILABLE, "busy", m.clone()),
            Self::Unavailable(cause) if is_storage_full(cause) => (
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                "The site cannot save anything right now (its storage is full), so nothing you sent was saved. Please try again later."
                    .into(),
            ),
            Self::Unavailable(_) => (
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                "The site cannot reach its database right now. Please try again in a minute."
                    .into(),
            ),
            Self::Internal(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "Something went wrong on our side. It has been logged; please try again.".into(),
            ),
        }
    }
}

impl From<CoreError> for AppError {
    fn from(error: CoreError) -> Self {
        match error {
            CoreError::NotFound(what) => Self::NotFound(not_found_message(what)),
            CoreError::Invalid(errors) => Self::BadRequest(errors.to_string()),
            CoreError::CommentsClosed => {
                Self::Forbidden("Comments are closed on this article.".into())
            }
            CoreError::BadInput(message) => Self::BadRequest(message),
            CoreError::Conflict(message) => Self::Conflict(message),
            CoreError::Forbidden(message) | CoreError::Refused(message) => Self::Forbidden(message),
            CoreError::Discarded => {
                Self::Forbidden("Your comment could not be posted on this site.".into())
            }
            CoreError::TooManyAttempts(message) | CoreError::RateLimited(message) => {
                Self::TooManyRequests(message)
            }
            CoreError::TimedOut(what) => Self::Busy(format!(
                "The {what} took too long or the site is busy. Try again with more specific words or a narrower date range."
            )),
            CoreError::Storage(cause) if is_unreachable(&cause) => Self::Unavailable(cause),
            CoreError::Storage(cause) => Self::Internal(cause),
        }
    }
}

fn not_found_message(what: &str) -> String {
    match what {
        "article" => {
            "There is no article at this address. It may have been moved or unpublished.".into()
        }
        "page" | "comment page" => "That page number is past the end of the list.".into(),
        "category" | "tag" | "author" => format!("There is no such {what} on this site."),
        other => format!("No such {other}."),
    }
}

/// Connection failures (pool timeouts, refused connections) and a full disk mean "try later",
/// not "bug": the write was not made, and the site recovers by itself.
fn is_unreachable(cause: &str) -> bool {
    is_storage_full(cause)
        || [
            "pool timed out",
            "Connection refused",
            "connection closed",
            "error communicating with database",
        ]
        .iter()
        .any(|needle| cause.contains(needle))
}

/// SQLite's SQLITE_FULL, PostgreSQL's disk_full (53100), or the system's ENOSPC.
fn is_storage_full(cause: &str) -> bool {
    [
        "database or disk is full",
        "No space left on device",
        "could not extend file",
    ]
    .iter()
    .any(|needle| cause.contains(needle))
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let (status, code, message) = self.parts();
        match &self {
            Self::Internal(cause) => tracing::error!(%cause, "request failed"),
            Self::Unavailable(cause) => tracing::warn!(%cause, "database unavailable"),
            _ => {}
        }
        let mut response = status.into_response();
        response.extensions_mut().insert(ErrorBody {
            status: status.as_u16(),
            code,
            message,
        });
        response
    }
}

/// Renders every error response: a JSON envelope under `/api/`, an HTML page elsewhere. Errors
/// produced outside the handlers (unknown method, timeout) get the same treatment.
pub async fn render_errors(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let is_api = request.uri().path().starts_with("/api/");
    // A page that is not here may have moved here: its old address is kept for the 404.
    let old_address = (!is_api
        && matches!(
            *request.method(),
            axum::http::Method::GET | axum::http::Method::HEAD
        ))
    .then(|| {
        request
            .uri()
            .path_and_query()
            .map_or(request.uri().path(), |p| p.as_str())
            .to_owned()
    })
    .filter(|path| path.len() <= 2048);
    let response = next.run(request).await;
    let status = response.status();
    if status == StatusCode::NOT_FOUND
        && let Some(path) = old_address
    {
        match state.site.moved_to(&path).await {
            Ok(Some(target)) => return crate::pages::moved::moved_permanently(&target),
            Ok(None) => {}
            Err(error) => tracing::warn!(%error, "looking up a redirect failed"),
        }
    }
    if !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let content_type = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let (response, body) = match response.extensions().get::<ErrorBody>() {
        Some(body) => {
            let body = body.clone();
            (response, body)
        }
        // axum's own refusals (an unreadable path, query or form) come as short plain text: kept
        // as the detail of a message a reader can act on.
        None if status.is_client_error() && content_type.starts_with("text/plain") => {
            let (parts, inner) = response.into_parts();
            let detail = axum::body::to_bytes(inner, 4096)
                .await
                .map(|b| String::from_utf8_lossy(&b).trim().to_owned())
                .unwrap_or_default();
            let body = ErrorBody {
                status: status.as_u16(),
                code: "error",
                message: with_detail(status, &detail),
            };
            (Response::from_parts(parts, axum::body::Body::empty()), body)
        }
        None if !content_type.is_empty() && status != StatusCode::METHOD_NOT_ALLOWED => {
            // A page handler already rendered its own error page (the comment form's 422).
            return response;
        }
        None => {
            let body = ErrorBody {
                status: status.as_u16(),
                code: "error",
                message: generic_message(status),
            };
            (response, body)
        }
    };
    let mut rendered = if is_api {
        (status, axum::Json(serde_json::json!({ "error": body }))).into_response()
    } else {
        error_page(&state, &body).await
    };
    // Keep headers such as Allow (405) from the original response.
    for (name, value) in response.headers() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            rendered.headers_mut().insert(name.clone(), value.clone());
        }
    }
    rendered
}

/// A message for one of axum's refusals, keeping what it said as the detail.
fn with_detail(status: StatusCode, detail: &str) -> String {
    let advice = match status {
        StatusCode::BAD_REQUEST => {
            "This address or form could not be read. Check the link, or reload the page and try again."
        }
        StatusCode::PAYLOAD_TOO_LARGE => {
            "What you sent is too large for this form; shorten it and send it again."
        }
        StatusCode::UNSUPPORTED_MEDIA_TYPE => {
            "This form must be sent as a web form (application/x-www-form-urlencoded)."
        }
        StatusCode::UNPROCESSABLE_ENTITY => {
            "Some of what you sent could not be understood; check the form and send it again."
        }
        _ => return generic_message(status),
    };
    if detail.is_empty() {
        advice.to_owned()
    } else {
        let detail: String = detail.chars().take(200).collect();
        format!("{advice} ({detail})")
    }
}

fn generic_message(status: StatusCode) -> String {
    match status {
        StatusCode::METHOD_NOT_ALLOWED => {
            "This address does not accept that kind of request.".into()
        }
        StatusCode::PAYLOAD_TOO_LARGE => {
            "What you sent is too large for this form; shorten it and send it again.".into()
        }
        StatusCode::SERVICE_UNAVAILABLE => {
            "The site is busy or cannot reach its database. Please try again shortly.".into()
        }
        StatusCode::UNSUPPORTED_MEDIA_TYPE => {
            "The request's content type is not supported here.".into()
        }
        _ => status.canonical_reason().unwrap_or("Error").to_owned(),
    }
}

#[derive(Serialize)]
struct ErrorPage<'a> {
    #[serde(flatten)]
    site: SiteContext,
    status: u16,
    title: &'a str,
    message: &'a str,
    robots: &'static str,
}

async fn error_page(state: &AppState, body: &ErrorBody) -> Response {
    let status = StatusCode::from_u16(body.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let title = match status {
        StatusCode::NOT_FOUND => "Page not found",
        StatusCode::SERVICE_UNAVAILABLE => "Temporarily unavailable",
        s if s.is_server_error() => "Something went wrong",
        _ => "That did not work",
    };
    // The navigation needs the database; an error page must render even when it is down.
    let site = SiteContext::without_navigation(state, title);
    let page = ErrorPage {
        site,
        status: body.status,
        title,
        message: &body.message,
        robots: "noindex",
    };
    match state.templates.render("error.html", &page) {
        Ok(html) => {
            let mut response = (status, Html(html)).into_response();
            response
                .headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            response
        }
        Err(e) => {
            tracing::error!(error = %e, "rendering the error page failed");
            (status, body.message.clone()).into_response()
        }
    }
}
