use crate::{CoreError, CoreResult, Site};
use gazette_domain::thread::{ThreadNode, nest};
use gazette_domain::{
    Article, ArticleSummary, Comment, CommentId, CommentStatus, Page, PageRequest, Term, TermKind,
};
use gazette_store::ArticleFilter;

/// The most categories the navigation shows.
const NAV_CATEGORIES: i64 = 12;
/// The most of a reader's own held comments shown back to them on one page.
pub const OWN_HELD_LIMIT: usize = 20;

/// Which archive a list page shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Archive {
    /// Articles in a category.
    Category(String),
    /// Articles with a tag.
    Tag(String),
    /// Articles by an author.
    Author(String),
    /// Articles published in a year, a month or on a day (in the site's time zone).
    Date(DateArchive),
}

/// A year (`/2026/`), a month (`/2026/12/`) or a day (`/2026/12/01/`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateArchive {
    /// Year.
    pub year: i16,
    /// Month, 1 to 12.
    pub month: Option<i8>,
    /// Day of the month (with a month).
    pub day: Option<i8>,
}

impl DateArchive {
    /// Reads the segments of a date archive's address: four digits, then optionally two and
    /// two, forming a real date. `None` for anything else.
    pub fn parse(year: &str, month: Option<&str>, day: Option<&str>) -> Option<Self> {
        fn digits<T: std::str::FromStr>(text: &str, len: usize) -> Option<T> {
            (text.len() == len && text.bytes().all(|b| b.is_ascii_digit()))
                .then(|| text.parse().ok())
                .flatten()
        }
        let archive = Self {
            year: digits(year, 4)?,
            month: match month {
                Some(m) => Some(digits(m, 2)?),
                None => None,
            },
            day: match day {
                Some(d) => Some(digits(d, 2)?),
                None => None,
            },
        };
        jiff::civil::Date::new(
            archive.year,
            archive.month.unwrap_or(1),
            archive.day.unwrap_or(1),
        )
        .ok()?;
        (archive.year >= 1000).then_some(archive)
    }

    /// Its address: `/2026/`, `/2026/12/`, `/2026/12/01/`.
    pub fn path(&self) -> String {
        match (self.month, self.day) {
            (Some(m), Some(d)) => format!("/{:04}/{m:02}/{d:02}/", self.year),
            (Some(m), None) => format!("/{:04}/{m:02}/", self.year),
            _ => format!("/{:04}/", self.year),
        }
    }

    /// Its first second and the first second after it, in `tz`; and its heading
    /// ("2026", "December 2026", "December 1, 2026").
    fn span(&self, tz: &jiff::tz::TimeZone) -> Option<(i64, i64, String)> {
        let start =
            jiff::civil::Date::new(self.year, self.month.unwrap_or(1), self.day.unwrap_or(1))
                .ok()?;
        let end = match (self.month, self.day) {
            (Some(_), Some(_)) => start.tomorrow().ok()?,
            (Some(_), None) => start.last_of_month().tomorrow().ok()?,
            _ => jiff::civil::Date::new(self.year.checked_add(1)?, 1, 1).ok()?,
        };
        let heading = match (self.month, self.day) {
            (Some(_), Some(_)) => start.strftime("%B %-d, %Y").to_string(),
            (Some(_), None) => start.strftime("%B %Y").to_string(),
            _ => start.strftime("%Y").to_string(),
        };
        let at = |d: jiff::civil::Date| {
            d.to_zoned_datetime(tz.clone())
                .ok()
                .map(|z| z.timestamp().as_second())
        };
        Some((at(start)?, at(end)?, heading))
    }
}

/// An archive's heading and one page of its articles.
#[derive(Debug, Clone)]
pub struct ArchivePage {
    /// "Category", "Tag" or "Author".
    pub kind: &'static str,
    /// The category, tag or author name.
    pub name: String,
    /// The articles on this page.
    pub articles: Page<ArticleSummary>,
}

