//! What tells a cached page whether it is still true. Every write that changes what readers see
//! bumps a generation here, in the same process and before the write is acknowledged, so the next
//! read never serves a page from before it. A held comment changes nothing public and bumps nothing.

use crate::{CoreResult, Site};
use gazette_domain::ArticleId;
use gazette_store::Change;
use std::collections::VecDeque;
use std::sync::Mutex;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use tokio::sync::broadcast;

/// How many of this process's own change ids are remembered, to ignore their notices.
const OWN_CHANGES: usize = 256;

/// Per-article generations share this many slots; two articles in one slot only cost each other a
/// re-render, never a stale page.
const ARTICLE_SLOTS: usize = 4096;

/// The generations.
#[derive(Debug)]
pub struct Freshness {
    /// Everything: articles published or edited, settings, bans that hide history.
    everything: AtomicU64,
    /// Lists: front page, archives, counts (every approved comment changes a count).
    lists: AtomicU64,
    /// Each article's discussion.
    articles: Vec<AtomicU64>,
    /// Unix seconds of the last bump of `everything`, `lists` and each article slot: a page
    /// still true was shown unchanged by any copy taken in a later second.
    everything_at: AtomicI64,
    lists_at: AtomicI64,
    articles_at: Vec<AtomicI64>,
    /// When the next scheduled article becomes public (unix seconds; `i64::MAX` for none).
    next_publication: AtomicI64,
    /// The last row of the shared change log this process has applied.
    last_applied: AtomicI64,
    /// Changes this process recorded itself (already applied here), newest last.
    own: Mutex<VecDeque<i64>>,
    /// Each article whose discussion changed, for live streams to look for new comments.
    discussions: broadcast::Sender<Option<ArticleId>>,
}

/// The generations a page was rendered under.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    everything: u64,
    lists: u64,
    article: u64,
}

/// What a page shows, and so which writes make it stale.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shows {
    /// Lists of articles with their comment counts.
    Lists,
    /// One article and its discussion.
    Article(ArticleId),
}

impl Stamp {
    /// Whether nothing site-wide changed between the two stamps (articles, settings).
    pub fn same_era(&self, other: &Stamp) -> bool {
        self.everything == other.everything
    }
}

impl Default for Freshness {
    fn default() -> Self {
        Self {
            everything: AtomicU64::new(0),
            lists: AtomicU64::new(0),
            articles: (0..ARTICLE_SLOTS).map(|_| AtomicU64::new(0)).collect(),
            // What changed before this process started is unknown to it: nothing older counts
            // as unchanged.
            everything_at: AtomicI64::new(Self::now()),
            lists_at: AtomicI64::new(0),
            articles_at: (0..ARTICLE_SLOTS).map(|_| AtomicI64::new(0)).collect(),
            next_publication: AtomicI64::new(i64::MAX),
            last_applied: AtomicI64::new(0),
            own: Mutex::new(VecDeque::with_capacity(OWN_CHANGES)),
            discussions: broadcast::channel(1024).0,
        }
    }
}

impl Freshness {
    fn slot(&self, id: ArticleId) -> &AtomicU64 {
        &self.articles[Self::slot_index(id)]
    }

    fn slot_index(id: ArticleId) -> usize {
        (id.0.unsigned_abs() as usize) % ARTICLE_SLOTS
    }

    /// Unix seconds of the last change that could alter a page showing `shows` on this node
    /// (at least the process's start). A cached copy that is still true, of a page a client
    /// took in a later second than this, is the copy it holds (`If-Modified-Since`).
    pub fn changed_at(&self, shows: Shows) -> i64 {
        let local = match shows {
            Shows::Lists => self.lists_at.load(Ordering::Acquire),
            Shows::Article(id) => self.articles_at[Self::slot_index(id)].load(Ordering::Acquire),
        };
        local.max(self.everything_at.load(Ordering::Acquire))
    }

    fn now() -> i64 {
        jiff::Timestamp::now().as_second()
    }

    /// The current stamp for a page that shows `shows`.
    pub fn stamp(&self, shows: Shows) -> Stamp {
        Stamp {
            everything: self.everything.load(Ordering::Acquire),
            lists: match shows {
                Shows::Lists => self.lists.load(Ordering::Acquire),
                Shows::Article(_) => 0,
            },
            article: match shows {
                Shows::Article(id) => self.slot(id).load(Ordering::Acquire),
                Shows::Lists => 0,
            },
        }
    }

    /// An article's discussion changed (and with it the counts in lists).
    pub fn discussion_changed(&self, id: ArticleId) {
        // The time first: a reader that sees the new generation sees the time too.
        let now = Self::now();
        self.articles_at[Self::slot_index(id)].fetch_max(now, Ordering::AcqRel);
        self.lists_at.fetch_max(now, Ordering::AcqRel);
        self.slot(id).fetch_add(1, Ordering::AcqRel);
        self.lists.fetch_add(1, Ordering::AcqRel);
        // No live stream listening is not an error.
        let _ = self.discussions.send(Some(id));
    }

    /// Articles whose discussion changes from now on; `None` when anything may have changed (an
    /// article unpublished, settings saved). A receiver that falls behind gets `Lagged` and
    /// should re-check its article.
    pub fn discussions(&self) -> broadcast::Receiver<Option<ArticleId>> {
        self.discussions.subscribe()
    }

    fn remember_own(&self, id: i64) {
        let mut own = self.own.lock().unwrap_or_else(|e| e.into_inner());
        if own.len() == OWN_CHANGES {
            own.pop_front();
        }
        own.push_back(id);
    }

