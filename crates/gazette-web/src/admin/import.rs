//! `/admin/import`: an admin uploads a WordPress or Disqus export; it is stored and imported by a
//! background job (any node may run it), whose progress and report this page shows.

use super::auth::UploadLimit;
use super::session::{AdminContext, StaffSession, check_csrf, render};
use crate::AppState;
use crate::error::AppError;
use axum::extract::multipart::{Field, Multipart, MultipartRejection};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use gazette_core::auth::Staff;
use gazette_core::importing::runs::CHUNK_BYTES;
use gazette_domain::Permission;
use gazette_domain::import::ImportRun;
use serde::Serialize;

#[derive(Debug, Serialize)]
struct ImportPage {
    #[serde(flatten)]
    admin: AdminContext,
    runs: Vec<ImportRun>,
    max_megabytes: u32,
    error: Option<String>,
}

async fn page(
    state: &AppState,
    staff: &Staff,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let view = ImportPage {
        admin: AdminContext::new(state, staff, "Import", None).await?,
        runs: state.site.import_runs(staff).await?,
        max_megabytes: state.site.config().import.max_upload_megabytes,
        error,
    };
    render(state, "admin_import.html", &view, status)
}

/// `GET /admin/import`: the upload form and the latest imports.
pub async fn form(
    State(state): State<AppState>,
    StaffSession(staff): StaffSession,
) -> Result<Response, AppError> {
    page(&state, &staff, None, StatusCode::OK).await
}

#[derive(Debug, Serialize)]
struct RunPage {
    #[serde(flatten)]
    admin: AdminContext,
    run: ImportRun,
    finished: bool,
}

/// `GET /admin/import/{id}`: one import's progress (the page refreshes itself while it runs)
/// and then its report.
pub async fn show(
    State(state): State<AppState>,
    StaffSession(staff): StaffSession,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id: i64 = id
        .parse()
        .map_err(|_| AppError::NotFound("There is no such import.".into()))?;
    let run = state.site.import_run(&staff, id).await?;
    let view = RunPage {
        admin: AdminContext::new(
            &state,
            &staff,
            &format!("Import of {}", run.file_name),
            None,
        )
        .await?,
        finished: matches!(run.status.as_str(), "done" | "failed"),
        run,
    };
    render(&state, "admin_import_run.html", &view, StatusCode::OK)
}

/// Why an upload stopped.
enum Refusal {
    /// Shown on the form again, with this status.
    Message(String, StatusCode),
    /// Anything else (storage, a session gone).
    Error(AppError),
}

impl From<AppError> for Refusal {
    fn from(error: AppError) -> Self {
        Self::Error(error)
    }
}

impl From<gazette_core::CoreError> for Refusal {
    fn from(error: gazette_core::CoreError) -> Self {
        match error {
            gazette_core::CoreError::BadInput(message) => {
                Self::Message(message, StatusCode::UNPROCESSABLE_ENTITY)
            }
            other => Self::Error(other.into()),
        }
    }
}

fn multipart_refusal(
    error: &axum::extract::multipart::MultipartError,
    limit: UploadLimit,
) -> Refusal {
    let (message, status) = limit.unreadable(error);
    Refusal::Message(message, status)
}

/// `POST /admin/import/upload` (multipart: `csrf`, `kind`, `dry_run`, then `file`): streams the
/// file into the database in pieces of 1 MiB, then queues its import and shows its page. A file
/// over the limit, or an upload cut short, leaves nothing behind.
pub async fn upload(
    State(state): State<AppState>,
    StaffSession(staff): StaffSession,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, AppError> {
    staff
        .require(Permission::ManageSettings)
        .map_err(AppError::from)?;
    let result = match multipart {
        Ok(multipart) => receive(&state, &staff, multipart).await,
        Err(rejection) => Err(Refusal::Message(
            format!("The upload could not be read: {}", rejection.body_text()),
            StatusCode::BAD_REQUEST,
        )),
    };
    match result {
        Ok(id) => Ok(Redirect::to(&format!("/admin/import/{id}")).into_response()),
        Err(Refusal::Message(message, status)) => page(&state, &staff, Some(message), status).await,
        Err(Refusal::Error(error)) => Err(error),
    }
}

async fn receive(
    state: &AppState,
    staff: &Staff,
    mut multipart: Multipart,
) -> Result<i64, Refusal> {
    let upload_limit = UploadLimit {
        what: "file",
        megabytes: state.site.config().import.max_upload_megabytes,
        setting: "import.max_upload_megabytes",
    };
    let (mut csrf_checked, mut kind, mut dry_run) = (false, String::new(), false);
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => {
                return Err(Refusal::Message(
                    "Choose a file to import.".into(),
                    StatusCode::UNPROCESSABLE_ENTITY,
                ));
            }
            Err(error) => return Err(multipart_refusal(&error, upload_limit)),
        };
        match field.name().unwrap_or_default() {
            "csrf" => {
                let sent = field
                    .text()
                    .await
                    .map_err(|e| multipart_refusal(&e, upload_limit))?;
                check_csrf(staff, &sent)?;
                csrf_checked = true;
            }
            "kind" => {
                kind = field
                    .text()
                    .await
                    .map_err(|e| multipart_refusal(&e, upload_limit))?
            }
            "dry_run" => dry_run = true,
            "file" if !csrf_checked => {
                return Err(AppError::Forbidden(
                    "This form has expired or did not come from this site. Reload the page and try again."
                        .into(),
                )
                .into());
            }
            "file" => {
                let file_name = field.file_name().unwrap_or_default().to_owned();
                let id = state
                    .site
                    .start_import_upload(staff, &kind, &file_name, dry_run)
                    .await?;
                return match store_file(state, id, field, upload_limit).await {
                    Ok(size) => {
                        state.site.queue_import_upload(id, size).await?;
                        Ok(id)
                    }
                    Err(refusal) => {
                        state
                            .site
                            .abandon_import_upload(id)
                            .await
                            .map_err(AppError::from)?;
                        Err(refusal)
                    }
                };
            }
            _ => {}
        }
    }
}

async fn store_file(
    state: &AppState,
    id: i64,
    mut field: Field<'_>,
    upload_limit: UploadLimit,
) -> Result<i64, Refusal> {
    let limit = state.site.config().import.max_upload_bytes();
    let (mut buffer, mut seq, mut size) = (Vec::with_capacity(CHUNK_BYTES), 0i64, 0u64);
    loop {
        let bytes = match field.chunk().await {
            Ok(Some(bytes)) => bytes,
            Ok(None) => break,
            Err(error) => return Err(multipart_refusal(&error, upload_limit)),
        };
        size += bytes.len() as u64;
        if size > limit {
            let (message, status) = upload_limit.too_large();
            return Err(Refusal::Message(message, status));
        }
        buffer.extend_from_slice(&bytes);
        while buffer.len() >= CHUNK_BYTES {
            let rest = buffer.split_off(CHUNK_BYTES);
            state.site.add_import_piece(id, seq, &buffer).await?;
            buffer = rest;
            seq += 1;
        }
    }
    if !buffer.is_empty() {
        state.site.add_import_piece(id, seq, &buffer).await?;
    }
    Ok(i64::try_from(size).unwrap_or(i64::MAX))
}
