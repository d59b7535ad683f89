use crate::error::AppError;
use axum::extract::Request;
use axum::http::{HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// Headers that keep user content inert even if something slipped through sanitising: no inline
/// scripts, no framing by other sites, no MIME sniffing.
pub async fn headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; img-src 'self' https: data:; style-src 'self'; script-src 'self'; \
             object-src 'none'; frame-ancestors 'self'; base-uri 'self'; form-action 'self'",
        ),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("strict-origin-when-cross-origin"),
    );
    headers.insert(
        header::X_FRAME_OPTIONS,
        HeaderValue::from_static("SAMEORIGIN"),
    );
    response
}

/// Refuses state-changing requests sent by another site's page: the browser says so in
/// `Sec-Fetch-Site`, or in an `Origin` whose host is not this one. Requests without either header
/// (non-browser clients) pass; the cookies involved are SameSite=Lax besides.
pub async fn refuse_cross_site_posts(request: Request, next: Next) -> Response {
    if matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    ) {
        return next.run(request).await;
    }
    let headers = request.headers();
    let fetch_site = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok());
    let cross_site_fetch = fetch_site == Some("cross-site");
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    let foreign_origin = match headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        None => false,
        Some("null") => true,
        Some(origin) => {
            let origin_host = origin
                .split_once("://")
                .map(|(_, rest)| rest)
                .unwrap_or(origin);
            host.is_none_or(|host| !origin_host.eq_ignore_ascii_case(host))
        }
    };
    if cross_site_fetch || foreign_origin {
        return AppError::Forbidden(
            "This form was sent from another website. Comments can only be posted from this site's own pages."
                .into(),
        )
        .into_response();
    }
    next.run(request).await
}
