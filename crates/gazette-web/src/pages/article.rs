use super::{Pagination, SiteContext};
use crate::AppState;
use crate::cookies::{self, CommenterDetails};
use crate::error::AppError;
use crate::params::Params;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::http::StatusCode;
use axum::response::Response;
use axum_extra::extract::SignedCookieJar;
use axum_extra::extract::cookie::CookieJar;
use gazette_core::freshness::Shows;
use gazette_domain::thread::ThreadNode;
use gazette_domain::{Article, Comment, CommentId, CommentStatus, FieldErrors};
use serde::Serialize;
use std::collections::BTreeMap;

/// `GET /articles/{slug}`: the article, one page of its discussion (`?cpage=N`), and the form
/// (`?replytocom=ID` turns it into a reply, without JavaScript). Readers without a commenter's
/// cookie share one cached rendering; a commenter gets their own (with their held comments).
pub async fn article_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(slug): Path<String>,
    query: Result<Query<Params>, QueryRejection>,
    own: SignedCookieJar,
    jar: CookieJar,
) -> Result<Response, AppError> {
    let params = Params::from_query(query)?;
    let cpage = params.cpage()?;
    let personal = cookies::is_personal(&headers) || params.replytocom.is_some();
    let key = format!("article:{slug}?{cpage}");
    if !personal && let Some(hit) = state.cache.get(&state.site, &key, &headers).await? {
        return Ok(hit);
    }
    let era = state.site.stamp(Shows::Lists).await?;
    let article = match state.site.public_article(&slug).await {
        Ok(article) => article,
        Err(gazette_core::CoreError::NotFound(what)) => {
            // An article whose slug changed answers at its old address with a permanent redirect.
            return match state.site.redirect_for(&slug).await {
                Ok(current) => Ok(moved_permanently(&article_url(&current, cpage))),
                Err(_) => Err(gazette_core::CoreError::NotFound(what).into()),
            };
        }
        Err(other) => return Err(other.into()),
    };
    let shows = Shows::Article(article.id);
    let stamp = state.site.stamp(shows).await?;
    let reply_to = match params.reply_to() {
        Some(id) => state.site.reply_target(&article, CommentId(id)).await?,
        None => None,
    };
    let details = cookies::commenter_details(&jar);
    let form = CommentForm::blank(&article, details, reply_to.as_ref(), cpage);
    let body = render_body(&state, &article, cpage, &cookies::own_comments(&own), form).await?;
    if personal {
        return Ok(personal_html(body, StatusCode::OK));
    }
    let keep = era.same_era(&stamp) && state.site.stamp(shows).await? == stamp;
    Ok(state.cache.put(
        key,
        shows,
        stamp,
        keep,
        crate::cache::Rendered::html(body),
        &headers,
    ))
}

/// What the comment form shows: the reader's input, messages per field, and whom they answer.
#[derive(Debug, Serialize)]
pub struct CommentForm {
    action: String,
    values: FormValues,
    errors: BTreeMap<&'static str, String>,
    error_list: Vec<FieldMessage>,
    reply_to: Option<ReplyTo>,
    save_details: bool,
    cancel_url: String,
    form_token: String,
}

/// The fields as the reader typed them.
#[derive(Debug, Default, Serialize)]
pub struct FormValues {
    /// Comment body.
    pub comment: String,
    /// Name.
    pub author: String,
    /// Email address.
    pub email: String,
    /// Website.
    pub url: String,
    /// The id answered, or empty.
    pub comment_parent: String,
}

#[derive(Debug, Serialize)]
struct FieldMessage {
    field: &'static str,
    message: String,
}

#[derive(Debug, Serialize)]
struct ReplyTo {
    id: i64,
    name: String,
}