    fn is_own(&self, id: i64) -> bool {
        let own = self.own.lock().unwrap_or_else(|e| e.into_inner());
        own.contains(&id)
    }

    /// Anything may have changed.
    pub fn everything_changed(&self) {
        self.everything_at.fetch_max(Self::now(), Ordering::AcqRel);
        self.everything.fetch_add(1, Ordering::AcqRel);
        let _ = self.discussions.send(None);
    }
}

impl Site {
    /// The stamp a page showing `shows` is rendered under now. When a scheduled article's time
    /// has come, everything goes stale (it must appear on lists and its own page at once).
    pub async fn stamp(&self, shows: Shows) -> CoreResult<Stamp> {
        let now = self.now();
        if now >= self.freshness.next_publication.load(Ordering::Acquire) {
            self.freshness.everything_changed();
            self.refresh_schedule().await?;
        }
        Ok(self.freshness.stamp(shows))
    }

    /// Reads when the next scheduled article is due.
    pub(crate) async fn refresh_schedule(&self) -> CoreResult<()> {
        let next = self.store.next_publication_after(self.now()).await?;
        self.freshness
            .next_publication
            .store(next.unwrap_or(i64::MAX), Ordering::Release);
        Ok(())
    }

    /// After a write that changed articles, settings or many discussions: stale here at once, and
    /// logged for every other process of the site.
    pub(crate) async fn everything_changed(&self) -> CoreResult<()> {
        self.freshness.everything_changed();
        let id = self.store.record_change(None, self.now()).await?;
        self.freshness.remember_own(id);
        self.refresh_schedule().await
    }

    /// After a write that changed what one article's discussion shows.
    pub(crate) async fn discussion_changed(&self, article: ArticleId) -> CoreResult<()> {
        self.freshness.discussion_changed(article);
        let id = self.store.record_change(Some(article), self.now()).await?;
        self.freshness.remember_own(id);
        Ok(())
    }

    /// Applies one change pushed by the store's feed (another node's write, committed). While a
    /// feed is connected it delivers every change, so the polled log may skip past it.
    pub async fn apply_notice(&self, (id, article): Change) -> CoreResult<()> {
        self.freshness.last_applied.fetch_max(id, Ordering::AcqRel);
        if self.freshness.is_own(id) {
            return Ok(());
        }
        match article {
            Some(article) => self.freshness.discussion_changed(article),
            None => {
                self.freshness.everything_changed();
                self.refresh_schedule().await?;
            }
        }
        Ok(())
    }

    /// After the change feed was lost (notices may have been missed) and is back: every cached
    /// page goes stale, and the log is applied from its end.
    pub async fn resync(&self) -> CoreResult<()> {
        self.freshness.everything_changed();
        self.skip_past_changes().await?;
        self.refresh_schedule().await
    }

    /// Applies the changes other processes (nodes, the CLI) logged since the last call. A process
    /// that serves pages calls this every second or so, and whenever it is told of a change.
    pub async fn apply_changes(&self) -> CoreResult<usize> {
        const BATCH: i64 = 500;
        let after = self.freshness.last_applied.load(Ordering::Acquire);
        let changes = self.store.changes_after(after, BATCH).await?;
        if changes.len() as i64 >= BATCH {
            // Far behind (a long outage): drop everything rather than replaying.
            self.freshness.everything_changed();
            let last = self.store.last_change_id().await?;
            self.freshness
                .last_applied
                .fetch_max(last, Ordering::AcqRel);
            self.refresh_schedule().await?;
            return Ok(changes.len());
        }
        let mut any_site_wide = false;
        for (id, article) in &changes {
            if self.freshness.is_own(*id) {
                self.freshness.last_applied.fetch_max(*id, Ordering::AcqRel);
                continue;
            }
            match article {
                Some(article) => self.freshness.discussion_changed(*article),
                None => any_site_wide = true,
            }
            self.freshness.last_applied.fetch_max(*id, Ordering::AcqRel);
        }
        if any_site_wide {
            self.freshness.everything_changed();
            self.refresh_schedule().await?;
        }
        Ok(changes.len())
    }

    /// Starts applying changes from the end of the log (a new process has nothing cached).
    pub(crate) async fn skip_past_changes(&self) -> CoreResult<()> {
        let last = self.store.last_change_id().await?;
        self.freshness
            .last_applied
            .fetch_max(last, Ordering::AcqRel);
        Ok(())
    }

    /// The generations, for the page cache and (on several nodes) for invalidations from others.
    pub fn freshness(&self) -> &Freshness {
        &self.freshness
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_discussion_change_stales_its_article_and_lists_only() {
        let f = Freshness::default();
        let a = f.stamp(Shows::Article(ArticleId(1)));
        let b = f.stamp(Shows::Article(ArticleId(2)));
        let lists = f.stamp(Shows::Lists);
        f.discussion_changed(ArticleId(1));
        assert_ne!(f.stamp(Shows::Article(ArticleId(1))), a);
        assert_eq!(f.stamp(Shows::Article(ArticleId(2))), b);
        assert_ne!(f.stamp(Shows::Lists), lists);
    }

    #[test]
    fn everything_changed_stales_every_page() {
        let f = Freshness::default();
        let a = f.stamp(Shows::Article(ArticleId(1)));
        let lists = f.stamp(Shows::Lists);
        f.everything_changed();
        assert_ne!(f.stamp(Shows::Article(ArticleId(1))), a);
        assert_ne!(f.stamp(Shows::Lists), lists);
    }
}
