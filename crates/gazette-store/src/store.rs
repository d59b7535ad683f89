use crate::StoreResult;
use gazette_domain::import::{
    ImportArticle, ImportComment, ImportMedia, ImportPage, ImportRun, ImportTerm, ImportUser,
    NewImportRun, Outcome, Redirect,
};
use gazette_domain::records::{
    ArticleQuery, ArticleRow, ArticleUpdate, Attempt, AuditEntry, Ban, CommentEdit, CommentFilter,
    NewAudit, NewBan, NewSession, Session, StatusChange, Throttle,
};
use gazette_domain::spam::TokenCounts;
use gazette_domain::{
    Article, ArticleId, ArticleSummary, Comment, CommentId, CommentStatus, Crumb, FeedComment,
    Media, MediaId, NewArticle, NewComment, NewStaticPage, NewUser, Page, PageId, PageRequest,
    StaffComment, StaticPage, StaticPageRow, StaticPageUpdate, Term, TermKind, User, UserId,
};

/// Which published articles a list shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ArticleFilter {
    /// Every published article (front page, API).
    All,
    /// Those filed under a category or tag, by slug.
    Term(TermKind, String),
    /// Those by one author.
    Author(UserId),
    /// Those published in `[from, to)` (unix seconds): the date archives.
    Published {
        /// Earliest publication time, included.
        from: i64,
        /// Latest publication time, excluded.
        to: i64,
    },
}

/// A change recorded in the log: its id, and the article whose discussion changed (`None`:
/// anything may have changed).
pub type Change = (i64, Option<ArticleId>);

/// Changes as other processes record them, pushed rather than polled (PostgreSQL LISTEN/NOTIFY).
#[async_trait::async_trait]
pub trait ChangeFeed: Send {
    /// Waits for the next change. `Ok(None)` means the connection dropped and changes may have
    /// been missed: the caller re-checks everything and opens a new feed.
    async fn next(&mut self) -> StoreResult<Option<Change>>;
}

/// What the store knows of a commenter when a new comment arrives, read in one statement.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CommenterSignals {
    /// A ban matches the email or the address.
    pub banned: bool,
    /// The same email already posted exactly this text under this article.
    pub duplicate: bool,
    /// The email has at least one approved comment anywhere.
    pub has_approved: bool,
    /// The email has an approved comment under this same name.
    pub has_approved_with_name: bool,
}

/// An import in progress: one transaction for the whole file. Each record is matched to what an
/// earlier import of the same source brought in (and updated) or created. Dropped without
/// [`ImportTx::commit`] — a failure, a cancelled job, a killed process — nothing of it stays.
///
/// On SQLite it holds the site's one writer turn until it ends: comments posted meanwhile wait.
#[async_trait::async_trait]
pub trait ImportTx: Send {
    /// A staff account: matched by origin, then by login (an existing account is left as it is);
    /// otherwise created with the author role and no password.
    async fn user(&mut self, user: &ImportUser) -> StoreResult<(UserId, Outcome)>;

    /// A category or tag, matched by kind and slug; its parent must come before it.
    async fn term(&mut self, term: &ImportTerm) -> StoreResult<Outcome>;

    /// An article with its terms (created, by slug, when missing), matched by origin; returns
    /// its id and slug (the one asked for, or made unique when another article had it).
    async fn article(
        &mut self,
        article: &ImportArticle,
    ) -> StoreResult<(ArticleId, String, Outcome)>;

    /// Comments, in order, each matched by origin and placed under its parent when the parent
    /// came before it (earlier in `comments`, or in an earlier call or import) under the same
    /// article; otherwise it starts a thread. A few statements for the whole batch, whatever
    /// its size, when the comments are new.
    async fn comments(
        &mut self,
        comments: &[ImportComment],
    ) -> StoreResult<Vec<(CommentId, Outcome)>>;

    /// An old address answering `301` with `target`; a path already redirected is re-pointed.
    async fn redirect(&mut self, path: &str, target: &str, at: i64) -> StoreResult<Outcome>;

    /// A static page, matched by origin; returns its id and slug (the one asked for, or made
    /// unique when another page had it). Its parent is set with [`ImportTx::page_parent`].
    async fn page(&mut self, page: &ImportPage) -> StoreResult<(PageId, String, Outcome)>;

    /// Files a page under another (or none); whether that changed anything.
    async fn page_parent(&mut self, page: PageId, parent: Option<PageId>) -> StoreResult<bool>;