impl CommentForm {
    /// An empty form, pre-filled with saved details, answering `reply_to` when given.
    pub fn blank(
        article: &Article,
        details: Option<CommenterDetails>,
        reply_to: Option<&Comment>,
        cpage: u32,
    ) -> Self {
        let saved = details.is_some();
        let details = details.unwrap_or_default();
        let values = FormValues {
            comment: String::new(),
            author: details.name,
            email: details.email,
            url: details.url,
            comment_parent: reply_to.map(|c| c.id.0.to_string()).unwrap_or_default(),
        };
        let mut form = Self::with_values(article, values, FieldErrors::default(), saved, cpage);
        form.reply_to = reply_to.map(|c| ReplyTo {
            id: c.id.0,
            name: c.author_name.clone(),
        });
        form
    }

    /// The form as submitted, with what to fix.
    pub fn with_values(
        article: &Article,
        values: FormValues,
        errors: FieldErrors,
        save_details: bool,
        cpage: u32,
    ) -> Self {
        let error_list = errors
            .0
            .iter()
            .map(|(field, message)| FieldMessage {
                field: field.as_str(),
                message: message.clone(),
            })
            .collect();
        let errors = errors.0.into_iter().map(|(f, m)| (f.as_str(), m)).collect();
        Self {
            action: format!("/articles/{}/comments", article.slug),
            values,
            errors,
            error_list,
            reply_to: None,
            save_details,
            cancel_url: format!("{}#respond", article_url(&article.slug, cpage)),
            form_token: String::new(),
        }
    }

    /// Shows "Reply to NAME" when the reply target is known.
    pub fn replying_to(mut self, comment: Option<&Comment>) -> Self {
        self.reply_to = comment.map(|c| ReplyTo {
            id: c.id.0,
            name: c.author_name.clone(),
        });
        self
    }
}

/// The URL of comment page `cpage` of an article.
pub fn article_url(slug: &str, cpage: u32) -> String {
    if cpage > 1 {
        format!("/articles/{slug}?cpage={cpage}")
    } else {
        format!("/articles/{slug}")
    }
}

#[derive(Debug, Serialize)]
struct CommentView {
    id: i64,
    author_name: String,
    author_url: Option<String>,
    avatar: String,
    body_html: String,
    created_at: i64,
    held: bool,
    permalink: String,
    reply_url: Option<String>,
}

#[derive(Debug, Serialize)]
struct DiscussionView {
    heading: String,
    /// The live stream's address, on the last comment page only (where new comments go).
    live_url: Option<String>,
    /// The newest approval number on the page: the stream sends what comes after.
    after: i64,
    threads: Vec<ThreadNode<CommentView>>,
    pagination: Pagination,
    open: bool,
    form: CommentForm,
}

#[derive(Debug, Serialize)]
struct ArticlePage<'a> {
    #[serde(flatten)]
    site: SiteContext,
    og_type: &'static str,
    article: &'a Article,
    updated: bool,
    discussion: DiscussionView,
}

/// Renders the article page with `form` for one reader, answering `status` (422 for a refused
/// comment, 429 when rate-limited).
pub async fn render(
    state: &AppState,
    article: &Article,
    cpage: u32,
    own: &[CommentId],
    form: CommentForm,
    status: StatusCode,
) -> Result<Response, AppError> {
    let body = render_body(state, article, cpage, own, form).await?;
    Ok(personal_html(body, status))
}

/// An HTML page rendered for one reader: never stored by shared caches.
fn personal_html(body: String, status: StatusCode) -> Response {
    use axum::response::IntoResponse;
    let mut response = (status, axum::response::Html(body)).into_response();
    response.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("private, no-cache"),
    );
    response
}