/// Where a live stream stands in an article's approvals: it sends approved comments numbered
/// after `start` (what the reader's page showed) that it has not sent yet. Approvals committing
/// concurrently can share a number or land out of order, so it looks back `LOOKBACK` numbers
/// behind the newest it sent and remembers what it sent within that window (and no further back,
/// so its memory is bounded too).
#[derive(Debug, Clone, Default)]
pub struct LiveCursor {
    start: i64,
    newest: i64,
    sent: std::collections::HashMap<CommentId, i64>,
}

impl LiveCursor {
    /// How far behind the newest number sent a stream still looks.
    pub const LOOKBACK: i64 = 1000;

    /// A cursor for a page that showed approvals up to `after`.
    pub fn after(after: i64) -> Self {
        Self {
            start: after,
            newest: after,
            sent: std::collections::HashMap::new(),
        }
    }

    /// The newest approval number sent (or shown), for `Last-Event-ID`.
    pub fn newest(&self) -> i64 {
        self.newest
    }

    fn remember(&mut self, id: CommentId, seq: i64) {
        self.sent.insert(id, seq);
        self.newest = self.newest.max(seq);
        let floor = self.newest.saturating_sub(Self::LOOKBACK);
        self.sent.retain(|_, seq| *seq > floor);
    }
}

/// One page of an article's discussion, ready to display.
#[derive(Debug, Clone)]
pub struct Discussion {
    /// Comments nested for display: approved ones, plus the reader's own held ones.
    pub threads: Vec<ThreadNode<Comment>>,
    /// Number of approved comments in all.
    pub approved_count: i64,
    /// 1-based page of comments shown.
    pub page: u32,
    /// Number of comment pages (at least 1).
    pub total_pages: u32,
    /// Whether the form is offered.
    pub open: bool,
}

impl Site {
    /// One page of the latest public articles; `NotFound` past the last page.
    pub async fn front_page(&self, page: u32) -> CoreResult<Page<ArticleSummary>> {
        self.list(&ArticleFilter::All, page).await
    }

    async fn list(&self, filter: &ArticleFilter, page: u32) -> CoreResult<Page<ArticleSummary>> {
        let request = PageRequest::new(page, self.config.site.articles_per_page);
        let list = self
            .store
            .published_articles(filter, request, self.now())
            .await?;
        if list.is_past_the_end() {
            return Err(CoreError::NotFound("page"));
        }
        Ok(list)
    }

    /// One page of a category, tag or author archive; `NotFound` for an unknown slug or a page past the end.
    pub async fn archive(&self, archive: &Archive, page: u32) -> CoreResult<ArchivePage> {
        let (kind, name, filter) = match archive {
            Archive::Category(slug) => {
                let term = self.store.term(TermKind::Category, slug).await?;
                (
                    "Category",
                    term.name,
                    ArticleFilter::Term(TermKind::Category, slug.clone()),
                )
            }
            Archive::Tag(slug) => {
                let term = self.store.term(TermKind::Tag, slug).await?;
                (
                    "Tag",
                    term.name,
                    ArticleFilter::Term(TermKind::Tag, slug.clone()),
                )
            }
            Archive::Author(slug) => {
                let author = self.store.user_by_slug(slug).await?;
                (
                    "Author",
                    author.display_name,
                    ArticleFilter::Author(author.id),
                )
            }
            Archive::Date(date) => {
                let (from, to, heading) = date
                    .span(&self.config.timezone())
                    .ok_or(CoreError::NotFound("date"))?;
                ("Archive", heading, ArticleFilter::Published { from, to })
            }
        };
        let articles = self.list(&filter, page).await?;
        // A category or tag used only by drafts and scheduled articles is not public yet (it may
        // name an embargoed story), and an author with nothing published is not announced (the
        // slug may be a login name): both answer as if they did not exist.
        if articles.total == 0 {
            return Err(CoreError::NotFound(match archive {
                Archive::Category(_) => "category",
                Archive::Tag(_) => "tag",
                Archive::Author(_) => "author",
                Archive::Date(_) => "date",
            }));
        }
        Ok(ArchivePage {
            kind,
            name,
            articles,
        })
    }

