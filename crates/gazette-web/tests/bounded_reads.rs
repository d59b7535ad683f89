//! The article page reads its thread in a fixed number of store calls (each a fixed number of
//! queries), whatever the thread's size: no query per comment.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use axum::body::Body;
use axum::http::{Request, StatusCode};
use gazette_core::publishing::ArticleRequest;
use gazette_core::{Config, Site};
use gazette_domain::{
    Article, ArticleId, ArticleSummary, Comment, CommentId, CommentStatus, ModerationPolicy,
    NewArticle, NewComment, NewUser, Page, PageRequest, StaffComment, Term, TermKind, User,
};
use gazette_store::{ArticleFilter, Store, StoreResult};
use gazette_store_sqlite::SqliteStore;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use tower::ServiceExt;

/// Counts every call that reaches the store.
struct CountingStore {
    inner: SqliteStore,
    calls: AtomicUsize,
}

impl CountingStore {
    fn tick(&self) {
        self.calls.fetch_add(1, Ordering::SeqCst);
    }
}

#[async_trait::async_trait]
impl Store for CountingStore {
    async fn setting(&self, key: &str) -> StoreResult<String> {
        self.tick();
        self.inner.setting(key).await
    }
    async fn put_setting_if_absent(&self, key: &str, value: &str) -> StoreResult<String> {
        self.tick();
        self.inner.put_setting_if_absent(key, value).await
    }
    async fn create_user(&self, user: NewUser) -> StoreResult<User> {
        self.tick();
        self.inner.create_user(user).await
    }
    async fn user_by_username(&self, username: &str) -> StoreResult<User> {
        self.tick();
        self.inner.user_by_username(username).await
    }
    async fn user_by_slug(&self, slug: &str) -> StoreResult<User> {
        self.tick();
        self.inner.user_by_slug(slug).await
    }
    async fn create_article(&self, article: NewArticle) -> StoreResult<Article> {
        self.tick();
        self.inner.create_article(article).await
    }
    async fn article_by_slug(&self, slug: &str) -> StoreResult<Article> {
        self.tick();
        self.inner.article_by_slug(slug).await
    }
    async fn article_by_id(&self, id: ArticleId) -> StoreResult<Article> {
        self.tick();
        self.inner.article_by_id(id).await
    }
    async fn count_articles(&self) -> StoreResult<i64> {
        self.tick();
        self.inner.count_articles().await
    }
    async fn published_articles(
        &self,
        filter: &ArticleFilter,
        page: PageRequest,
        now: i64,
    ) -> StoreResult<Page<ArticleSummary>> {
        self.tick();
        self.inner.published_articles(filter, page, now).await
    }
    async fn term(&self, kind: TermKind, slug: &str) -> StoreResult<Term> {
        self.tick();
        self.inner.term(kind, slug).await
    }
    async fn categories_in_use(&self, now: i64, limit: i64) -> StoreResult<Vec<Term>> {
        self.tick();
        self.inner.categories_in_use(now, limit).await
    }
    async fn insert_comment(&self, comment: NewComment) -> StoreResult<Comment> {
        self.tick();
        self.inner.insert_comment(comment).await
    }
    async fn has_approved_comment_from(&self, email: &str) -> StoreResult<bool> {
        self.tick();
        self.inner.has_approved_comment_from(email).await
    }
    async fn approved_comments(
        &self,
        article: ArticleId,
        page: PageRequest,
    ) -> StoreResult<Vec<Comment>> {
        self.tick();
        self.inner.approved_comments(article, page).await
    }
    async fn comments_by_ids(
        &self,
        article: ArticleId,
        ids: &[CommentId],
    ) -> StoreResult<Vec<Comment>> {
        self.tick();
        self.inner.comments_by_ids(article, ids).await
    }
    async fn approved_comments_before(&self, article: ArticleId, path: &str) -> StoreResult<i64> {
        self.tick();
        self.inner.approved_comments_before(article, path).await
    }
    async fn staff_comment(&self, id: CommentId) -> StoreResult<StaffComment> {
        self.tick();
        self.inner.staff_comment(id).await
    }
    async fn set_comment_status(
        &self,
        id: CommentId,
        status: CommentStatus,
    ) -> StoreResult<StaffComment> {
        self.tick();
        self.inner.set_comment_status(id, status).await
    }
    async fn staff_comments(
        &self,
        status: CommentStatus,
        page: PageRequest,
    ) -> StoreResult<Page<StaffComment>> {
        self.tick();
        self.inner.staff_comments(status, page).await
    }
    async fn comment_counts(
        &self,
        ids: &[ArticleId],
        now: i64,
    ) -> StoreResult<Vec<(ArticleId, i64)>> {
        self.tick();
        self.inner.comment_counts(ids, now).await
    }
}

async fn store_calls_for_a_thread_of(comments: usize) -> usize {
    let dir = tempfile::tempdir().expect("dir");
    let config = Config {
        db: format!("sqlite:{}", dir.path().join("t.db").display()),
        comments: gazette_core::config::CommentsConfig {
            moderation: ModerationPolicy::NoHold,
            ..Default::default()
        },
        ..Config::default()
    };
    let inner = SqliteStore::connect(&config.db).await.expect("open");
    let store = Arc::new(CountingStore {
        inner,
        calls: AtomicUsize::new(0),
    });
    let site = Site::open(store.clone(), config).await.expect("site");
    let article = site
        .publish_article(ArticleRequest {
            title: "Thread".into(),
            author: "gazette".into(),
            body_markdown: "Body".into(),
            comments_open: true,
            ..Default::default()
        })
        .await
        .expect("publish");
    let mut parent = None;
    for n in 0..comments {
        let draft = gazette_domain::CommentDraft {
            body: format!("comment {n}"),
            name: "Reader".into(),
            email: format!("r{n}@example.org"),
            website: String::new(),
            parent: if n % 3 == 0 {
                String::new()
            } else {
                parent
                    .map(|p: CommentId| p.0.to_string())
                    .unwrap_or_default()
            },
        };
        let comment = site
            .submit_comment(&article.slug, &draft, Default::default())
            .await
            .expect("comment");
        parent = Some(comment.id);
    }
    let router = gazette_web::router(gazette_web::AppState::new(site).expect("templates"));
    store.calls.store(0, Ordering::SeqCst);
    let response = router
        .oneshot(
            Request::get("/articles/thread")
                .body(Body::empty())
                .expect("request"),
        )
        .await
        .expect("response");
    assert_eq!(response.status(), StatusCode::OK);
    store.calls.load(Ordering::SeqCst)
}

#[tokio::test]
async fn the_article_page_costs_the_same_store_calls_for_any_thread_size() {
    let small = store_calls_for_a_thread_of(2).await;
    let large = store_calls_for_a_thread_of(60).await;
    assert_eq!(
        small, large,
        "store calls grew with the thread: {small} vs {large}"
    );
    assert!(
        small <= 4,
        "an article page should take at most 4 store calls, took {small}"
    );
}
