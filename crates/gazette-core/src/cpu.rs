//! CPU-heavy work — rendering Markdown, hashing passwords — runs on tokio's blocking threads,
//! never on the few async worker threads that answer every request, and only so many at once: a
//! burst of expensive requests queues here instead of stalling `/healthz` and every page.

use crate::{CoreError, CoreResult, Site};
use std::sync::Arc;
use tokio::sync::Semaphore;

/// A bound on CPU-heavy tasks running at once.
#[derive(Debug, Clone)]
pub struct CpuPool {
    permits: Arc<Semaphore>,
}

impl CpuPool {
    /// Allows `tasks` at once (at least one).
    pub fn new(tasks: usize) -> Self {
        Self {
            permits: Arc::new(Semaphore::new(tasks.max(1))),
        }
    }

    /// One task per core.
    pub fn per_core() -> Self {
        Self::new(std::thread::available_parallelism().map_or(2, usize::from))
    }

    /// Runs `work` on a blocking thread once a place is free. The place is held until the work
    /// ends, even if the caller stops waiting (a client that hangs up frees nothing early).
    pub async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> CoreResult<T> {
        let permit = self
            .permits
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| CoreError::Storage("the CPU pool is closed".into()))?;
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            work()
        })
        .await
        .map_err(|e| CoreError::Storage(format!("a background task failed: {e}")))
    }
}

impl Site {
    /// A comment body rendered and sanitised, off the async threads.
    pub async fn render_comment(&self, markdown: &str) -> CoreResult<String> {
        let markdown = markdown.to_owned();
        self.render
            .run(move || gazette_render::render_comment(&markdown))
            .await
    }

    /// An article body rendered and sanitised, off the async threads (the editor's preview too).
    pub async fn render_article(&self, markdown: &str) -> CoreResult<String> {
        self.render_body(gazette_domain::BodyFormat::Markdown, markdown)
            .await
    }

    /// An article's or page's body in its format (Markdown, or imported HTML) rendered and
    /// sanitised, off the async threads.
    pub async fn render_body(
        &self,
        format: gazette_domain::BodyFormat,
        source: &str,
    ) -> CoreResult<String> {
        let source = source.to_owned();
        self.render
            .run(move || gazette_render::render_body(format, &source))
            .await
    }

    /// An article body rendered and sanitised, and its plain text for the search index, in one
    /// task off the async threads.
    pub async fn render_body_and_text(
        &self,
        format: gazette_domain::BodyFormat,
        source: &str,
    ) -> CoreResult<(String, String)> {
        let source = source.to_owned();
        self.render
            .run(move || {
                let html = gazette_render::render_body(format, &source);
                let text = gazette_render::text_of_html(&html);
                (html, text)
            })
            .await
    }
}
