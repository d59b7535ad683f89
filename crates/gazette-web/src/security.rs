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

/// `candidate` if it is a path on this site under `prefix` that is safe to redirect to: printable
/// ASCII only (no control characters, spaces or non-ASCII, which would not make a header), no
/// backslash, and not `//host` (a path that browsers read as another site).
pub fn same_site_path<'a>(candidate: &'a str, prefix: &str) -> Option<&'a str> {
    let printable = candidate
        .bytes()
        .all(|b| b.is_ascii_graphic() && b != b'\\');
    (printable
        && candidate.len() <= 2048
        && candidate.starts_with(prefix)
        && !candidate.starts_with("//")
        && !candidate.contains("://"))
    .then_some(candidate)
}

/// Keeps a client's `X-Request-Id` only when it is a short token of safe characters (so it can be
/// logged as it is, with no line breaks or escapes to forge log lines); otherwise it is dropped and
/// a fresh id is made for the request.
pub async fn check_request_id(mut request: Request, next: Next) -> Response {
    let acceptable = |value: &HeaderValue| {
        let bytes = value.as_bytes();
        (1..=64).contains(&bytes.len())
            && bytes
                .iter()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'))
    };
    let headers = request.headers_mut();
    if headers.get_all(crate::REQUEST_ID).iter().count() > 1
        || headers
            .get(crate::REQUEST_ID)
            .is_some_and(|v| !acceptable(v))
    {
        headers.remove(crate::REQUEST_ID);
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::same_site_path;

    #[test]
    fn only_printable_same_site_paths_are_redirect_targets() {
        assert_eq!(
            same_site_path("/admin/comments?status=spam", "/admin"),
            Some("/admin/comments?status=spam")
        );
        for bad in [
            "//evil.example/admin",
            "/admin\r\nSet-Cookie: x=1",
            "/admin\u{7f}",
            "/admin/\u{e9}",
            "/admin/\\evil",
            "https://evil.example/admin",
            "/elsewhere",
            "/admin/a b",
        ] {
            assert_eq!(same_site_path(bad, "/admin"), None, "{bad:?}");
        }
    }
}
