use crate::{PgStore, articles, comments, users};
use gazette_domain::{
    Article, ArticleId, ArticleSummary, Comment, CommentId, CommentStatus, NewArticle, NewComment,
    NewUser, Page, PageRequest, StaffComment, Term, TermKind, User,
};
use gazette_store::{ArticleFilter, Store, StoreResult};

#[async_trait::async_trait]
impl Store for PgStore {
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
    async fn term(&self, kind: TermKind, slug: &str) -> StoreResult<Term> {
        articles::term(self, kind, slug).await
    }
    async fn categories_in_use(&self, now: i64, limit: i64) -> StoreResult<Vec<Term>> {
        articles::categories_in_use(self, now, limit).await
    }
    async fn insert_comment(&self, comment: NewComment) -> StoreResult<Comment> {
        comments::insert_comment(self, comment).await
    }
    async fn has_approved_comment_from(&self, email: &str) -> StoreResult<bool> {
        comments::has_approved_comment_from(self, email).await
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
    async fn set_comment_status(
        &self,
        id: CommentId,
        status: CommentStatus,
    ) -> StoreResult<StaffComment> {
        comments::set_comment_status(self, id, status).await
    }
    async fn staff_comments(
        &self,
        status: CommentStatus,
        page: PageRequest,
    ) -> StoreResult<Page<StaffComment>> {
        comments::staff_comments(self, status, page).await
    }
    async fn comment_counts(
        &self,
        ids: &[ArticleId],
        now: i64,
    ) -> StoreResult<Vec<(ArticleId, i64)>> {
        comments::comment_counts(self, ids, now).await
    }
}
