use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

/// A 301 to `location` (axum's `Redirect::permanent` is a 308, which old clients handle worse).
/// Old addresses that moved here answer with it wherever Gazette would otherwise say 404
/// (`error::render_errors` asks `Site::moved_to`).
pub fn moved_permanently(location: &str) -> Response {
    (
        StatusCode::MOVED_PERMANENTLY,
        [(header::LOCATION, location.to_owned())],
    )
        .into_response()
}
