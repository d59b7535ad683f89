//! Live comments: `GET /articles/{slug}/live` streams newly approved comments as server-sent
//! events. A stream wakes when this node learns that the article's discussion changed (its own
//! writes, other nodes' through the store's change feed, the CLI's through the polled log), asks
//! the store which approved comments it has not sent, and sends each rendered as on the page.
//! Held, spam and trashed comments never travel. The stream is pulled by the connection, so a slow
//! reader holds one batch at most; streams per node are capped; quiet streams get heartbeats.

use crate::AppState;
use crate::error::AppError;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures_util::Stream;
use gazette_core::reading::LiveCursor;
use gazette_domain::Article;
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore, broadcast};

/// The most new comments sent in one wake-up; more than that and the reader is told to reload.
const BATCH: usize = 50;

/// What every stream on this node shares: the cap, and the signal to end at shutdown.
#[derive(Debug)]
pub struct LiveHub {
    permits: Arc<Semaphore>,
    max: usize,
    closing: AtomicBool,
    closed: Notify,
}

impl LiveHub {
    /// A hub allowing `max` streams at once.
    pub fn new(max: u32) -> Self {
        let max = max as usize;
        Self {
            permits: Arc::new(Semaphore::new(max)),
            max,
            closing: AtomicBool::new(false),
            closed: Notify::new(),
        }
    }

    /// Streams open now.
    pub fn open_streams(&self) -> usize {
        self.max - self.permits.available_permits()
    }

    /// Ends every stream (graceful shutdown would otherwise wait for them forever).
    pub fn close(&self) {
        self.closing.store(true, Ordering::Release);
        self.closed.notify_waiters();
    }
}

/// `?after=N`: the newest approval number the page showed (its `data-after`); what was approved
/// up to it is not sent again. Absent, the stream starts from the first approval (so at most a
/// batch, then a "reload" event).
#[derive(Debug, Deserialize)]
pub struct LiveQuery {
    after: Option<i64>,
}

/// What one event carries: enough for the script to put the comment in its thread.
#[derive(Debug, Serialize)]
struct LiveComment {
    id: i64,
    parent: Option<i64>,
    depth: u32,
    html: String,
    /// The discussion's heading with the new count ("3 Comments on “…”").
    heading: String,
}

/// `GET /articles/{slug}/live`.
pub async fn live_comments(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    query: Result<Query<LiveQuery>, axum::extract::rejection::QueryRejection>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let Query(query) = query.map_err(|_| {
        AppError::BadRequest("after must be a whole number, as in ?after=12.".into())
    })?;
    // A reconnecting browser says what it saw last; that wins over the page's number.
    let last_event: Option<i64> = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse().ok());
    let after = last_event.or(query.after).unwrap_or(0);
    let article = state.site.public_article(&slug).await?;
    let hub = state.live.clone();
    if hub.closing.load(Ordering::Acquire) {
        return Err(AppError::Unavailable("shutting down".into()));
    }
    let Ok(permit) = hub.permits.clone().try_acquire_owned() else {
        return Err(AppError::TooManyRequests(
            "Too many readers are following comments live right now. Reload the page to see new comments."
                .into(),
        ));
    };
    let changes = state.site.freshness().discussions();
    let stream = LiveStream {
        state: state.clone(),
        article,
        cursor: LiveCursor::after(after),
        changes,
        pending: VecDeque::new(),
        _permit: permit,
        hub,
        check_now: true,
    };
    let heartbeat = Duration::from_secs(u64::from(state.site.config().live.heartbeat_seconds));
    let mut response = Sse::new(stream.into_stream())
        .keep_alive(KeepAlive::new().interval(heartbeat).text("heartbeat"))
        .into_response();
    response.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    // nginx and similar proxies buffer responses unless told not to.
    response.headers_mut().insert(
        "x-accel-buffering",
        axum::http::HeaderValue::from_static("no"),
    );
    Ok(response)
}

struct LiveStream {
    state: AppState,
    article: Article,
    cursor: LiveCursor,
    changes: broadcast::Receiver<Option<gazette_domain::ArticleId>>,
    pending: VecDeque<Event>,
    /// Held for as long as the stream lives: the node's cap counts it.
    _permit: OwnedSemaphorePermit,
    hub: Arc<LiveHub>,
    /// Look at once (comments approved between the page and the stream).
    check_now: bool,
}

enum Wake {
    Check,
    End,
}

impl LiveStream {
    fn into_stream(self) -> impl Stream<Item = Result<Event, std::convert::Infallible>> {
        futures_util::stream::unfold(self, |mut live| async move {
            loop {
                if let Some(event) = live.pending.pop_front() {
                    return Some((Ok(event), live));
                }
                if !live.check_now {
                    match live.wait().await {
                        Wake::Check => {}
                        Wake::End => return None,
                    }
                }
                live.check_now = false;
                match live.look().await {
                    Ok(()) => {}
                    Err(AppError::NotFound(_)) => {
                        // Unpublished or trashed since the stream began: nothing more is sent.
                        tracing::debug!(
                            article = live.article.id.0,
                            "live stream ends: article not public"
                        );
                        return None;
                    }
                    Err(error) => {
                        // The database is away: end; the browser reconnects by itself later.
                        tracing::debug!(?error, "live stream ends");
                        return None;
                    }
                }
            }
        })
    }

    /// Waits until this article's discussion changed, or the node shuts down.
    async fn wait(&mut self) -> Wake {
        let closed = self.hub.closed.notified();
        tokio::pin!(closed);
        closed.as_mut().enable();
        if self.hub.closing.load(Ordering::Acquire) {
            return Wake::End;
        }
        loop {
            tokio::select! {
                () = &mut closed => return Wake::End,
                change = self.changes.recv() => match change {
                    Ok(Some(id)) if id == self.article.id => return Wake::Check,
                    // Anything may have changed: the article may not be public any more.
                    Ok(None) => return Wake::Check,
                    Ok(Some(_)) => {}
                    // Missed some: one of them may have been ours.
                    Err(broadcast::error::RecvError::Lagged(_)) => return Wake::Check,
                    Err(broadcast::error::RecvError::Closed) => return Wake::End,
                },
            }
        }
    }

    /// Queues an event for each approved comment not sent yet.
    async fn look(&mut self) -> Result<(), AppError> {
        let (fresh, total) = self
            .state
            .site
            .new_approved_comments(&self.article, &mut self.cursor, BATCH + 1)
            .await?;
        let heading = crate::pages::article::discussion_heading(total, &self.article.title);
        if fresh.len() > BATCH {
            self.pending
                .push_back(Event::default().event("reload").data("many new comments"));
            return Ok(());
        }
        let page_url = crate::pages::article::article_url(&self.article.slug, 1);
        let open = self.state.site.accepts_comments(&self.article).await?;
        for comment in fresh {
            let id = comment.id.0;
            let seq = comment.approved_seq.unwrap_or_else(|| self.cursor.newest());
            let payload = LiveComment {
                id,
                parent: comment.parent_id.map(|p| p.0),
                depth: comment.depth,
                html: crate::pages::article::render_comment(&self.state, comment, &page_url, open)?,
                heading: heading.clone(),
            };
            let data = serde_json::to_string(&payload)
                .map_err(|e| AppError::Internal(format!("live comment: {e}")))?;
            self.pending.push_back(
                Event::default()
                    .event("comment")
                    // A reconnecting browser sends it back as Last-Event-ID.
                    .id(seq.to_string())
                    .data(data),
            );
        }
        Ok(())
    }
}