    /// Categories for the navigation. Read once per site-wide change (publishing, settings), not
    /// per page: every page shows it.
    pub async fn navigation(&self) -> CoreResult<Vec<Term>> {
        let stamp = self.stamp(crate::freshness::Shows::Lists).await?;
        if let Ok(cached) = self.navigation.lock()
            && let Some((at, terms)) = cached.as_ref()
            && at.same_era(&stamp)
        {
            return Ok(terms.clone());
        }
        let terms = self
            .store
            .categories_in_use(self.now(), NAV_CATEGORIES)
            .await?;
        if let Ok(mut cached) = self.navigation.lock() {
            *cached = Some((stamp, terms.clone()));
        }
        Ok(terms)
    }

    /// A public article by slug; drafts, trashed and scheduled articles are `NotFound`.
    /// (An old slug is `NotFound` too; `redirect_for` gives the current one.)
    pub async fn public_article(&self, slug: &str) -> CoreResult<Article> {
        let article = self.store.article_by_slug(slug).await?;
        if !article.is_public(self.now()) {
            return Err(CoreError::NotFound("article"));
        }
        Ok(article)
    }

    /// A public article by id.
    pub async fn public_article_by_id(&self, id: gazette_domain::ArticleId) -> CoreResult<Article> {
        let article = self.store.article_by_id(id).await?;
        if !article.is_public(self.now()) {
            return Err(CoreError::NotFound("article"));
        }
        Ok(article)
    }

    /// Whether `article` takes new comments now.
    pub async fn accepts_comments(&self, article: &Article) -> CoreResult<bool> {
        let settings = self.settings().await?;
        Ok(article.accepts_comments(self.now(), settings.close_after_days))
    }

    /// Page `page` of an article's discussion. `own` are the comments this reader posted (from
    /// their signed cookie): those still held are shown to them, in place, and to nobody else.
    /// Two queries whatever the thread's size: one page of approved comments, the reader's own.
    pub async fn discussion(
        &self,
        article: &Article,
        page: u32,
        own: &[CommentId],
    ) -> CoreResult<Discussion> {
        let settings = self.settings().await?;
        let per_page = settings.comments_per_page;
        let approved_count = article.comment_count;
        let total_pages =
            u32::try_from((approved_count + i64::from(per_page) - 1) / i64::from(per_page))
                .unwrap_or(u32::MAX)
                .max(1);
        if page > total_pages {
            return Err(CoreError::NotFound("comment page"));
        }
        let mut comments = self
            .store
            .approved_comments(article.id, PageRequest::new(page, per_page))
            .await?;
        let own = &own[..own.len().min(OWN_HELD_LIMIT)];
        let held: Vec<Comment> = self
            .store
            .comments_by_ids(article.id, own)
            .await?
            .into_iter()
            .filter(|c| c.status == CommentStatus::Held)
            .collect();
        merge_held_into_page(&mut comments, held, page == 1, page == total_pages);
        Ok(Discussion {
            threads: nest(comments, settings.max_depth, |c| c),
            approved_count,
            page,
            total_pages,
            open: article.accepts_comments(self.now(), settings.close_after_days),
        })
    }

    /// The approved comment `id` under `article`, as the target of a reply; `None` when it is not
    /// (any more) an approved comment there.
    pub async fn reply_target(
        &self,
        article: &Article,
        id: CommentId,
    ) -> CoreResult<Option<Comment>> {
        Ok(self
            .store
            .comments_by_ids(article.id, &[id])
            .await?
            .into_iter()
            .find(|c| c.status == CommentStatus::Approved))
    }

