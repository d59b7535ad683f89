use crate::{
    SqlStore, articles, changes, comments, import, import_runs, jobs, media, moderation, newsroom,
    pages, search, users,
};
use gazette_domain::records::{
    ArticleQuery, ArticleRow as AdminRow, ArticleUpdate, Attempt, AuditEntry, Ban, CommentEdit,
    CommentFilter, NewAudit, NewBan, NewSession, Session, StatusChange, Throttle,
};
use gazette_domain::spam::TokenCounts;
use gazette_domain::{
    Article, ArticleId, ArticleSummary, Comment, CommentId, CommentStatus, FeedComment, NewArticle,
    NewComment, NewUser, Page, PageRequest, StaffComment, Term, TermKind, User, UserId,
};
use gazette_store::{ArticleFilter, ImportTx, Store, StoreResult};

#[async_trait::async_trait]
impl Store for SqlStore {
    async fn setting(&self, key: &str) -> StoreResult<String> {
        users::setting(self, key).await
    }
    async fn put_setting_if_absent(&self, key: &str, value: &str) -> StoreResult<String> {
        users::put_setting_if_absent(self, key, value).await
    }
    async fn create_user(&self, user: NewUser) -> StoreResult<User> {
        users::create_user(self, user).await
    }
    async fn user_by_username(&self, username: &str) -> StoreResult<User> {
        users::user_by_username(self, username).await
    }
    async fn user_by_slug(&self, slug: &str) -> StoreResult<User> {
        users::user_by_slug(self, slug).await
    }
    async fn create_article(&self, article: NewArticle) -> StoreResult<Article> {
        articles::create_article(self, article).await
    }
    async fn article_by_slug(&self, slug: &str) -> StoreResult<Article> {
        articles::article_by_slug(self, slug).await
    }
    async fn article_by_id(&self, id: ArticleId) -> StoreResult<Article> {
        articles::article_by_id(self, id).await
    }
    async fn next_publication_after(&self, now: i64) -> StoreResult<Option<i64>> {
        articles::next_publication_after(self, now).await
    }
    async fn count_articles(&self) -> StoreResult<i64> {
        articles::count_articles(self).await
    }
    async fn published_articles(
        &self,
        filter: &ArticleFilter,
        page: PageRequest,
        now: i64,
    ) -> StoreResult<Page<ArticleSummary>> {
        articles::published_articles(self, filter, page, now).await
    }
    async fn feed_articles(
        &self,
        filter: &ArticleFilter,
        limit: i64,
        now: i64,
    ) -> StoreResult<Vec<Article>> {
        articles::feed_articles(self, filter, limit, now).await
    }
    async fn feed_comments(
        &self,
        article: Option<ArticleId>,
        limit: i64,
        now: i64,
    ) -> StoreResult<Vec<FeedComment>> {
        comments::feed_comments(self, article, limit, now).await
    }
    async fn sitemap(
        &self,
        of: gazette_domain::sitemap::SitemapOf,
        page: PageRequest,
        now: i64,
    ) -> StoreResult<Page<gazette_domain::sitemap::SitemapEntry>> {
        crate::sitemaps::sitemap(self, of, page, now).await
    }
    async fn sitemap_months(
        &self,
        now: i64,
    ) -> StoreResult<Vec<gazette_domain::sitemap::SitemapMonth>> {
        crate::sitemaps::sitemap_months(self, now).await
    }
    async fn add_correction(
        &self,
        article: ArticleId,
        body: &str,
        at: i64,
        audit: NewAudit,
    ) -> StoreResult<Article> {
        articles::add_correction(self, article, body, at, audit).await
    }
    async fn recent_corrections(
        &self,
        limit: i64,
        now: i64,
    ) -> StoreResult<Vec<(gazette_domain::Correction, String, String)>> {
        articles::recent_corrections(self, limit, now).await
    }
    async fn search_articles(
        &self,
        search: &gazette_domain::search::ArticleSearch,
        page: PageRequest,
        now: i64,
        limit: std::time::Duration,
    ) -> StoreResult<Page<gazette_domain::search::SearchHit>> {
        search::search_articles(self, search, page, now, limit).await
    }
    async fn prepare_search(&self, language: &str) -> StoreResult<bool> {
        search::prepare_search(self, language).await
    }
    async fn search_index_counts(&self) -> StoreResult<(i64, i64)> {
        search::search_index_counts(self).await
    }
    async fn articles_to_index(
        &self,
        after: ArticleId,
        limit: i64,
    ) -> StoreResult<Vec<(ArticleId, i64, String, String)>> {
        search::articles_to_index(self, after, limit).await
    }
    async fn index_articles(
        &self,
        articles: &[(ArticleId, i64, gazette_domain::search::SearchText)],
    ) -> StoreResult<()> {
        search::index_articles(self, articles).await
    }
    async fn term(&self, kind: TermKind, slug: &str) -> StoreResult<Term> {
        articles::term(self, kind, slug).await
    }
    async fn categories_in_use(&self, now: i64, limit: i64) -> StoreResult<Vec<Term>> {
        articles::categories_in_use(self, now, limit).await
    }
    async fn insert_comment(&self, comment: NewComment) -> StoreResult<Comment> {
        comments::insert_comment(self, comment).await
    }
    async fn approved_comments(
        &self,
        article: ArticleId,
        page: PageRequest,
    ) -> StoreResult<Vec<Comment>> {
        comments::approved_comments(self, article, page).await
    }
    async fn comments_by_ids(
        &self,
        article: ArticleId,
        ids: &[CommentId],
    ) -> StoreResult<Vec<Comment>> {
        comments::comments_by_ids(self, article, ids).await
    }
    async fn approved_comments_before(&self, article: ArticleId, path: &str) -> StoreResult<i64> {
        comments::approved_comments_before(self, article, path).await
    }
    async fn staff_comment(&self, id: CommentId) -> StoreResult<StaffComment> {
        comments::staff_comment(self, id).await
    }
    async fn comment_counts(
        &self,
        ids: &[ArticleId],
        now: i64,
    ) -> StoreResult<Vec<(ArticleId, i64)>> {
        comments::comment_counts(self, ids, now).await
    }
    async fn set_comment_status(
        &self,
        id: CommentId,
        change: StatusChange,
    ) -> StoreResult<StaffComment> {
        moderation::set_comment_status(self, id, change).await
    }
    async fn staff_comments(
        &self,
        filter: &CommentFilter,
        page: PageRequest,
    ) -> StoreResult<Page<StaffComment>> {
        moderation::staff_comments(self, filter, page).await
    }
    async fn comment_status_counts(
        &self,
        filter: &CommentFilter,
    ) -> StoreResult<Vec<(CommentStatus, i64)>> {
        moderation::comment_status_counts(self, filter).await
    }
    async fn edit_comment(
        &self,
        id: CommentId,
        edit: CommentEdit,
        audit: NewAudit,
    ) -> StoreResult<StaffComment> {
        moderation::edit_comment(self, id, edit, audit).await
    }
    async fn delete_comment(&self, id: CommentId, audit: NewAudit) -> StoreResult<()> {
        moderation::delete_comment(self, id, audit).await
    }
    async fn recent_comments_from(
        &self,
        ip: &str,
        network: &str,
        since: i64,
        at_most: i64,
    ) -> StoreResult<(i64, i64)> {
        moderation::recent_comments_from(self, ip, network, since, at_most).await
    }
    async fn classifier_counts(
        &self,
        tokens: &[String],
    ) -> StoreResult<Vec<(String, TokenCounts)>> {
        moderation::classifier_counts(self, tokens).await
    }
    async fn put_setting(&self, key: &str, value: &str) -> StoreResult<()> {
        newsroom::put_setting(self, key, value).await
    }
    async fn user_by_id(&self, id: UserId) -> StoreResult<User> {
        newsroom::user_by_id(self, id).await
    }
    async fn users(&self) -> StoreResult<Vec<User>> {
        newsroom::users(self).await
    }
    async fn create_first_admin(&self, user: NewUser) -> StoreResult<User> {
        newsroom::create_first_admin(self, user).await
    }
    async fn set_password(&self, user: UserId, password_hash: &str) -> StoreResult<()> {
        newsroom::set_password(self, user, password_hash).await
    }
    async fn create_session(&self, session: NewSession) -> StoreResult<()> {
        newsroom::create_session(self, session).await
    }
    async fn session(&self, token_hash: &str, now: i64) -> StoreResult<Session> {
        newsroom::session(self, token_hash, now).await
    }
    async fn delete_session(&self, token_hash: &str) -> StoreResult<()> {
        newsroom::delete_session(self, token_hash).await
    }
    async fn begin_attempt(&self, throttles: &[Throttle], now: i64) -> StoreResult<Attempt> {
        newsroom::begin_attempt(self, throttles, now).await
    }
    async fn forget_attempt(&self, ids: &[i64]) -> StoreResult<()> {
        newsroom::forget_attempt(self, ids).await
    }
    async fn password_reset_user(&self, token_hash: &str, now: i64) -> StoreResult<UserId> {
        newsroom::password_reset_user(self, token_hash, now).await
    }
    async fn clear_login_failures(&self, bucket: &str) -> StoreResult<()> {
        newsroom::clear_login_failures(self, bucket).await
    }
    async fn create_password_reset(
        &self,
        token_hash: &str,
        user: UserId,
        expires_at: i64,
    ) -> StoreResult<()> {
        newsroom::create_password_reset(self, token_hash, user, expires_at).await
    }
    async fn reset_password(
        &self,
        token_hash: &str,
        now: i64,
        password_hash: &str,
    ) -> StoreResult<User> {
        newsroom::reset_password(self, token_hash, now, password_hash).await
    }
    async fn update_article(&self, id: ArticleId, update: ArticleUpdate) -> StoreResult<Article> {
        articles::update_article(self, id, update).await
    }
    async fn admin_articles(
        &self,
        query: &ArticleQuery,
        page: PageRequest,
    ) -> StoreResult<Page<AdminRow>> {
        articles::admin_articles(self, query, page).await
    }
    async fn slug_redirect(&self, old_slug: &str) -> StoreResult<String> {
        articles::slug_redirect(self, old_slug).await
    }
    async fn create_ban(&self, ban: NewBan) -> StoreResult<Ban> {
        moderation::create_ban(self, ban).await
    }
    async fn bans(&self) -> StoreResult<Vec<Ban>> {
        moderation::bans(self).await
    }
    async fn delete_ban(&self, id: i64, audit: NewAudit) -> StoreResult<()> {
        moderation::delete_ban(self, id, audit).await
    }
    async fn record_audit(&self, audit: NewAudit) -> StoreResult<()> {
        moderation::record_audit(self, audit).await
    }
    async fn audit_log(&self, page: PageRequest) -> StoreResult<Page<AuditEntry>> {
        moderation::audit_log(self, page).await
    }
    async fn record_change(&self, article: Option<ArticleId>, at: i64) -> StoreResult<i64> {
        changes::record_change(self.on(), article, at).await
    }
    async fn changes_after(
        &self,
        after: i64,
        limit: i64,
    ) -> StoreResult<Vec<(i64, Option<ArticleId>)>> {
        changes::changes_after(self, after, limit).await
    }
    async fn last_change_id(&self) -> StoreResult<i64> {
        changes::last_change_id(self).await
    }

