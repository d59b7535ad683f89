//! `/admin/media`: the media library. Staff who write upload images (checked by their content,
//! stripped of metadata, resized), give them alternative text, a caption and a credit, and choose
//! them as an article's featured image; `/media/{id}/{width}.{ext}` serves each stored size.

use super::auth::{UploadLimit, read_form};
use super::session::{AdminContext, StaffSession, check_csrf, render};
use crate::AppState;
use crate::error::AppError;
use crate::params::Params;
use axum::extract::multipart::{Multipart, MultipartRejection};
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use gazette_core::CoreError;
use gazette_core::auth::Staff;
use gazette_domain::{Media, MediaId, MediaText, Page};
use serde::{Deserialize, Serialize};

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct LibraryQuery {
    page: Option<String>,
    notice: Option<String>,
}

#[derive(Debug, Serialize)]
struct LibraryPage {
    #[serde(flatten)]
    admin: AdminContext,
    media: Page<Media>,
    total_pages: u32,
    max_megabytes: u32,
    error: Option<String>,
    text: TextView,
}

#[derive(Debug, Default, Serialize)]
struct TextView {
    title: String,
    alt_text: String,
    caption: String,
    credit: String,
}

impl From<&MediaText> for TextView {
    fn from(text: &MediaText) -> Self {
        Self {
            title: text.title.clone(),
            alt_text: text.alt_text.clone(),
            caption: text.caption.clone(),
            credit: text.credit.clone(),
        }
    }
}

async fn library_page(
    state: &AppState,
    staff: &Staff,
    page: u32,
    notice: Option<&str>,
    error: Option<String>,
    text: TextView,
    status: StatusCode,
) -> Result<Response, AppError> {
    let media = state.site.media_library(staff, page).await?;
    let view = LibraryPage {
        admin: AdminContext::new(state, staff, "Media", notice).await?,
        total_pages: media.total_pages(),
        media,
        max_megabytes: state.site.config().media.max_upload_megabytes,
        error,
        text,
    };
    render(state, "admin_media.html", &view, status)
}

/// `GET /admin/media`: the upload form and the library, newest first.
pub async fn library(
    State(state): State<AppState>,
    StaffSession(staff): StaffSession,
    query: Result<Query<LibraryQuery>, QueryRejection>,
) -> Result<Response, AppError> {
    let Query(q) = query.map_err(|e| AppError::BadRequest(e.body_text()))?;
    let page = Params {
        page: q.page,
        ..Default::default()
    }
    .page()?;
    library_page(
        &state,
        &staff,
        page,
        q.notice.as_deref(),
        None,
        TextView::default(),
        StatusCode::OK,
    )
    .await
}

/// What an upload's form said, read before the file.
#[derive(Debug, Default)]
struct UploadFields {
    csrf_checked: bool,
    text: MediaText,
    /// Where to go afterwards: an article's editor (`123`), a new article's (`new`), or the
    /// image's own page.
    return_to: String,
}

/// Reads the form up to and including the file (which must come last, as browsers send it).
async fn receive(
    state: &AppState,
    staff: &Staff,
    mut multipart: Multipart,
    fields: &mut UploadFields,
) -> Result<(Vec<u8>, String), (String, StatusCode)> {
    let upload_limit = UploadLimit {
        what: "image",
        megabytes: state.site.config().media.max_upload_megabytes,
        setting: "media.max_upload_megabytes",
    };
    let limit = state.site.config().media.max_upload_bytes();
    loop {
        let mut field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => {
                return Err((
                    "Choose an image to upload.".into(),
                    StatusCode::UNPROCESSABLE_ENTITY,
                ));
            }
            Err(error) => return Err(upload_limit.unreadable(&error)),
        };
        let name = field.name().unwrap_or_default().to_owned();
        if name == "file" {
            if !fields.csrf_checked {
                return Err((
                    "This form has expired or did not come from this site. Reload the page and try again.".into(),
                    StatusCode::FORBIDDEN,
                ));
            }
            let file_name = field.file_name().unwrap_or_default().to_owned();
            let mut bytes = Vec::new();
            loop {
                match field.chunk().await {
                    Ok(Some(chunk)) => {
                        if (bytes.len() + chunk.len()) as u64 > limit {
                            return Err(upload_limit.too_large());
                        }
                        bytes.extend_from_slice(&chunk);
                    }
                    Ok(None) => break,
                    Err(error) => return Err(upload_limit.unreadable(&error)),
                }
            }
            return Ok((bytes, file_name));
        }
        // Every other field is a short line of text.
        let value = field
            .text()
            .await
            .map_err(|e| upload_limit.unreadable(&e))?;
        match name.as_str() {
            "csrf" => {
                check_csrf(staff, &value).map_err(|_| {
                    (
                        "This form has expired or did not come from this site. Reload the page and try again.".to_owned(),
                        StatusCode::FORBIDDEN,
                    )
                })?;
                fields.csrf_checked = true;
            }
            "title" => fields.text.title = value,
            "alt_text" => fields.text.alt_text = value,
            "caption" => fields.text.caption = value,
            "credit" => fields.text.credit = value,
            "return_to" => fields.return_to = value,
            _ => {}
        }
    }
}