/// The article page's HTML.
async fn render_body(
    state: &AppState,
    article: &Article,
    cpage: u32,
    own: &[CommentId],
    mut form: CommentForm,
) -> Result<String, AppError> {
    // Issued now: the spam layer refuses it if it comes back too soon or too late.
    form.form_token = state.site.form_token(article.id, state.site.now());
    let discussion = state.site.discussion(article, cpage, own).await?;
    let page_url = article_url(&article.slug, cpage);
    let open = discussion.open;
    let after = newest_approved(&discussion.threads);
    let live_url = (state.site.config().live.max_connections > 0
        && discussion.page == discussion.total_pages)
        .then(|| format!("/articles/{}/live", article.slug));
    let threads = discussion
        .threads
        .into_iter()
        .map(|node| view_node(node, &page_url, open))
        .collect();
    let heading = discussion_heading(discussion.approved_count, &article.title);
    let pagination = Pagination::new(discussion.page, discussion.total_pages, |p| {
        format!("{}#comments", article_url(&article.slug, p))
    });
    let base = SiteContext::configured_base(state);
    let config = &state.site.config().site;
    let logo = (!config.logo_url.is_empty())
        .then(|| gazette_core::feeds::absolute_url(&base, &config.logo_url));
    let settings = state.site.settings().await?;
    let meta = super::metadata::article(
        article,
        &format!("{base}/articles/{}", article.slug),
        &super::metadata::Publisher {
            name: &settings.title,
            logo: logo.as_deref(),
            base: &base,
            language: &config.language,
        },
    );
    let site = SiteContext::new(state, &article.title, &article.excerpt, Some(&page_url))
        .await?
        .with_article(meta)
        .with_feed(
            &format!("{} Comments Feed", article.title),
            &format!("/articles/{}/comments/feed", article.slug),
        );
    let page = ArticlePage {
        site,
        og_type: "article",
        article,
        updated: article.was_updated(),
        discussion: DiscussionView {
            heading,
            live_url,
            after,
            threads,
            pagination,
            open,
            form,
        },
    };
    super::render_html(state, "article.html", &page)
}

/// "Be the first to comment", "1 Comment on “Title”", "N Comments on “Title”".
pub(crate) fn discussion_heading(approved: i64, title: &str) -> String {
    match approved {
        0 => "Be the first to comment".to_owned(),
        1 => format!("1 Comment on “{title}”"),
        n => format!("{n} Comments on “{title}”"),
    }
}

/// The highest approval number among the approved comments of `threads` (0 when none).
fn newest_approved(threads: &[ThreadNode<Comment>]) -> i64 {
    threads
        .iter()
        .map(|node| {
            let own = if node.comment.status == CommentStatus::Approved {
                node.comment.approved_seq.unwrap_or(0)
            } else {
                0
            };
            own.max(newest_approved(&node.replies))
        })
        .max()
        .unwrap_or(0)
}

/// One comment's HTML exactly as the page shows it (for live streams).
pub(crate) fn render_comment(
    state: &AppState,
    comment: Comment,
    page_url: &str,
    open: bool,
) -> Result<String, AppError> {
    #[derive(Serialize)]
    struct One {
        c: CommentView,
    }
    super::render_html(
        state,
        "comment.html",
        &One {
            c: comment_view(comment, page_url, open),
        },
    )
}

fn view_node(node: ThreadNode<Comment>, page_url: &str, open: bool) -> ThreadNode<CommentView> {
    ThreadNode {
        comment: comment_view(node.comment, page_url, open),
        depth: node.depth,
        replies: node
            .replies
            .into_iter()
            .map(|n| view_node(n, page_url, open))
            .collect(),
    }
}

fn comment_view(c: Comment, page_url: &str, open: bool) -> CommentView {
    let held = c.status == CommentStatus::Held;
    let separator = if page_url.contains('?') { '&' } else { '?' };
    CommentView {
        id: c.id.0,
        permalink: format!("{page_url}#comment-{}", c.id.0),
        // A held comment cannot be answered yet; closed articles take no replies.
        reply_url: (open && !held)
            .then(|| format!("{page_url}{separator}replytocom={}#respond", c.id.0)),
        author_name: c.author_name,
        author_url: c.author_url,
        avatar: c.avatar,
        body_html: c.body_html,
        created_at: c.created_at,
        held,
    }
}

use super::moved::moved_permanently;
