//! WebSub: with `[feeds] websub_hub` set, a write that changes what a public feed shows queues a
//! job naming those feeds; whichever node runs it tells the hub (`hub.mode=publish`), and the
//! hub tells the feed's subscribers at once instead of waiting for them to poll. Never inside
//! the request: a hub that is slow or down delays nobody, and a failed ping is retried.

use crate::{CoreError, CoreResult, Site};
use gazette_domain::Article;
use gazette_store::Job;
use std::time::Duration;

/// The job kind of a ping; its payload is the feeds' addresses, one per line.
pub const WEBSUB: &str = "websub";

/// Attempts before a ping is given up (retries wait one more minute each: about a day in all).
const MAX_ATTEMPTS: i64 = 48;

/// How long one request to the hub may take.
const HUB_TIMEOUT: Duration = Duration::from_secs(10);

impl Site {
    /// The feeds (RSS and Atom, absolute) that list `article`: the site's, its categories',
    /// tags' and authors'.
    pub fn feeds_of(&self, article: &Article) -> Vec<String> {
        let base = self.config.site.base_url.trim().trim_end_matches('/');
        let mut paths = vec!["/feed".to_owned()];
        paths.extend(
            article
                .categories
                .iter()
                .map(|t| format!("/category/{}/feed", t.slug)),
        );
        paths.extend(article.tags.iter().map(|t| format!("/tag/{}/feed", t.slug)));
        paths.extend(
            article
                .authors
                .iter()
                .map(|a| format!("/author/{}/feed", a.slug)),
        );
        Self::feed_addresses(base, paths)
    }

    /// Each feed path's RSS and Atom addresses under `base`.
    fn feed_addresses(base: &str, paths: Vec<String>) -> Vec<String> {
        paths
            .into_iter()
            .flat_map(|p| [format!("{base}{p}"), format!("{base}{p}/atom")])
            .collect()
    }

    /// After a write of `after` (which was `before`), queues a ping for every feed either version
    /// is in, if either is or becomes public; a scheduled article's ping waits for its time.
    pub(crate) async fn queue_websub(
        &self,
        before: Option<&Article>,
        after: &Article,
    ) -> CoreResult<()> {
        if self.config.feeds.hub().is_none() {
            return Ok(());
        }
        let now = self.now();
        let was_public = before.is_some_and(|a| a.is_public(now));
        let is_public = after.is_public(now);
        let goes_public_at = (after.status == gazette_domain::ArticleStatus::Published)
            .then_some(after.published_at)
            .flatten()
            .filter(|&at| at > now);
        if !was_public && !is_public && goes_public_at.is_none() {
            return Ok(());
        }
        let mut topics = self.feeds_of(after);
        if let Some(before) = before {
            for topic in self.feeds_of(before) {
                if !topics.contains(&topic) {
                    topics.push(topic);
                }
            }
        }
        let run_at = if is_public || was_public {
            now
        } else {
            goes_public_at.unwrap_or(now)
        };
        self.store
            .enqueue_job(WEBSUB, None, &topics.join("\n"), run_at, now)
            .await?;
        Ok(())
    }

    /// After an import that wrote articles: one ping for the site's feeds. (An archive's
    /// articles are old news; their sections' feeds are not pinged one by one.)
    pub(crate) async fn queue_site_websub(&self) -> CoreResult<()> {
        if self.config.feeds.hub().is_none() {
            return Ok(());
        }
        let base = self.config.site.base_url.trim().trim_end_matches('/');
        let now = self.now();
        let topics = Self::feed_addresses(base, vec!["/feed".to_owned()]);
        self.store
            .enqueue_job(WEBSUB, None, &topics.join("\n"), now, now)
            .await?;
        Ok(())
    }

    /// Runs a ping job: tells the hub about each feed. A failure is retried by the job runner;
    /// after [`MAX_ATTEMPTS`] the ping is given up (subscribers still poll).
    pub(crate) async fn run_websub(&self, job: &Job) -> CoreResult<()> {
        let Some(hub) = self.config.feeds.hub() else {
            return Ok(());
        };
        match ping(hub, job.payload.lines().filter(|l| !l.is_empty())).await {
            Ok(()) => Ok(()),
            Err(error) if job.attempts >= MAX_ATTEMPTS => {
                tracing::warn!(job = job.id, %error, "the WebSub hub kept failing; ping given up");
                Ok(())
            }
            Err(error) => Err(error),
        }
    }
}

/// One `hub.mode=publish` request per feed (hubs take one `hub.url` each, as the spec's
/// examples and the common hubs do).
async fn ping<'a>(hub: &str, topics: impl Iterator<Item = &'a str>) -> CoreResult<()> {
    let client = reqwest::Client::builder()
        .timeout(HUB_TIMEOUT)
        .redirect(reqwest::redirect::Policy::limited(3))
        .user_agent(concat!("Gazette/", env!("CARGO_PKG_VERSION"), " (WebSub)"))
        .build()
        .map_err(|e| CoreError::Storage(format!("the HTTP client: {e}")))?;
    for topic in topics {
        let response = client
            .post(hub)
            .form(&[("hub.mode", "publish"), ("hub.url", topic)])
            .send()
            .await
            .map_err(|e| CoreError::Storage(format!("pinging the WebSub hub: {e}")))?;
        if !response.status().is_success() {
            return Err(CoreError::Storage(format!(
                "the WebSub hub answered {} for {topic}",
                response.status()
            )));
        }
    }
    Ok(())
}