/// The title an upload gets when none is given: its file name without the extension.
fn title_from(file_name: &str) -> String {
    let base = file_name.rsplit(['/', '\\']).next().unwrap_or(file_name);
    let stem = base.rsplit_once('.').map_or(base, |(stem, _)| stem);
    stem.chars()
        .map(|c| if matches!(c, '_' | '-') { ' ' } else { c })
        .take(200)
        .collect::<String>()
        .trim()
        .to_owned()
}

/// `POST /admin/media/upload` (multipart: `csrf`, `title`, `alt_text`, `caption`, `credit`,
/// `return_to`, then `file`): stores the image in every size and goes to its page, or back to the
/// editor that asked, with the image chosen.
pub async fn upload(
    State(state): State<AppState>,
    StaffSession(staff): StaffSession,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, AppError> {
    staff
        .require(gazette_domain::Permission::WriteOwnArticles)
        .map_err(AppError::from)?;
    let mut fields = UploadFields::default();
    let received = match multipart {
        Ok(multipart) => receive(&state, &staff, multipart, &mut fields).await,
        Err(rejection) => Err((
            format!("The upload could not be read: {}", rejection.body_text()),
            StatusCode::BAD_REQUEST,
        )),
    };
    let result = match received {
        Ok((bytes, file_name)) => {
            let mut text = fields.text.clone();
            if text.title.trim().is_empty() {
                text.title = title_from(&file_name);
            }
            match state.site.upload_image(&staff, bytes, text).await {
                Ok(media) => Ok(media),
                Err(CoreError::BadInput(message)) => {
                    Err((message, StatusCode::UNPROCESSABLE_ENTITY))
                }
                Err(other) => return Err(other.into()),
            }
        }
        Err(refusal) => Err(refusal),
    };
    match result {
        Ok(media) => {
            let to = match fields.return_to.as_str() {
                "new" => format!("/admin/articles/new?featured={}", media.id.0),
                id if !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()) => format!(
                    "/admin/articles/{id}?featured={}&notice=featured",
                    media.id.0
                ),
                _ => format!("/admin/media/{}?notice=uploaded", media.id.0),
            };
            Ok(Redirect::to(&to).into_response())
        }
        Err((message, StatusCode::FORBIDDEN)) => Err(AppError::Forbidden(message)),
        Err((message, status)) => {
            library_page(
                &state,
                &staff,
                1,
                None,
                Some(message),
                TextView::from(&fields.text),
                status,
            )
            .await
        }
    }
}

#[derive(Debug, Serialize)]
struct MediaPage {
    #[serde(flatten)]
    admin: AdminContext,
    media: Media,
    usage: i64,
    markdown: String,
    sizes: Vec<SizeLink>,
    error: Option<String>,
    text: TextView,
}

#[derive(Debug, Serialize)]
struct SizeLink {
    width: i64,
    path: String,
}

fn parse_media_id(id: &str) -> Result<MediaId, AppError> {
    id.parse()
        .map(MediaId)
        .map_err(|_| AppError::NotFound("There is no such image.".into()))
}

/// The Markdown that shows an image in an article body.
fn markdown_for(media: &Media) -> String {
    let alt: String = media
        .alt_text
        .chars()
        .map(|c| {
            if matches!(c, '[' | ']' | '\\') {
                ' '
            } else {
                c
            }
        })
        .collect();
    format!("![{}]({})", alt.trim(), media.src_for(960))
}