    async fn ready(&self) -> StoreResult<()> {
        self.check_ready().await
    }
    async fn close(&self) {
        SqlStore::close(self).await
    }
    async fn change_feed(&self) -> StoreResult<Option<Box<dyn gazette_store::ChangeFeed>>> {
        changes::change_feed(self).await
    }
    async fn approved_since(
        &self,
        article: ArticleId,
        after: i64,
        limit: i64,
    ) -> StoreResult<Vec<(CommentId, i64)>> {
        comments::approved_since(self, article, after, limit).await
    }
    async fn enqueue_job(
        &self,
        kind: &str,
        dedupe_key: Option<&str>,
        payload: &str,
        run_at: i64,
        now: i64,
    ) -> StoreResult<bool> {
        jobs::enqueue_job(self, kind, dedupe_key, payload, run_at, now).await
    }
    async fn claim_job(
        &self,
        now: i64,
        lease_until: i64,
    ) -> StoreResult<Option<gazette_store::Job>> {
        jobs::claim_job(self, now, lease_until).await
    }
    async fn finish_job(&self, id: i64, at: i64) -> StoreResult<()> {
        jobs::finish_job(self, id, at).await
    }
    async fn fail_job(&self, id: i64, error: &str, retry_at: i64) -> StoreResult<()> {
        jobs::fail_job(self, id, error, retry_at).await
    }
    async fn pending_jobs(&self, now: i64) -> StoreResult<i64> {
        jobs::pending_jobs(self, now).await
    }
    async fn prune_expired(&self, now: i64) -> StoreResult<u64> {
        jobs::prune_expired(self, now).await
    }
    async fn commenter_signals(
        &self,
        article: ArticleId,
        email: &str,
        name: &str,
        body: &str,
        ip: Option<&str>,
    ) -> StoreResult<gazette_store::CommenterSignals> {
        moderation::commenter_signals(self, article, email, name, body, ip).await
    }
    async fn begin_import(&self) -> StoreResult<Box<dyn ImportTx>> {
        import::begin_import(self).await
    }
    async fn redirect(&self, path: &str) -> StoreResult<String> {
        import::redirect(self, path).await
    }
    async fn redirects(
        &self,
        prefix: &str,
        page: PageRequest,
    ) -> StoreResult<Page<gazette_domain::import::Redirect>> {
        import::redirects(self, prefix, page).await
    }
    async fn add_redirect(
        &self,
        redirect: gazette_domain::import::Redirect,
        audit: NewAudit,
    ) -> StoreResult<()> {
        import::add_redirect(self, redirect, audit).await
    }
    async fn delete_redirect(&self, path: &str, audit: NewAudit) -> StoreResult<()> {
        import::delete_redirect(self, path, audit).await
    }
    async fn create_page(
        &self,
        page: gazette_domain::NewStaticPage,
    ) -> StoreResult<gazette_domain::StaticPage> {
        pages::create_page(self, page).await
    }
    async fn update_page(
        &self,
        id: gazette_domain::PageId,
        update: gazette_domain::StaticPageUpdate,
    ) -> StoreResult<gazette_domain::StaticPage> {
        pages::update_page(self, id, update).await
    }
    async fn page_by_id(
        &self,
        id: gazette_domain::PageId,
    ) -> StoreResult<gazette_domain::StaticPage> {
        pages::page_by_id(self, id).await
    }
    async fn page_by_slug(&self, slug: &str) -> StoreResult<gazette_domain::StaticPage> {
        pages::page_by_slug(self, slug).await
    }
    async fn page_trail(
        &self,
        id: gazette_domain::PageId,
    ) -> StoreResult<Vec<gazette_domain::Crumb>> {
        pages::page_trail(self, id).await
    }
    async fn admin_pages(
        &self,
        page: PageRequest,
    ) -> StoreResult<Page<gazette_domain::StaticPageRow>> {
        pages::admin_pages(self, page).await
    }
    async fn media_by_id(&self, id: gazette_domain::MediaId) -> StoreResult<gazette_domain::Media> {
        pages::media_by_id(self, id).await
    }
    async fn create_upload(
        &self,
        upload: gazette_domain::NewUpload,
        audit: NewAudit,
    ) -> StoreResult<gazette_domain::Media> {
        media::create_upload(self, upload, audit).await
    }
    async fn media_file(
        &self,
        id: gazette_domain::MediaId,
        width: i64,
    ) -> StoreResult<gazette_domain::MediaFile> {
        media::media_file(self, id, width).await
    }
    async fn media_library(&self, page: PageRequest) -> StoreResult<Page<gazette_domain::Media>> {
        media::media_library(self, page).await
    }
    async fn update_media(
        &self,
        id: gazette_domain::MediaId,
        text: gazette_domain::MediaText,
        audit: NewAudit,
    ) -> StoreResult<gazette_domain::Media> {
        media::update_media(self, id, text, audit).await
    }
    async fn media_usage(&self, id: gazette_domain::MediaId) -> StoreResult<i64> {
        media::media_usage(self, id).await
    }
    async fn delete_media(
        &self,
        id: gazette_domain::MediaId,
        audit: NewAudit,
    ) -> StoreResult<Vec<String>> {
        media::delete_media(self, id, audit).await
    }
    async fn media_hash_in_use(&self, sha256: &str) -> StoreResult<bool> {
        media::media_hash_in_use(self, sha256).await
    }
    async fn create_import_run(
        &self,
        run: gazette_domain::import::NewImportRun,
    ) -> StoreResult<i64> {
        import_runs::create_import_run(self, run).await
    }
    async fn add_import_chunk(&self, id: i64, seq: i64, data: &[u8]) -> StoreResult<()> {
        import_runs::add_import_chunk(self, id, seq, data).await
    }
    async fn import_chunk(&self, id: i64, seq: i64) -> StoreResult<Option<Vec<u8>>> {
        import_runs::import_chunk(self, id, seq).await
    }
    async fn queue_import_run(&self, id: i64, size: i64, now: i64) -> StoreResult<()> {
        import_runs::queue_import_run(self, id, size, now).await
    }
    async fn import_run(&self, id: i64) -> StoreResult<gazette_domain::import::ImportRun> {
        import_runs::import_run(self, id).await
    }
    async fn import_runs(&self, limit: i64) -> StoreResult<Vec<gazette_domain::import::ImportRun>> {
        import_runs::import_runs(self, limit).await
    }
    async fn update_import_run(&self, run: &gazette_domain::import::ImportRun) -> StoreResult<()> {
        import_runs::update_import_run(self, run).await
    }
    async fn delete_import_run(&self, id: i64) -> StoreResult<()> {
        import_runs::delete_import_run(self, id).await
    }
    async fn renew_job(&self, id: i64, lease_until: i64) -> StoreResult<()> {
        jobs::renew_job(self, id, lease_until).await
    }
}