    /// A media record, matched by origin. Its article is set with [`ImportTx::media_article`].
    async fn media(&mut self, media: &ImportMedia) -> StoreResult<(MediaId, Outcome)>;

    /// Ties a media record to the article it was uploaded to; whether that changed anything.
    async fn media_article(&mut self, media: MediaId, article: ArticleId) -> StoreResult<bool>;

    /// Sets an article's featured image; whether that changed anything.
    async fn featured_image(&mut self, article: ArticleId, media: MediaId) -> StoreResult<bool>;

    /// Recounts the approved comments of every article touched, records that anything may have
    /// changed (caches drop everything), and commits.
    async fn commit(self: Box<Self>, at: i64) -> StoreResult<()>;
}

/// A background job as a worker claimed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    /// Its id, for finishing or failing it.
    pub id: i64,
    /// What to do, e.g. `"prune"`.
    pub kind: String,
    /// The job's input, as its kind defines (often empty).
    pub payload: String,
    /// How many times it has been claimed, this time included.
    pub attempts: i64,
}

/// Everything Gazette keeps, behind coarse operations. Each method is one transaction.
///
/// Implementations must behave identically; `testkit` (feature `testkit`) is the specification.
#[async_trait::async_trait]
pub trait Store: Send + Sync + 'static {
    /// A site setting or secret by key.
    async fn setting(&self, key: &str) -> StoreResult<String>;

    /// Stores `value` under `key` unless a value is already there, and returns whichever value is
    /// stored afterwards. Several nodes starting at once therefore agree on one secret.
    async fn put_setting_if_absent(&self, key: &str, value: &str) -> StoreResult<String>;

    /// Creates a staff account; `Conflict` when the username or slug is taken.
    async fn create_user(&self, user: NewUser) -> StoreResult<User>;

    /// A staff account by login name.
    async fn user_by_username(&self, username: &str) -> StoreResult<User>;

    /// A staff account by author slug.
    async fn user_by_slug(&self, slug: &str) -> StoreResult<User>;

    /// Creates an article with its categories and tags (creating new terms); `Conflict` on a taken slug.
    async fn create_article(&self, article: NewArticle) -> StoreResult<Article>;

    /// An article in any status by slug, with its author and terms.
    async fn article_by_slug(&self, slug: &str) -> StoreResult<Article>;

    /// An article in any status by id, with its author and terms.
    async fn article_by_id(&self, id: ArticleId) -> StoreResult<Article>;

    /// The earliest publication time after `now` of a published (that is, scheduled) article.
    async fn next_publication_after(&self, now: i64) -> StoreResult<Option<i64>>;

    /// Number of articles in any status (used to seed a new site once).
    async fn count_articles(&self) -> StoreResult<i64>;

    /// One page of articles public at `now`, newest first, with the total for paging.
    async fn published_articles(
        &self,
        filter: &ArticleFilter,
        page: PageRequest,
        now: i64,
    ) -> StoreResult<Page<ArticleSummary>>;

    /// The `limit` latest articles public at `now` matching `filter`, whole (body, terms,
    /// featured image), newest first: what a feed shows. One statement.
    async fn feed_articles(
        &self,
        filter: &ArticleFilter,
        limit: i64,
        now: i64,
    ) -> StoreResult<Vec<Article>>;

    /// The `limit` most recently approved comments that are still approved, under `article` or
    /// (with `None`) under any article public at `now`, newest approval first.
    async fn feed_comments(
        &self,
        article: Option<ArticleId>,
        limit: i64,
        now: i64,
    ) -> StoreResult<Vec<FeedComment>>;

    /// One page of a sitemap's public addresses, oldest publication first, with the total.
    async fn sitemap(
        &self,
        of: gazette_domain::sitemap::SitemapOf,
        page: PageRequest,
        now: i64,
    ) -> StoreResult<Page<gazette_domain::sitemap::SitemapEntry>>;

    /// The months (UTC) that have articles public at `now`, oldest first.
    async fn sitemap_months(
        &self,
        now: i64,
    ) -> StoreResult<Vec<gazette_domain::sitemap::SitemapMonth>>;

    /// Appends a correction to a published article at `at` (its `updated_at` moves to `at`),
    /// with its audit line, in one transaction; `NotFound` unless the article is published.
    async fn add_correction(
        &self,
        article: ArticleId,
        body: &str,
        at: i64,
        audit: NewAudit,
    ) -> StoreResult<Article>;

    /// The `limit` latest corrections of articles public at `now`, with each article's slug and
    /// title, newest first.
    async fn recent_corrections(
        &self,
        limit: i64,
        now: i64,
    ) -> StoreResult<Vec<(gazette_domain::Correction, String, String)>>;

    /// One page of the articles public at `now` that hold every word of `search` and pass its
    /// filters, best match first (headline above body) among the newest
    /// `search::MAX_RESULTS`, with marked headlines and snippets and the total, counted up to
    /// `MAX_RESULTS + 1`. Every statement stops at `limit` (`TimedOut("search")`).
    async fn search_articles(
        &self,
        search: &gazette_domain::search::ArticleSearch,
        page: PageRequest,
        now: i64,
        limit: std::time::Duration,
    ) -> StoreResult<Page<gazette_domain::search::SearchHit>>;

    /// Makes the search index ready for `language` (a PostgreSQL text-search configuration
    /// name). Returns whether it changed, in which case every article must be indexed again
    /// ([`Store::articles_to_index`], [`Store::index_articles`]).
    async fn prepare_search(&self, language: &str) -> StoreResult<bool>;

    /// How many articles there are and how many rows the search index holds: different when
    /// articles were written around the store (a copy, a generator), and the index must be
    /// built again.
    async fn search_index_counts(&self) -> StoreResult<(i64, i64)>;

    /// Up to `limit` articles (any status) with ids above `after`, by id: (id, version,
    /// headline, body HTML), for indexing them again.
    async fn articles_to_index(
        &self,
        after: ArticleId,
        limit: i64,
    ) -> StoreResult<Vec<(ArticleId, i64, String, String)>>;

    /// Writes the index rows of articles read by [`Store::articles_to_index`] at the version
    /// given, in one transaction; an article edited since keeps the row its edit wrote.
    async fn index_articles(
        &self,
        articles: &[(ArticleId, i64, gazette_domain::search::SearchText)],
    ) -> StoreResult<()>;

    /// A category or tag by slug.
    async fn term(&self, kind: TermKind, slug: &str) -> StoreResult<Term>;

    /// Categories that hold at least one article public at `now`, by name, at most `limit`.
    async fn categories_in_use(&self, now: i64, limit: i64) -> StoreResult<Vec<Term>>;

    /// Inserts a comment, placing it in its thread and counting it if approved, in one transaction.
    ///
    /// `NotFound("parent comment")` when the parent is missing, unapproved or under another article;
    /// `NotFound("article")` when the article is missing.
    async fn insert_comment(&self, comment: NewComment) -> StoreResult<Comment>;

    /// One page of an article's approved comments in thread order (by path).
    async fn approved_comments(
        &self,
        article: ArticleId,
        page: PageRequest,
    ) -> StoreResult<Vec<Comment>>;

    /// The comments among `ids` that are under `article`, in any status, in thread order.
    async fn comments_by_ids(
        &self,
        article: ArticleId,
        ids: &[CommentId],
    ) -> StoreResult<Vec<Comment>>;

    /// Number of approved comments of `article` that come before `path` in thread order.
    async fn approved_comments_before(&self, article: ArticleId, path: &str) -> StoreResult<i64>;

    /// A comment with its staff-only fields.
    async fn staff_comment(&self, id: CommentId) -> StoreResult<StaffComment>;

    /// Moves a comment to a new status in one transaction: keeps the article's approved count
    /// right, writes the audit line (with the statuses before and after), and trains the
    /// classifier as asked. Returns the comment as it now stands.
    async fn set_comment_status(
        &self,
        id: CommentId,
        change: StatusChange,
    ) -> StoreResult<StaffComment>;

    /// One page of comments matching `filter`, newest first, with staff-only fields.
    async fn staff_comments(
        &self,
        filter: &CommentFilter,
        page: PageRequest,
    ) -> StoreResult<Page<StaffComment>>;

    /// How many comments match `filter` in each status (the filter's own status is ignored).
    async fn comment_status_counts(
        &self,
        filter: &CommentFilter,
    ) -> StoreResult<Vec<(CommentStatus, i64)>>;

    /// Replaces a comment's name, website and body, with an audit line.
    async fn edit_comment(
        &self,
        id: CommentId,
        edit: CommentEdit,
        audit: NewAudit,
    ) -> StoreResult<StaffComment>;

    /// Deletes a comment for good (its replies stay, without a parent), with an audit line.
    async fn delete_comment(&self, id: CommentId, audit: NewAudit) -> StoreResult<()>;

    /// Comments (any status) since `since` from the address `ip` and from the network `network`,
    /// each counted up to `at_most` (a limit check needs no more, and a flood stays cheap to check).
    async fn recent_comments_from(
        &self,
        ip: &str,
        network: &str,
        since: i64,
        at_most: i64,
    ) -> StoreResult<(i64, i64)>;

    /// The classifier's counts for `tokens` (those never seen are left out), plus the
    /// `spam::DOCUMENTS` pseudo-token.
    async fn classifier_counts(&self, tokens: &[String])
    -> StoreResult<Vec<(String, TokenCounts)>>;

    /// Approved-comment counts of the published articles among `ids` (others are left out).
    async fn comment_counts(
        &self,
        ids: &[ArticleId],
        now: i64,
    ) -> StoreResult<Vec<(ArticleId, i64)>>;

    /// Stores `value` under `key`, replacing what was there.
    async fn put_setting(&self, key: &str, value: &str) -> StoreResult<()>;

    /// A staff account by id.
    async fn user_by_id(&self, id: UserId) -> StoreResult<User>;

    /// Every staff account, by display name (at most 1,000).
    async fn users(&self) -> StoreResult<Vec<User>>;

    /// Creates the first account that can log in; `Conflict` when one exists already.
    async fn create_first_admin(&self, user: NewUser) -> StoreResult<User>;

    /// Replaces a password hash and ends every session of that account.
    async fn set_password(&self, user: UserId, password_hash: &str) -> StoreResult<()>;

    /// Stores a new session.
    async fn create_session(&self, session: NewSession) -> StoreResult<()>;

    /// The live session with this token hash; `NotFound` when unknown or expired at `now`.
    async fn session(&self, token_hash: &str, now: i64) -> StoreResult<Session>;

    /// Ends a session (logging out); ending an unknown one is not an error.
    async fn delete_session(&self, token_hash: &str) -> StoreResult<()>;

    /// Counts one attempt at `now` in each throttle's bucket — as a failure, until
    /// [`Store::forget_attempt`] takes it back — unless one of the throttles says to wait, in
    /// which case nothing is written and the answer is when to try again. The decision and the
    /// count are one step for every node at once (SQLite's writer, PostgreSQL advisory locks per
    /// bucket), so a burst of concurrent attempts gets exactly the free ones through.
    async fn begin_attempt(&self, throttles: &[Throttle], now: i64) -> StoreResult<Attempt>;

    /// Takes back an attempt that succeeded (the rows `begin_attempt` counted).
    async fn forget_attempt(&self, ids: &[i64]) -> StoreResult<()>;

    /// Forgets a bucket's failures (after a successful login).
    async fn clear_login_failures(&self, bucket: &str) -> StoreResult<()>;

    /// Stores a password reset for `user`, valid until `expires_at`.
    async fn create_password_reset(
        &self,
        token_hash: &str,
        user: UserId,
        expires_at: i64,
    ) -> StoreResult<()>;

    /// The account a reset token belongs to, if it is unused and unexpired at `now` (checked
    /// before any password is hashed); `NotFound` otherwise.
    async fn password_reset_user(&self, token_hash: &str, now: i64) -> StoreResult<UserId>;

    /// Uses a reset: sets the password and ends the account's sessions, once. `NotFound` when the
    /// token is unknown, used or expired at `now`.
    async fn reset_password(
        &self,
        token_hash: &str,
        now: i64,
        password_hash: &str,
    ) -> StoreResult<User>;

    /// Saves an edit; `Conflict("article version")` when someone saved since `expected_version`,
    /// `Conflict("article slug")` when the slug is taken. A changed slug keeps redirecting.
    async fn update_article(&self, id: ArticleId, update: ArticleUpdate) -> StoreResult<Article>;

    /// One page of articles for the newsroom, most recently changed first.
    async fn admin_articles(
        &self,
        query: &ArticleQuery,
        page: PageRequest,
    ) -> StoreResult<Page<ArticleRow>>;

    /// The current slug of the article that used to be at `old_slug`.
    async fn slug_redirect(&self, old_slug: &str) -> StoreResult<String>;

    /// Bans a commenter (and, if asked, trashes their approved and held comments) with an audit
    /// line; `Conflict` when the same ban exists.
    async fn create_ban(&self, ban: NewBan) -> StoreResult<Ban>;

    /// Every ban, newest first (at most 1,000).
    async fn bans(&self) -> StoreResult<Vec<Ban>>;

    /// Lifts a ban, with an audit line.
    async fn delete_ban(&self, id: i64, audit: NewAudit) -> StoreResult<()>;

    /// Writes an audit line on its own (article and settings changes).
    async fn record_audit(&self, audit: NewAudit) -> StoreResult<()>;

    /// One page of the audit log, newest first.
    async fn audit_log(&self, page: PageRequest) -> StoreResult<Page<AuditEntry>>;

    /// Records that what readers see changed: one article's discussion, or (`None`) anything.
    /// Returns the change's id.
    async fn record_change(&self, article: Option<ArticleId>, at: i64) -> StoreResult<i64>;

    /// Changes after `after`, oldest first, at most `limit`.
    async fn changes_after(
        &self,
        after: i64,
        limit: i64,
    ) -> StoreResult<Vec<(i64, Option<ArticleId>)>>;

    /// The id of the latest change (0 when none).
    async fn last_change_id(&self) -> StoreResult<i64>;

    /// A feed that pushes changes as they are recorded, where the backend has one (PostgreSQL);
    /// `None` where polling [`Store::changes_after`] is the only way (SQLite: one machine).
    async fn change_feed(&self) -> StoreResult<Option<Box<dyn ChangeFeed>>> {
        Ok(None)
    }

    /// Whether the database answers and its schema is the one this build expects; the error
    /// says what is wrong.
    async fn ready(&self) -> StoreResult<()>;

    /// Closes every connection, for a process that is done with the store (a command-line
    /// command): SQLite folds its write-ahead log back into the database file and removes it.
    async fn close(&self) {}

    /// What is known of the commenter with `email` (lower-cased) and `name` at `ip` about to post
    /// `body` under `article`, in one statement: whether a ban matches, whether it is a duplicate,
    /// and whether the email has an approved comment anywhere, and under this name.
    async fn commenter_signals(
        &self,
        article: ArticleId,
        email: &str,
        name: &str,
        body: &str,
        ip: Option<&str>,
    ) -> StoreResult<CommenterSignals>;

    /// Queues a background job due at `run_at`. With a `dedupe_key`, at most one job ever holds
    /// that key (until finished jobs are pruned), so several nodes queueing the same periodic job
    /// make one. Returns whether a job was queued.
    async fn enqueue_job(
        &self,
        kind: &str,
        dedupe_key: Option<&str>,
        payload: &str,
        run_at: i64,
        now: i64,
    ) -> StoreResult<bool>;

    /// Claims the oldest due job that nobody holds, leasing it until `lease_until`: no other
    /// worker on any node gets it meanwhile, and if its worker dies it is claimable again after
    /// the lease. `None` when nothing is due.
    async fn claim_job(&self, now: i64, lease_until: i64) -> StoreResult<Option<Job>>;

    /// Marks a claimed job done.
    async fn finish_job(&self, id: i64, at: i64) -> StoreResult<()>;

    /// Gives a claimed job back, to run again from `retry_at`, with the reason it failed.
    async fn fail_job(&self, id: i64, error: &str, retry_at: i64) -> StoreResult<()>;

    /// Jobs due at `now` and not finished (waiting or running): the queue's depth.
    async fn pending_jobs(&self, now: i64) -> StoreResult<i64>;

    /// Deletes what has expired by `now`: sessions, password resets, login failures and change-log
    /// rows older than a day, finished jobs older than a week. Returns the rows deleted.
    async fn prune_expired(&self, now: i64) -> StoreResult<u64>;

    /// Starts an import: see [`ImportTx`].
    async fn begin_import(&self) -> StoreResult<Box<dyn ImportTx>>;

    /// Where an old address (`/2019/07/17/slug`, `/?p=12`) now is; `NotFound` when it is not one.
    async fn redirect(&self, path: &str) -> StoreResult<String>;

    /// One page of redirects by path, those whose path starts with `prefix` (empty: all).
    async fn redirects(&self, prefix: &str, page: PageRequest) -> StoreResult<Page<Redirect>>;

    /// Adds a redirect, with an audit line; `Conflict` when the path redirects already.
    async fn add_redirect(&self, redirect: Redirect, audit: NewAudit) -> StoreResult<()>;

    /// Deletes a redirect, with an audit line; `NotFound` when there is none at `path`.
    async fn delete_redirect(&self, path: &str, audit: NewAudit) -> StoreResult<()>;

    /// Creates a static page; `Conflict` when another page has its slug.
    async fn create_page(&self, page: NewStaticPage) -> StoreResult<StaticPage>;

    /// Saves over a page unless its version moved on (`Conflict("page version")`); a changed
    /// slug leaves a redirect from the old address (`Conflict("page slug")` when it is taken).
    async fn update_page(&self, id: PageId, update: StaticPageUpdate) -> StoreResult<StaticPage>;

    /// A page by id, whatever its status.
    async fn page_by_id(&self, id: PageId) -> StoreResult<StaticPage>;

    /// A page by slug, whatever its status.
    async fn page_by_slug(&self, slug: &str) -> StoreResult<StaticPage>;

    /// The page's parents for a breadcrumb, the farthest first, at most
    /// [`gazette_domain::static_page::MAX_TRAIL`] (a loop ends there).
    async fn page_trail(&self, id: PageId) -> StoreResult<Vec<Crumb>>;

    /// One page of the admin's list of pages, by title.
    async fn admin_pages(&self, page: PageRequest) -> StoreResult<Page<StaticPageRow>>;

    /// A media record by id.
    async fn media_by_id(&self, id: MediaId) -> StoreResult<Media>;

    /// Stores an uploaded image: its record, every stored size and the audit line, in one
    /// transaction. Its address becomes that of its largest size.
    async fn create_upload(
        &self,
        upload: gazette_domain::NewUpload,
        audit: NewAudit,
    ) -> StoreResult<Media>;

    /// One stored size of an upload (`NotFound` when there is no such size).
    async fn media_file(&self, id: MediaId, width: i64) -> StoreResult<gazette_domain::MediaFile>;

    /// One page of the media library, newest first.
    async fn media_library(&self, page: PageRequest) -> StoreResult<Page<Media>>;

    /// Rewrites an image's title, alternative text, caption and credit.
    async fn update_media(
        &self,
        id: MediaId,
        text: gazette_domain::MediaText,
        audit: NewAudit,
    ) -> StoreResult<Media>;

    /// How many articles show it as their featured image.
    async fn media_usage(&self, id: MediaId) -> StoreResult<i64>;

    /// Deletes a media record and its stored sizes; articles that featured it no longer do.
    /// Returns the hashes of the files it held.
    async fn delete_media(&self, id: MediaId, audit: NewAudit) -> StoreResult<Vec<String>>;

    /// Whether any stored size still has these bytes.
    async fn media_hash_in_use(&self, sha256: &str) -> StoreResult<bool>;

    /// Starts an upload (status `uploading`); returns its id.
    async fn create_import_run(&self, run: NewImportRun) -> StoreResult<i64>;

    /// Stores piece `seq` of an upload's file.
    async fn add_import_chunk(&self, id: i64, seq: i64, data: &[u8]) -> StoreResult<()>;

    /// Piece `seq` of an upload's file; `None` after the last.
    async fn import_chunk(&self, id: i64, seq: i64) -> StoreResult<Option<Vec<u8>>>;

    /// Marks a complete upload `queued` and queues its job (kind `import`, payload its id), in
    /// one transaction.
    async fn queue_import_run(&self, id: i64, size: i64, now: i64) -> StoreResult<()>;

    /// An import run by id.
    async fn import_run(&self, id: i64) -> StoreResult<ImportRun>;

    /// The latest import runs, newest first.
    async fn import_runs(&self, limit: i64) -> StoreResult<Vec<ImportRun>>;

    /// Records a run's status, progress and report (and, when it ended, its end time; the file's
    /// pieces are then deleted).
    async fn update_import_run(&self, run: &ImportRun) -> StoreResult<()>;

    /// Deletes an upload that did not complete, with its pieces.
    async fn delete_import_run(&self, id: i64) -> StoreResult<()>;

    /// Extends a claimed job's lease (a long import tells the other nodes it is still alive).
    async fn renew_job(&self, id: i64, lease_until: i64) -> StoreResult<()>;

    /// An article's approved comments whose approval number is above `after`, as (id, number)
    /// in approval order, at most `limit` (what a live stream has not seen).
    async fn approved_since(
        &self,
        article: ArticleId,
        after: i64,
        limit: i64,
    ) -> StoreResult<Vec<(CommentId, i64)>>;
}
