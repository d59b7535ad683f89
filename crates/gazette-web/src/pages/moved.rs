use crate::AppState;
use crate::error::AppError;
use axum::extract::State;
use axum::http::{Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};

/// What answers any address no route serves: a `301` where the address has moved (an imported
/// site's old permalinks and archives), otherwise 404.
pub async fn old_address(
    State(state): State<AppState>,
    method: Method,
    uri: Uri,
) -> Result<Response, AppError> {
    if method == Method::GET || method == Method::HEAD {
        let path = uri.path_and_query().map_or(uri.path(), |p| p.as_str());
        if path.len() <= 2048
            && let Some(target) = state.site.moved_to(path).await?
        {
            return Ok(moved_permanently(&target));
        }
    }
    Err(AppError::NotFound(
        "There is nothing at this address.".into(),
    ))
}

/// A 301 to `location` (axum's `Redirect::permanent` is a 308, which old clients handle worse).
pub fn moved_permanently(location: &str) -> Response {
    (
        StatusCode::MOVED_PERMANENTLY,
        [(header::LOCATION, location.to_owned())],
    )
        .into_response()
}
