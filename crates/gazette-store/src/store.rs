use crate::StoreResult;
use gazette_domain::{
    Article, ArticleId, ArticleSummary, Comment, CommentId, CommentStatus, NewArticle, NewComment,
    NewUser, Page, PageRequest, StaffComment, Term, TermKind, User, UserId,
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

    /// Number of articles in any status (used to seed a new site once).
    async fn count_articles(&self) -> StoreResult<i64>;

    /// One page of articles public at `now`, newest first, with the total for paging.
    async fn published_articles(
        &self,
        filter: &ArticleFilter,
        page: PageRequest,
        now: i64,
    ) -> StoreResult<Page<ArticleSummary>>;

    /// A category or tag by slug.
    async fn term(&self, kind: TermKind, slug: &str) -> StoreResult<Term>;

    /// Categories that hold at least one article public at `now`, by name, at most `limit`.
    async fn categories_in_use(&self, now: i64, limit: i64) -> StoreResult<Vec<Term>>;

    /// Inserts a comment, placing it in its thread and counting it if approved, in one transaction.
    ///
    /// `NotFound("parent comment")` when the parent is missing, unapproved or under another article;
    /// `NotFound("article")` when the article is missing.
    async fn insert_comment(&self, comment: NewComment) -> StoreResult<Comment>;

    /// Whether `email` (already lower-cased) has at least one approved comment anywhere.
    async fn has_approved_comment_from(&self, email: &str) -> StoreResult<bool>;

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

    /// Moves a comment to `status`, keeping the article's approved count right, and returns it.
    async fn set_comment_status(
        &self,
        id: CommentId,
        status: CommentStatus,
    ) -> StoreResult<StaffComment>;

    /// One page of comments in `status`, newest first, with staff-only fields.
    async fn staff_comments(
        &self,
        status: CommentStatus,
        page: PageRequest,
    ) -> StoreResult<Page<StaffComment>>;

    /// Approved-comment counts of the published articles among `ids` (others are left out).
    async fn comment_counts(
        &self,
        ids: &[ArticleId],
        now: i64,
    ) -> StoreResult<Vec<(ArticleId, i64)>>;
}
