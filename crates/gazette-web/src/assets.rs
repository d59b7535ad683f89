use crate::error::AppError;
use axum::extract::Path;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

const STYLESHEET: &str = include_str!("../static/gazette.css");
const LIVE_SCRIPT: &str = include_str!("../static/live.js");

/// Changes whenever the stylesheet or the script does, so pages can ask browsers to cache it for a year.
pub fn asset_version() -> &'static str {
    static VERSION: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        // FNV-1a: a fingerprint for cache busting, not security.
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for byte in STYLESHEET.bytes().chain(LIVE_SCRIPT.bytes()) {
            hash = (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
        }
        format!("{:08x}", hash as u32)
    });
    VERSION.as_str()
}

/// The site's stylesheet.
pub async fn stylesheet() -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/css; charset=utf-8"),
            ),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=31536000, immutable"),
            ),
        ],
        STYLESHEET,
    )
        .into_response()
}

/// The live-comments script (the page works without it).
pub async fn live_script() -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/javascript; charset=utf-8"),
            ),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=31536000, immutable"),
            ),
        ],
        LIVE_SCRIPT,
    )
        .into_response()
}

/// An identicon, `/avatar/{hash}.svg`. The hash is already keyed; the picture is drawn from it alone,
/// so it can be cached forever.
pub async fn avatar(Path(file): Path<String>) -> Result<Response, AppError> {
    let svg = file
        .strip_suffix(".svg")
        .and_then(gazette_render::identicon::svg)
        .ok_or_else(|| AppError::NotFound("There is no such avatar.".into()))?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("image/svg+xml"),
            ),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=31536000, immutable"),
            ),
        ],
        svg,
    )
        .into_response())
}