async fn media_page(
    state: &AppState,
    staff: &Staff,
    id: MediaId,
    notice: Option<&str>,
    error: Option<(String, TextView)>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let (media, usage) = state.site.media_for_editing(staff, id).await?;
    let (error, text) = match error {
        Some((message, text)) => (Some(message), text),
        None => (
            None,
            TextView {
                title: media.title.clone(),
                alt_text: media.alt_text.clone(),
                caption: media.caption.clone(),
                credit: media.credit.clone(),
            },
        ),
    };
    let view = MediaPage {
        admin: AdminContext::new(state, staff, &format!("Image “{}”", media.title), notice).await?,
        markdown: markdown_for(&media),
        sizes: media
            .variants
            .iter()
            .map(|&width| SizeLink {
                width,
                path: media.variant_path(width),
            })
            .collect(),
        media,
        usage,
        error,
        text,
    };
    render(state, "admin_media_item.html", &view, status)
}

/// `GET /admin/media/{id}`: the image, its sizes, its words and what uses it.
pub async fn show(
    State(state): State<AppState>,
    StaffSession(staff): StaffSession,
    Path(id): Path<String>,
    query: Result<Query<LibraryQuery>, QueryRejection>,
) -> Result<Response, AppError> {
    let id = parse_media_id(&id)?;
    let notice = query.ok().and_then(|Query(q)| q.notice);
    media_page(&state, &staff, id, notice.as_deref(), None, StatusCode::OK).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct TextFields {
    csrf: String,
    title: String,
    alt_text: String,
    caption: String,
    credit: String,
}

/// `POST /admin/media/{id}`: saves the title, alternative text, caption and credit.
pub async fn save(
    State(state): State<AppState>,
    StaffSession(staff): StaffSession,
    Path(id): Path<String>,
    form: Result<Form<TextFields>, FormRejection>,
) -> Result<Response, AppError> {
    let id = parse_media_id(&id)?;
    let fields = read_form(form)?;
    check_csrf(&staff, &fields.csrf)?;
    let text = MediaText {
        title: fields.title,
        alt_text: fields.alt_text,
        caption: fields.caption,
        credit: fields.credit,
    };
    match state.site.update_media(&staff, id, text.clone()).await {
        Ok(media) => {
            Ok(Redirect::to(&format!("/admin/media/{}?notice=saved", media.id.0)).into_response())
        }
        Err(CoreError::BadInput(message)) => {
            media_page(
                &state,
                &staff,
                id,
                None,
                Some((message, TextView::from(&text))),
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
}

/// `POST /admin/media/{id}/delete`: deletes the image and its files.
pub async fn delete(
    State(state): State<AppState>,
    StaffSession(staff): StaffSession,
    Path(id): Path<String>,
    form: Result<Form<DeleteFields>, FormRejection>,
) -> Result<Response, AppError> {
    let id = parse_media_id(&id)?;
    let fields = read_form(form)?;
    check_csrf(&staff, &fields.csrf)?;
    state.site.delete_media(&staff, id).await?;
    Ok(Redirect::to("/admin/media?notice=deleted").into_response())
}

/// `GET /media/{id}/{width}.{ext}`: one stored size of an uploaded image. Its bytes never change
/// (a new upload is a new image), so browsers and proxies may keep it for a year; its hash is
/// its ETag.
pub async fn file(
    State(state): State<AppState>,
    Path((id, file)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let missing = || AppError::NotFound("There is no such image.".into());
    let id: i64 = id.parse().map_err(|_| missing())?;
    let (width, extension) = file.split_once('.').ok_or_else(missing)?;
    let width: i64 = width.parse().map_err(|_| missing())?;
    let served = state
        .site
        .media_file(MediaId(id), width)
        .await
        .map_err(|e| match e {
            CoreError::NotFound(_) => missing(),
            other => other.into(),
        })?;
    if extension != Media::extension_of(&served.mime_type) {
        return Err(missing());
    }
    let etag = format!("\"{}\"", served.sha256);
    let etag_value = HeaderValue::from_str(&etag).map_err(|e| AppError::Internal(e.to_string()))?;
    let cache = HeaderValue::from_static("public, max-age=31536000, immutable");
    let matches = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
    if matches {
        return Ok((
            StatusCode::NOT_MODIFIED,
            [(header::ETAG, etag_value), (header::CACHE_CONTROL, cache)],
        )
            .into_response());
    }
    let content_type =
        HeaderValue::from_str(&served.mime_type).map_err(|e| AppError::Internal(e.to_string()))?;
    Ok((
        [
            (header::CONTENT_TYPE, content_type),
            (header::ETAG, etag_value),
            (header::CACHE_CONTROL, cache),
        ],
        served.data,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_come_from_the_file_name_without_its_path() {
        assert_eq!(
            title_from("C:\\Users\\ana\\harbour_at-dawn.JPG"),
            "harbour at dawn"
        );
        assert_eq!(title_from("photo"), "photo");
        assert_eq!(title_from(""), "");
    }
}
