use super::article::{CommentForm, FormValues, article_url, render};
use crate::AppState;
use crate::client::ClientInfo;
use crate::cookies::{self, CommenterDetails};
use crate::error::AppError;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::SignedCookieJar;
use axum_extra::extract::cookie::CookieJar;
use gazette_core::CoreError;
use gazette_core::commenting::{Submission, Submitter};
use gazette_domain::{CommentDraft, CommentId, Field, FieldErrors};
use serde::Deserialize;

/// The comment form's fields, named as WordPress names them so existing themes' forms work, plus
/// the signed form token and the honeypot (a field people never see).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CommentFields {
    comment: String,
    author: String,
    email: String,
    url: String,
    comment_parent: String,
    save_details: Option<String>,
    form_token: String,
    hp_website: String,
}

/// `POST /articles/{slug}/comments`: stores the comment and redirects to it (303, post/redirect/get),
/// or shows the page again with the reader's input and what to fix (422; 429 when rate-limited;
/// 403 when refused), storing nothing.
pub async fn submit_comment(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    client: ClientInfo,
    own: SignedCookieJar,
    jar: CookieJar,
    form: Result<Form<CommentFields>, FormRejection>,
) -> Result<Response, AppError> {
    let Form(fields) = form.map_err(form_rejection)?;
    let submission = Submission {
        draft: CommentDraft {
            body: fields.comment.clone(),
            name: fields.author.clone(),
            email: fields.email.clone(),
            website: fields.url.clone(),
            parent: fields.comment_parent.clone(),
        },
        honeypot: fields.hp_website.clone(),
        form_token: fields.form_token.clone(),
    };
    let from = Submitter {
        ip: client.ip,
        user_agent: client.user_agent,
    };
    let secure = state.site.config().site.base_url.starts_with("https://");
    let (errors, status) = match state.site.submit_comment(&slug, &submission, from).await {
        Ok(gazette_core::commenting::Submitted { comment, page }) => {
            let location = format!("{}#comment-{}", article_url(&slug, page), comment.id.0);
            let own = cookies::remember_own(own, comment.id, secure);
            let draft = &submission.draft;
            let details = fields.save_details.is_some().then(|| CommenterDetails {
                name: draft.name.trim().to_owned(),
                email: draft.email.trim().to_owned(),
                url: draft.website.trim().to_owned(),
            });
            let jar = cookies::save_details(jar, details.as_ref(), secure);
            return Ok((own, jar, Redirect::to(&location)).into_response());
        }
        // A robot's comment dropped unstored: the usual answer, so it learns nothing.
        Err(CoreError::Discarded) => {
            let location = format!("{}#comments", article_url(&slug, 1));
            return Ok(Redirect::to(&location).into_response());
        }
        Err(CoreError::Invalid(errors)) => (errors, StatusCode::UNPROCESSABLE_ENTITY),
        Err(CoreError::RateLimited(message)) => {
            (form_message(message), StatusCode::TOO_MANY_REQUESTS)
        }
        Err(CoreError::Refused(message)) => (form_message(message), StatusCode::FORBIDDEN),
        Err(other) => return Err(other.into()),
    };
    let article = state.site.public_article(&slug).await?;
    let reply_to = match submission.draft.validate().ok().and_then(|v| v.parent_id) {
        Some(id) => state.site.reply_target(&article, id).await?,
        None => None,
    };
    let values = FormValues {
        comment: fields.comment,
        author: fields.author,
        email: fields.email,
        url: fields.url,
        comment_parent: reply_to
            .as_ref()
            .map(|c| c.id.0.to_string())
            .unwrap_or_default(),
    };
    let form = CommentForm::with_values(&article, values, errors, fields.save_details.is_some(), 1)
        .replying_to(reply_to.as_ref());
    let own_ids: Vec<CommentId> = cookies::own_comments(&own);
    render(&state, &article, 1, &own_ids, form, status).await
}

fn form_message(message: String) -> FieldErrors {
    let mut errors = FieldErrors::default();
    errors.add(Field::Form, message);
    errors
}

fn form_rejection(rejection: FormRejection) -> AppError {
    if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
        return AppError::PayloadTooLarge;
    }
    AppError::BadRequest(format!(
        "The comment form could not be read ({}). Please send it from the article page.",
        rejection.body_text()
    ))
}