    /// One page of an article's approved comments in thread order (for the API).
    pub async fn approved_comments(
        &self,
        article: &Article,
        page: u32,
        per_page: u32,
    ) -> CoreResult<Vec<Comment>> {
        Ok(self
            .store
            .approved_comments(article.id, PageRequest::new(page, per_page))
            .await?)
    }

    /// Approved comments of `article` that `cursor` has not sent, in approval order, at most
    /// `limit`, with the article's approved count now; the cursor remembers them. `NotFound` once
    /// the article is no longer public (the stream ends). Held, spam and
    /// trashed comments never come out of here; a comment held first comes out when approved. The
    /// cost is bounded by the window the cursor looks back over, not by the thread's size.
    pub async fn new_approved_comments(
        &self,
        article: &Article,
        cursor: &mut LiveCursor,
        limit: usize,
    ) -> CoreResult<(Vec<Comment>, i64)> {
        let window = self
            .store
            .approved_since(
                article.id,
                cursor
                    .newest
                    .saturating_sub(LiveCursor::LOOKBACK)
                    .max(cursor.start),
                LiveCursor::LOOKBACK + i64::try_from(limit).unwrap_or(i64::MAX),
            )
            .await?;
        let fresh: Vec<(CommentId, i64)> = window
            .into_iter()
            .filter(|(id, seq)| cursor.sent.get(id) != Some(seq))
            .take(limit)
            .collect();
        // Counts come only for articles public now: none means it was unpublished or trashed
        // since the stream began, and the stream must end.
        let count = self
            .store
            .comment_counts(&[article.id], self.now())
            .await?
            .first()
            .map(|(_, n)| *n)
            .ok_or(CoreError::NotFound("article"))?;
        if fresh.is_empty() {
            return Ok((Vec::new(), count));
        }
        let ids: Vec<CommentId> = fresh.iter().map(|(id, _)| *id).collect();
        let mut comments: Vec<Comment> = self
            .store
            .comments_by_ids(article.id, &ids)
            .await?
            .into_iter()
            .filter(|c| c.status == CommentStatus::Approved)
            .collect();
        comments.sort_by_key(|c| c.approved_seq);
        for comment in &comments {
            cursor.remember(comment.id, comment.approved_seq.unwrap_or(cursor.newest));
        }
        Ok((comments, count))
    }

    /// Approved-comment counts of the public articles among `ids`.
    pub async fn comment_counts(
        &self,
        ids: &[gazette_domain::ArticleId],
    ) -> CoreResult<Vec<(gazette_domain::ArticleId, i64)>> {
        Ok(self.store.comment_counts(ids, self.now()).await?)
    }

    /// The page of the discussion on which `comment` appears (for redirecting to its anchor).
    pub async fn comment_page(&self, comment: &Comment) -> CoreResult<u32> {
        let before = self
            .store
            .approved_comments_before(comment.article_id, &comment.path)
            .await?;
        let per_page = i64::from(self.settings().await?.comments_per_page);
        Ok(u32::try_from(before / per_page + 1).unwrap_or(1))
    }
}

/// Puts the reader's held comments where they belong by path, keeping only those that fall on this
/// page: after the page's first approved comment (or anywhere on the first page) and before its
/// last (or anywhere on the last page).
fn merge_held_into_page(page: &mut Vec<Comment>, held: Vec<Comment>, first: bool, last: bool) {
    if held.is_empty() {
        return;
    }
    let lower = page.first().map(|c| c.path.clone());
    let upper = page.last().map(|c| c.path.clone());
    for comment in held {
        let after_start = first || lower.as_ref().is_some_and(|p| comment.path > *p);
        let before_end = last || upper.as_ref().is_some_and(|p| comment.path < *p);
        if after_start && before_end {
            page.push(comment);
        }
    }
    page.sort_by(|a, b| a.path.cmp(&b.path));
}
