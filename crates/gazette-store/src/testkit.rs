//! The storage conformance suite: every backend runs every case, so SQLite and PostgreSQL cannot drift.
//!
//! A backend's test file calls [`conformance_suite!`](crate::conformance_suite) with an async function
//! that returns a fresh, migrated store (panicking when its database is not configured: a backend
//! that needs a service marks its cases ignored instead of letting them pass unchecked).

use crate::{ArticleFilter, Store, StoreError};
use gazette_domain::records::{
    ArticleQuery, ArticleUpdate, Attempt, BanKind, CommentEdit, CommentFilter, NewAudit, NewBan,
    NewSession, StatusChange, Throttle, Training,
};
use gazette_domain::spam::{DOCUMENTS, TokenCounts};
use gazette_domain::{
    Article, ArticleId, ArticleStatus, Comment, CommentGuard, CommentId, CommentStatus, NewArticle,
    NewComment, NewUser, PageRequest, Role, Term, TermKind, User, UserId,
};

/// A fresh store for one test, cleaned up afterwards.
#[async_trait::async_trait]
pub trait TestStore: Send + Sync {
    /// The store under test.
    fn store(&self) -> &dyn Store;
    /// Removes what the test created (a throwaway database, a temporary file).
    async fn cleanup(self: Box<Self>);
}

/// Expands to one `#[tokio::test]` per conformance case, each on a fresh store from `$make`.
/// With `ignore = "reason"` every case is marked ignored with that reason (for a backend that
/// needs a service: `cargo test` lists them as ignored, `-- --include-ignored` runs them).
///
/// The case list is one macro because each case must be its own `#[test]` function, so that a
/// failure names the case and the cases run in parallel.
#[macro_export]
macro_rules! conformance_suite {
    ($make:path) => {
        $crate::conformance_suite!(@all $make, []);
    };
    ($make:path, ignore = $reason:literal) => {
        $crate::conformance_suite!(@all $make, [#[ignore = $reason]]);
    };
    (@all $make:path, $attrs:tt) => {
        $crate::conformance_suite!(@cases $make, $attrs;
            settings_keep_the_first_value,
            users_are_found_by_username_and_slug,
            a_taken_username_is_a_conflict,
            articles_round_trip_with_their_terms,
            a_taken_article_slug_is_a_conflict,
            missing_things_are_not_found,
            lists_show_only_public_articles_newest_first,
            lists_filter_by_term_and_author_and_page,
            categories_in_use_leave_out_unused_and_unpublished,
            comments_are_placed_in_threads,
            replies_beyond_the_depth_limit_attach_at_the_deepest_level,
            a_reply_needs_an_approved_parent_under_the_same_article,
            approved_count_follows_every_status_change,
            approved_comments_come_in_thread_order_and_pages,
            comments_by_ids_stay_within_their_article,
            position_counts_approved_comments_before_a_path,
            staff_comments_carry_email_and_list_by_status,
            approval_history_is_per_email,
            comment_counts_cover_only_published_articles_asked_for,
            put_setting_replaces_the_value,
            sessions_are_found_until_they_expire_or_end,
            only_one_first_admin_can_be_created,
            a_new_password_ends_every_session,
            a_password_reset_works_once_and_expires,
            login_failures_are_counted_per_bucket,
            concurrent_attempts_get_only_the_free_ones,
            a_reset_token_names_its_account_until_used,
            article_updates_check_the_version_and_keep_old_slugs_redirecting,
            the_newsroom_list_filters_and_searches_titles,
            status_changes_write_the_audit_log_and_train_the_classifier,
            moderation_lists_filter_and_count_by_status,
            staff_edit_and_permanent_delete,
            rate_and_duplicate_signals_count_recent_comments,
            bans_match_and_can_hide_history,
            the_next_scheduled_publication_is_found,
            changes_are_read_in_order_after_an_id_and_pruned,
            approvals_are_numbered_in_order,
            a_migrated_store_is_ready,
            jobs_are_claimed_once_and_come_back_after_their_lease,
            a_failed_job_waits_for_its_retry_time,
            pruning_deletes_only_what_expired,
            commenter_signals_report_ban_duplicate_and_history,
            a_guarded_insert_refuses_duplicates_and_limits,
            a_burst_of_guarded_inserts_respects_the_limits,
            an_import_lands_whole_and_a_second_one_changes_nothing,
            an_import_dropped_without_commit_leaves_nothing,
            an_import_updates_what_changed_and_recounts,
            redirects_are_listed_by_prefix_added_once_and_deleted,
            pages_round_trip_check_their_version_and_keep_old_addresses,
            a_page_trail_lists_parents_farthest_first_and_ends_in_a_loop,
            imported_pages_and_media_are_matched_and_linked,
            uploaded_images_keep_every_size_until_deleted,
            co_authors_are_in_the_byline_and_their_archives,
            an_uploaded_import_keeps_its_pieces_until_it_ends,
            feeds_read_whole_public_articles_and_approved_comments_newest_first,
            sitemaps_list_public_addresses_by_month_and_kind,
            corrections_are_appended_in_order_and_listed_newest_first,
            search_finds_public_articles_holding_every_word,
            search_ranks_by_the_words_that_tell_articles_apart,
            staff_comment_search_matches_every_word_in_any_status,
        );
    };
    (@cases $make:path, $attrs:tt; $($case:ident),* $(,)?) => {
        $( $crate::conformance_suite!(@case $make, $attrs, $case); )*
    };
    (@case $make:path, [$($attr:tt)*], $case:ident) => {
        #[tokio::test]
        $($attr)*
        async fn $case() {
            let test_store = $make().await;
            $crate::testkit::$case(test_store.store()).await;
            test_store.cleanup().await;
        }
    };
}

const NOW: i64 = 1_800_000_000;

/// Creates a staff account named `name` with role author.
pub async fn author(store: &dyn Store, name: &str) -> User {
    store
        .create_user(NewUser {
            username: name.to_lowercase(),
            display_name: name.to_owned(),
            slug: name.to_lowercase(),
            email: format!("{}@newsroom.example", name.to_lowercase()),
            role: Role::Author,
            password_hash: None,
            created_at: NOW,
        })
        .await
        .unwrap_or_else(|e| panic!("create author {name}: {e}"))
}

/// A published article draft by `author`, public since `published_at`.
pub fn new_article(author: &User, slug: &str, published_at: i64) -> NewArticle {
    NewArticle {
        slug: slug.to_owned(),
        title: format!("Title of {slug}"),
        body_markdown: "Body *text*".into(),
        body_format: gazette_domain::BodyFormat::Markdown,
        body_html: "<p>Body <em>text</em></p>".into(),
        body_text: "Body text".into(),
        excerpt: "Body text".into(),
        author_id: author.id,
        status: ArticleStatus::Published,
        comments_open: true,
        published_at: Some(published_at),
        created_at: published_at,
        categories: vec![],
        tags: vec![],
        featured_media_id: None,
        coauthor_ids: vec![],
    }
}

/// Creates a published article.
pub async fn article(store: &dyn Store, author: &User, slug: &str) -> Article {
    store
        .create_article(new_article(author, slug, NOW - 100))
        .await
        .unwrap_or_else(|e| panic!("create article {slug}: {e}"))
}

/// A new comment under `article` from `email`, in `status`, replying to `parent`.
pub fn new_comment(
    article: ArticleId,
    parent: Option<CommentId>,
    email: &str,
    status: CommentStatus,
) -> NewComment {
    NewComment {
        article_id: article,
        parent_id: parent,
        author_name: "Reader".into(),
        author_email: email.to_owned(),
        author_url: None,
        avatar: "ab".repeat(16),
        body_markdown: "hello".into(),
        body_html: "<p>hello</p>".into(),
        status,
        held_reason: None,
        ip: Some("192.0.2.1".into()),
        ip_network: Some("192.0.2.0/24".into()),
        user_agent: None,
        staff_user_id: None,
        created_at: NOW,
        max_depth: 5,
        guard: None,
    }
}

/// Whether `email` has an approved comment anywhere, as a new comment's signals say.
async fn has_approved(store: &dyn Store, article: ArticleId, email: &str) -> bool {
    store
        .commenter_signals(article, email, "Reader", "", None)
        .await
        .expect("signals")
        .has_approved
}

/// Whether `email` already posted exactly `body` under `article`.
async fn duplicate(store: &dyn Store, article: ArticleId, email: &str, body: &str) -> bool {
    store
        .commenter_signals(article, email, "Reader", body, None)
        .await
        .expect("signals")
        .duplicate
}

/// Whether a ban matches `email` or `ip`.
async fn banned(store: &dyn Store, article: ArticleId, email: &str, ip: &str) -> bool {
    store
        .commenter_signals(article, email, "Reader", "", Some(ip))
        .await
        .expect("signals")
        .banned
}

async fn comment(
    store: &dyn Store,
    article: ArticleId,
    parent: Option<CommentId>,
    status: CommentStatus,
) -> Comment {
    store
        .insert_comment(new_comment(article, parent, "reader@example.org", status))
        .await
        .unwrap_or_else(|e| panic!("insert comment: {e}"))
}

/// `put_setting_if_absent` stores once; later calls return the first value.
pub async fn settings_keep_the_first_value(store: &dyn Store) {
    assert!(matches!(
        store.setting("k").await,
        Err(StoreError::NotFound(_))
    ));
    assert_eq!(
        store
            .put_setting_if_absent("k", "first")
            .await
            .ok()
            .as_deref(),
        Some("first")
    );
    assert_eq!(
        store
            .put_setting_if_absent("k", "second")
            .await
            .ok()
            .as_deref(),
        Some("first")
    );
    assert_eq!(store.setting("k").await.ok().as_deref(), Some("first"));
}

/// Accounts can be read back by login name and by slug.
pub async fn users_are_found_by_username_and_slug(store: &dyn Store) {
    let created = author(store, "Ada").await;
    let by_name = store.user_by_username("ada").await.expect("by username");
    let by_slug = store.user_by_slug("ada").await.expect("by slug");
    assert_eq!(by_name, created);
    assert_eq!(by_slug, created);
    assert_eq!(created.role, Role::Author);
    assert_eq!(created.email, "ada@newsroom.example");
}

/// A second account with the same username is refused.
pub async fn a_taken_username_is_a_conflict(store: &dyn Store) {
    author(store, "Ada").await;
    let again = store
        .create_user(NewUser {
            username: "ada".into(),
            display_name: "Other".into(),
            slug: "other".into(),
            email: "o@example.org".into(),
            role: Role::Editor,
            password_hash: Some("x".into()),
            created_at: NOW,
        })
        .await;
    assert!(matches!(again, Err(StoreError::Conflict(_))), "{again:?}");
}

/// An article comes back as written, terms in order, shared terms reused.
pub async fn articles_round_trip_with_their_terms(store: &dyn Store) {
    let ada = author(store, "Ada").await;
    let mut new = new_article(&ada, "first", NOW - 10);
    new.categories = vec![Term::from_name("World News"), Term::from_name("Science")];
    new.tags = vec![Term::from_name("space")];
    let created = store.create_article(new).await.expect("create");
    assert_eq!(created.slug, "first");
    assert_eq!(created.author.name, "Ada");
    assert_eq!(created.comment_count, 0);
    let names: Vec<&str> = created.categories.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["World News", "Science"]);
    assert_eq!(created.tags, vec![Term::from_name("space")]);

    let mut second = new_article(&ada, "second", NOW - 5);
    second.categories = vec![Term::from_name("Science")];
    store.create_article(second).await.expect("create second");

    let read = store.article_by_slug("first").await.expect("by slug");
    assert_eq!(read, created);
    assert_eq!(
        store.article_by_id(created.id).await.expect("by id"),
        created
    );
    let science = store
        .term(TermKind::Category, "science")
        .await
        .expect("term");
    assert_eq!(science.name, "Science");
    assert_eq!(store.count_articles().await.expect("count"), 2);
}

/// A second article with the same slug is refused and nothing of it is stored.
pub async fn a_taken_article_slug_is_a_conflict(store: &dyn Store) {
    let ada = author(store, "Ada").await;
    article(store, &ada, "same").await;
    let mut again = new_article(&ada, "same", NOW);
    again.tags = vec![Term::from_name("orphan")];
    let result = store.create_article(again).await;
    assert!(matches!(result, Err(StoreError::Conflict(_))), "{result:?}");
    assert_eq!(store.count_articles().await.expect("count"), 1);
    assert!(matches!(
        store.term(TermKind::Tag, "orphan").await,
        Err(StoreError::NotFound(_))
    ));
}

/// Unknown ids and slugs are `NotFound`, never a default value.
pub async fn missing_things_are_not_found(store: &dyn Store) {
    assert!(matches!(
        store.article_by_slug("nope").await,
        Err(StoreError::NotFound(_))
    ));
    assert!(matches!(
        store.article_by_id(ArticleId(999)).await,
        Err(StoreError::NotFound(_))
    ));
    assert!(matches!(
        store.user_by_username("nope").await,
        Err(StoreError::NotFound(_))
    ));
    assert!(matches!(
        store.staff_comment(CommentId(999)).await,
        Err(StoreError::NotFound(_))
    ));
    assert!(matches!(
        store
            .set_comment_status(CommentId(999), to(CommentStatus::Approved))
            .await,
        Err(StoreError::NotFound(_))
    ));
    let orphan = new_comment(
        ArticleId(999),
        None,
        "a@example.org",
        CommentStatus::Approved,
    );
    assert!(matches!(
        store.insert_comment(orphan).await,
        Err(StoreError::NotFound(_))
    ));
}

/// Drafts, trashed and future articles stay out of lists; the newest comes first.
pub async fn lists_show_only_public_articles_newest_first(store: &dyn Store) {
    let ada = author(store, "Ada").await;
    store
        .create_article(new_article(&ada, "old", NOW - 300))
        .await
        .expect("old");
    store
        .create_article(new_article(&ada, "new", NOW - 100))
        .await
        .expect("new");
    store
        .create_article(new_article(&ada, "future", NOW + 100))
        .await
        .expect("future");
    let mut draft = new_article(&ada, "draft", NOW - 50);
    draft.status = ArticleStatus::Draft;
    store.create_article(draft).await.expect("draft");
    let mut trash = new_article(&ada, "trash", NOW - 50);
    trash.status = ArticleStatus::Trash;
    store.create_article(trash).await.expect("trash");

    let page = store
        .published_articles(&ArticleFilter::All, PageRequest::new(1, 10), NOW)
        .await
        .expect("list");
    let slugs: Vec<&str> = page.items.iter().map(|a| a.slug.as_str()).collect();
    assert_eq!(slugs, ["new", "old"]);
    assert_eq!(page.total, 2);
}

/// Category, tag and author filters, and pages with totals.
pub async fn lists_filter_by_term_and_author_and_page(store: &dyn Store) {
    let ada = author(store, "Ada").await;
    let bob = author(store, "Bob").await;
    for i in 0..5 {
        let mut a = new_article(
            if i % 2 == 0 { &ada } else { &bob },
            &format!("a{i}"),
            NOW - 100 + i,
        );
        if i < 3 {
            a.categories = vec![Term::from_name("Politics")];
        }
        a.tags = vec![Term::from_name(if i == 4 { "rare" } else { "common" })];
        store.create_article(a).await.expect("create");
    }
    let list = |filter: ArticleFilter, page: u32, per: u32| async move {
        let page = store
            .published_articles(&filter, PageRequest::new(page, per), NOW)
            .await
            .expect("list");
        let slugs: Vec<String> = page.items.iter().map(|a| a.slug.clone()).collect();
        (slugs, page.total)
    };
    let politics = ArticleFilter::Term(TermKind::Category, "politics".into());
    assert_eq!(
        list(politics, 1, 10).await,
        (vec!["a2".into(), "a1".into(), "a0".into()], 3)
    );
    let rare = ArticleFilter::Term(TermKind::Tag, "rare".into());
    assert_eq!(list(rare, 1, 10).await, (vec!["a4".into()], 1));
    let by_bob = ArticleFilter::Author(bob.id);
    assert_eq!(
        list(by_bob, 1, 10).await,
        (vec!["a3".into(), "a1".into()], 2)
    );
    assert_eq!(
        list(ArticleFilter::All, 2, 2).await,
        (vec!["a2".into(), "a1".into()], 5)
    );
    assert_eq!(list(ArticleFilter::All, 4, 2).await, (vec![], 5));
    let none = ArticleFilter::Term(TermKind::Tag, "politics".into());
    assert_eq!(list(none, 1, 10).await, (vec![], 0));
}

/// The navigation lists categories with something public in them.
pub async fn categories_in_use_leave_out_unused_and_unpublished(store: &dyn Store) {
    let ada = author(store, "Ada").await;
    let mut public = new_article(&ada, "p", NOW - 10);
    public.categories = vec![Term::from_name("Sport"), Term::from_name("Arts")];
    store.create_article(public).await.expect("public");
    let mut draft = new_article(&ada, "d", NOW - 10);
    draft.status = ArticleStatus::Draft;
    draft.categories = vec![Term::from_name("Secret")];
    store.create_article(draft).await.expect("draft");
    let names: Vec<String> = store
        .categories_in_use(NOW, 10)
        .await
        .expect("categories")
        .into_iter()
        .map(|t| t.name)
        .collect();
    assert_eq!(names, ["Arts", "Sport"]);
}

/// Paths and depths follow parents.
pub async fn comments_are_placed_in_threads(store: &dyn Store) {
    let ada = author(store, "Ada").await;
    let a = article(store, &ada, "a").await;
    let top = comment(store, a.id, None, CommentStatus::Approved).await;
    let reply = comment(store, a.id, Some(top.id), CommentStatus::Approved).await;
    assert_eq!(top.depth, 1);
    assert_eq!(top.path, format!("{:012}", top.id.0));
    assert_eq!(reply.depth, 2);
    assert_eq!(reply.parent_id, Some(top.id));
    assert_eq!(reply.path, format!("{:012}.{:012}", top.id.0, reply.id.0));
    assert_eq!(reply.status, CommentStatus::Approved);
}

/// The store applies the depth limit given with each comment.
pub async fn replies_beyond_the_depth_limit_attach_at_the_deepest_level(store: &dyn Store) {
    let ada = author(store, "Ada").await;
    let a = article(store, &ada, "a").await;
    let mut parent: Option<Comment> = None;
    let mut chain = Vec::new();
    for _ in 0..4 {
        let mut new = new_comment(
            a.id,
            parent.as_ref().map(|p| p.id),
            "r@example.org",
            CommentStatus::Approved,
        );
        new.max_depth = 2;
        let c = store.insert_comment(new).await.expect("insert");
        chain.push(c.clone());
        parent = Some(c);
    }
    let depths: Vec<u32> = chain.iter().map(|c| c.depth).collect();
    assert_eq!(depths, [1, 2, 2, 2]);
    assert!(chain[1..].iter().all(|c| c.parent_id == Some(chain[0].id)));
}

/// A reply must answer an approved comment under the same article; nothing is stored otherwise.
pub async fn a_reply_needs_an_approved_parent_under_the_same_article(store: &dyn Store) {
    let ada = author(store, "Ada").await;
    let a = article(store, &ada, "a").await;
    let b = article(store, &ada, "b").await;
    let on_b = comment(store, b.id, None, CommentStatus::Approved).await;
    let held = comment(store, a.id, None, CommentStatus::Held).await;
    for parent in [on_b.id, held.id, CommentId(987_654)] {
        let result = store
            .insert_comment(new_comment(
                a.id,
                Some(parent),
                "x@example.org",
                CommentStatus::Approved,
            ))
            .await;
        assert!(
            matches!(result, Err(StoreError::NotFound("parent comment"))),
            "{result:?}"
        );
    }
    let a_after = store.article_by_id(a.id).await.expect("article");
    assert_eq!(a_after.comment_count, 0);
    let all = store
        .comments_by_ids(
            a.id,
            &[held.id, CommentId(held.id.0 + 1), CommentId(held.id.0 + 2)],
        )
        .await
        .expect("ids");
    assert_eq!(all.len(), 1);
}

/// The article's count is the number of approved comments, whatever moves happen.
pub async fn approved_count_follows_every_status_change(store: &dyn Store) {
    let ada = author(store, "Ada").await;
    let a = article(store, &ada, "a").await;
    let count = || async {
        store
            .article_by_id(a.id)
            .await
            .expect("article")
            .comment_count
    };
    let held = comment(store, a.id, None, CommentStatus::Held).await;
    assert_eq!(count().await, 0);
    let approved = comment(store, a.id, None, CommentStatus::Approved).await;
    assert_eq!(count().await, 1);
    let moved = store
        .set_comment_status(held.id, to(CommentStatus::Approved))
        .await
        .expect("approve");
    assert_eq!(moved.comment.status, CommentStatus::Approved);
    assert_eq!(count().await, 2);
    store
        .set_comment_status(held.id, to(CommentStatus::Approved))
        .await
        .expect("again");
    assert_eq!(count().await, 2, "approving twice counts once");
    store
        .set_comment_status(approved.id, to(CommentStatus::Spam))
        .await
        .expect("spam");
    assert_eq!(count().await, 1);
    store
        .set_comment_status(approved.id, to(CommentStatus::Trash))
        .await
        .expect("trash");
    assert_eq!(count().await, 1);
    store
        .set_comment_status(held.id, to(CommentStatus::Held))
        .await
        .expect("unapprove");
    assert_eq!(count().await, 0);
}

/// Approved comments come sorted by path, paged, without held ones.
pub async fn approved_comments_come_in_thread_order_and_pages(store: &dyn Store) {
    let ada = author(store, "Ada").await;
    let a = article(store, &ada, "a").await;
    let first = comment(store, a.id, None, CommentStatus::Approved).await;
    let second = comment(store, a.id, None, CommentStatus::Approved).await;
    let reply = comment(store, a.id, Some(first.id), CommentStatus::Approved).await;
    comment(store, a.id, None, CommentStatus::Held).await;
    let ids = |comments: Vec<Comment>| comments.into_iter().map(|c| c.id).collect::<Vec<_>>();
    let all = store
        .approved_comments(a.id, PageRequest::new(1, 10))
        .await
        .expect("all");
    assert_eq!(ids(all), [first.id, reply.id, second.id]);
    let page2 = store
        .approved_comments(a.id, PageRequest::new(2, 2))
        .await
        .expect("page 2");
    assert_eq!(ids(page2), [second.id]);
}

/// Looking up ids never reaches into another article.
pub async fn comments_by_ids_stay_within_their_article(store: &dyn Store) {
    let ada = author(store, "Ada").await;
    let a = article(store, &ada, "a").await;
    let b = article(store, &ada, "b").await;
    let on_a = comment(store, a.id, None, CommentStatus::Held).await;
    let on_b = comment(store, b.id, None, CommentStatus::Held).await;
    let found = store
        .comments_by_ids(a.id, &[on_a.id, on_b.id])
        .await
        .expect("ids");
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].id, on_a.id);
    assert_eq!(found[0].status, CommentStatus::Held);
    assert!(
        store
            .comments_by_ids(a.id, &[])
            .await
            .expect("none")
            .is_empty()
    );
}

/// The position of a comment counts only approved ones before it.
pub async fn position_counts_approved_comments_before_a_path(store: &dyn Store) {
    let ada = author(store, "Ada").await;
    let a = article(store, &ada, "a").await;
    let first = comment(store, a.id, None, CommentStatus::Approved).await;
    comment(store, a.id, None, CommentStatus::Held).await;
    let third = comment(store, a.id, None, CommentStatus::Approved).await;
    let reply = comment(store, a.id, Some(first.id), CommentStatus::Approved).await;
    let before = |path: String| async move {
        store
            .approved_comments_before(a.id, &path)
            .await
            .expect("before")
    };
    assert_eq!(before(first.path.clone()).await, 0);
    assert_eq!(before(reply.path.clone()).await, 1);
    assert_eq!(before(third.path.clone()).await, 2);
}

/// Staff see the email, address and reason; queues list by status, newest first.
pub async fn staff_comments_carry_email_and_list_by_status(store: &dyn Store) {
    let ada = author(store, "Ada").await;
    let a = article(store, &ada, "a").await;
    let mut new = new_comment(a.id, None, "first@example.org", CommentStatus::Held);
    new.held_reason = Some("First comment from this email address".into());
    new.user_agent = Some("Test/1.0".into());
    let held = store.insert_comment(new).await.expect("held");
    let mut later = new_comment(a.id, None, "second@example.org", CommentStatus::Held);
    later.created_at = NOW + 5;
    let later = store.insert_comment(later).await.expect("later");
    comment(store, a.id, None, CommentStatus::Approved).await;

    let staff = store.staff_comment(held.id).await.expect("staff");
    assert_eq!(staff.author_email, "first@example.org");
    assert_eq!(staff.ip.as_deref(), Some("192.0.2.1"));
    assert_eq!(staff.user_agent.as_deref(), Some("Test/1.0"));
    assert_eq!(
        staff.held_reason.as_deref(),
        Some("First comment from this email address")
    );
    assert_eq!(staff.article_slug, "a");
    assert_eq!(staff.body_markdown, "hello");

    let queue = store
        .staff_comments(&held_only(), PageRequest::new(1, 10))
        .await
        .expect("queue");
    let ids: Vec<CommentId> = queue.items.iter().map(|c| c.comment.id).collect();
    assert_eq!(ids, [later.id, held.id]);
    assert_eq!(queue.total, 2);
}

/// Having an approved comment is tracked by exact (normalised) email.
pub async fn approval_history_is_per_email(store: &dyn Store) {
    let ada = author(store, "Ada").await;
    let a = article(store, &ada, "a").await;
    assert!(!has_approved(store, a.id, "r@example.org").await);
    store
        .insert_comment(new_comment(
            a.id,
            None,
            "r@example.org",
            CommentStatus::Held,
        ))
        .await
        .expect("held");
    assert!(!has_approved(store, a.id, "r@example.org").await);
    store
        .insert_comment(new_comment(
            a.id,
            None,
            "r@example.org",
            CommentStatus::Approved,
        ))
        .await
        .expect("approved");
    assert!(has_approved(store, a.id, "r@example.org").await);
    assert!(!has_approved(store, a.id, "other@example.org").await);
}

/// Counts come for the published articles asked for, and no others.
pub async fn comment_counts_cover_only_published_articles_asked_for(store: &dyn Store) {
    let ada = author(store, "Ada").await;
    let a = article(store, &ada, "a").await;
    let b = article(store, &ada, "b").await;
    let mut d = new_article(&ada, "d", NOW - 10);
    d.status = ArticleStatus::Draft;
    let d = store.create_article(d).await.expect("draft");
    comment(store, a.id, None, CommentStatus::Approved).await;
    comment(store, a.id, None, CommentStatus::Approved).await;
    comment(store, a.id, None, CommentStatus::Held).await;
    let mut counts = store
        .comment_counts(&[a.id, b.id, d.id, ArticleId(12_345)], NOW)
        .await
        .expect("counts");
    counts.sort();
    assert_eq!(counts, vec![(a.id, 2), (b.id, 0)]);
    assert!(
        store
            .comment_counts(&[], NOW)
            .await
            .expect("empty")
            .is_empty()
    );
}

/// A plain status change: no audit line, no training.
pub fn to(status: CommentStatus) -> StatusChange {
    StatusChange {
        status,
        audit: None,
        training: None,
    }
}

fn held_only() -> CommentFilter {
    CommentFilter {
        status: Some(CommentStatus::Held),
        ..Default::default()
    }
}

fn audit(action: &str, actor: &User) -> NewAudit {
    NewAudit {
        at: NOW,
        actor: Some(actor.id),
        actor_name: actor.display_name.clone(),
        action: action.into(),
        comment_id: None,
        article_id: None,
        detail: String::new(),
    }
}

/// `put_setting` overwrites.
pub async fn put_setting_replaces_the_value(store: &dyn Store) {
    store.put_setting("site.title", "One").await.expect("put");
    store
        .put_setting("site.title", "Two")
        .await
        .expect("put again");
    assert_eq!(
        store.setting("site.title").await.ok().as_deref(),
        Some("Two")
    );
}

fn session_for(user: &User, hash: &str, expires_at: i64) -> NewSession {
    NewSession {
        token_hash: hash.into(),
        user_id: user.id,
        csrf_token: format!("csrf-{hash}"),
        created_at: NOW,
        expires_at,
    }
}

/// A session is found by its token hash until it expires or is deleted.
pub async fn sessions_are_found_until_they_expire_or_end(store: &dyn Store) {
    let ada = author(store, "Ada").await;
    store
        .create_session(session_for(&ada, "live", NOW + 100))
        .await
        .expect("session");
    store
        .create_session(session_for(&ada, "old", NOW - 1))
        .await
        .expect("expired session");
    let live = store.session("live", NOW).await.expect("live");
    assert_eq!(live.user, ada);
    assert_eq!(live.csrf_token, "csrf-live");
    assert!(matches!(
        store.session("old", NOW).await,
        Err(StoreError::NotFound(_))
    ));
    assert!(matches!(
        store.session("nope", NOW).await,
        Err(StoreError::NotFound(_))
    ));
    store.delete_session("live").await.expect("logout");
    assert!(matches!(
        store.session("live", NOW).await,
        Err(StoreError::NotFound(_))
    ));
    store
        .delete_session("live")
        .await
        .expect("logging out twice is fine");
}

fn admin_user(name: &str) -> NewUser {
    NewUser {
        username: name.into(),
        display_name: name.into(),
        slug: name.into(),
        email: format!("{name}@newsroom.example"),
        role: Role::Admin,
        password_hash: Some("hash".into()),
        created_at: NOW,
    }
}

/// The setup page's account is created once; an account without a password does not count.
pub async fn only_one_first_admin_can_be_created(store: &dyn Store) {
    author(store, "Seeded").await;
    let first = store
        .create_first_admin(admin_user("root"))
        .await
        .expect("first");
    assert_eq!(first.role, Role::Admin);
    let second = store.create_first_admin(admin_user("intruder")).await;
    assert!(matches!(second, Err(StoreError::Conflict(_))), "{second:?}");
    assert!(matches!(
        store.user_by_username("intruder").await,
        Err(StoreError::NotFound(_))
    ));
    assert_eq!(store.users().await.expect("users").len(), 2);
    assert_eq!(store.user_by_id(first.id).await.expect("by id"), first);
}

/// Changing a password logs the account out everywhere.
pub async fn a_new_password_ends_every_session(store: &dyn Store) {
    let ada = author(store, "Ada").await;
    store
        .create_session(session_for(&ada, "a", NOW + 100))
        .await
        .expect("a");
    store
        .create_session(session_for(&ada, "b", NOW + 100))
        .await
        .expect("b");
    store.set_password(ada.id, "new-hash").await.expect("set");
    assert!(store.session("a", NOW).await.is_err() && store.session("b", NOW).await.is_err());
    let user = store.user_by_id(ada.id).await.expect("user");
    assert_eq!(user.password_hash.as_deref(), Some("new-hash"));
    assert!(matches!(
        store.set_password(UserId(9999), "x").await,
        Err(StoreError::NotFound(_))
    ));
}

/// A reset link sets the password once, before it expires, and logs the account out.
pub async fn a_password_reset_works_once_and_expires(store: &dyn Store) {
    let ada = author(store, "Ada").await;
    store
        .create_session(session_for(&ada, "s", NOW + 100))
        .await
        .expect("session");
    store
        .create_password_reset("reset", ada.id, NOW + 60)
        .await
        .expect("reset");
    store
        .create_password_reset("stale", ada.id, NOW - 1)
        .await
        .expect("stale");
    let user = store
        .reset_password("reset", NOW, "fresh")
        .await
        .expect("use");
    assert_eq!(user.password_hash.as_deref(), Some("fresh"));
    assert!(store.session("s", NOW).await.is_err());
    assert!(matches!(
        store.reset_password("reset", NOW, "again").await,
        Err(StoreError::NotFound(_))
    ));
    assert!(matches!(
        store.reset_password("stale", NOW, "late").await,
        Err(StoreError::NotFound(_))
    ));
    assert_eq!(
        store
            .user_by_id(ada.id)
            .await
            .expect("user")
            .password_hash
            .as_deref(),
        Some("fresh")
    );
}

fn throttle(bucket: &str, free: i64) -> Throttle {
    Throttle {
        bucket: bucket.to_owned(),
        window: 900,
        free,
        first_delay: 30,
        max_delay: 900,
    }
}

fn counted(attempt: Attempt) -> Vec<i64> {
    match attempt {
        Attempt::Counted(ids) => ids,
        Attempt::Wait(until) => panic!("told to wait until {until}"),
    }
}

/// Attempts are counted per bucket within the window: the free ones go through, then the caller
/// is told when to come back and nothing more is counted; a forgotten attempt does not count;
/// clearing a bucket forgets its failures and no other bucket's.
pub async fn login_failures_are_counted_per_bucket(store: &dyn Store) {
    let pair = throttle("pair:ada|192.0.2.1", 2);
    let address = throttle("ip:192.0.2.1", 3);
    // An old failure, outside the window, does not count.
    counted(
        store
            .begin_attempt(&[pair.clone(), address.clone()], NOW - 1000)
            .await
            .expect("old"),
    );
    let first = counted(
        store
            .begin_attempt(&[pair.clone(), address.clone()], NOW)
            .await
            .expect("first"),
    );
    assert_eq!(first.len(), 2);
    // A successful attempt is taken back.
    store.forget_attempt(&first).await.expect("forget");
    counted(
        store
            .begin_attempt(&[pair.clone(), address.clone()], NOW)
            .await
            .expect("second"),
    );
    counted(
        store
            .begin_attempt(&[pair.clone(), address.clone()], NOW)
            .await
            .expect("third"),
    );
    // The pair bucket has its two failures: the next attempt waits 30 s after the last.
    assert_eq!(
        store
            .begin_attempt(&[pair.clone(), address.clone()], NOW + 1)
            .await
            .expect("throttled"),
        Attempt::Wait(NOW + 30)
    );
    // Refused attempts are not counted: the address bucket still has room for one.
    counted(
        store
            .begin_attempt(std::slice::from_ref(&address), NOW + 2)
            .await
            .expect("address"),
    );
    assert!(matches!(
        store
            .begin_attempt(std::slice::from_ref(&address), NOW + 3)
            .await
            .expect("address full"),
        Attempt::Wait(_)
    ));
    store
        .clear_login_failures(&pair.bucket)
        .await
        .expect("clear");
    counted(
        store
            .begin_attempt(std::slice::from_ref(&pair), NOW + 4)
            .await
            .expect("pair cleared"),
    );
    assert!(matches!(
        store
            .begin_attempt(std::slice::from_ref(&address), NOW + 5)
            .await
            .expect("address kept"),
        Attempt::Wait(_)
    ));
}

/// A burst of concurrent attempts on one bucket lets exactly the free ones through.
pub async fn concurrent_attempts_get_only_the_free_ones(store: &dyn Store) {
    let pair = throttle("pair:burst|192.0.2.9", 5);
    let attempts = (0..30).map(|_| store.begin_attempt(std::slice::from_ref(&pair), NOW));
    let results = futures_util::future::join_all(attempts).await;
    let through = results
        .into_iter()
        .filter(|r| matches!(r, Ok(Attempt::Counted(_))))
        .count();
    assert_eq!(through, 5);
}

/// A reset token's account is found while the token is unused and unexpired.
pub async fn a_reset_token_names_its_account_until_used(store: &dyn Store) {
    let ada = author(store, "Ada").await;
    store
        .create_password_reset("token", ada.id, NOW + 100)
        .await
        .expect("reset");
    assert_eq!(
        store
            .password_reset_user("token", NOW)
            .await
            .expect("found"),
        ada.id
    );
    assert!(matches!(
        store.password_reset_user("token", NOW + 100).await,
        Err(StoreError::NotFound(_))
    ));
    assert!(matches!(
        store.password_reset_user("other", NOW).await,
        Err(StoreError::NotFound(_))
    ));
    store
        .reset_password("token", NOW, "new hash")
        .await
        .expect("used");
    assert!(matches!(
        store.password_reset_user("token", NOW).await,
        Err(StoreError::NotFound(_))
    ));
}

fn update_of(article: &Article, slug: &str) -> ArticleUpdate {
    ArticleUpdate {
        expected_version: article.version,
        slug: slug.into(),
        title: format!("{} (edited)", article.title),
        body_markdown: "new".into(),
        body_format: gazette_domain::BodyFormat::Html,
        body_html: "<p>new</p>".into(),
        body_text: "new".into(),
        excerpt: "new".into(),
        author_id: article.author.id,
        status: article.status,
        comments_open: false,
        published_at: article.published_at,
        updated_at: NOW + 500,
        updated_by: article.author.id,
        categories: vec![Term::from_name("Replaced")],
        tags: vec![],
        featured_media_id: article.featured_image.as_ref().map(|m| m.id),
        coauthor_ids: article.authors.iter().skip(1).map(|a| a.id).collect(),
    }
}

/// Saving needs the version the editor started from; an old slug keeps pointing at the article.
pub async fn article_updates_check_the_version_and_keep_old_slugs_redirecting(store: &dyn Store) {
    let ada = author(store, "Ada").await;
    let mut new = new_article(&ada, "first-slug", NOW - 10);
    new.tags = vec![Term::from_name("old tag")];
    let original = store.create_article(new).await.expect("create");
    assert_eq!(original.version, 1);
    let edited = store
        .update_article(original.id, update_of(&original, "second-slug"))
        .await
        .expect("edit");
    assert_eq!(edited.version, 2);
    assert_eq!(edited.slug, "second-slug");
    assert_eq!(edited.title, "Title of first-slug (edited)");
    assert!(!edited.comments_open);
    assert_eq!(edited.updated_at, NOW + 500);
    assert_eq!(edited.categories, vec![Term::from_name("Replaced")]);
    assert!(edited.tags.is_empty());
    assert_eq!(
        store.slug_redirect("first-slug").await.expect("redirect"),
        "second-slug"
    );

    // A second editor who loaded version 1 is refused, and nothing changes.
    let stale = store
        .update_article(original.id, update_of(&original, "third-slug"))
        .await;
    assert!(
        matches!(stale, Err(StoreError::Conflict("article version"))),
        "{stale:?}"
    );
    assert_eq!(
        store.article_by_id(original.id).await.expect("read").slug,
        "second-slug"
    );

    // Changing again keeps both old slugs pointing at the current one.
    store
        .update_article(original.id, update_of(&edited, "third-slug"))
        .await
        .expect("again");
    assert_eq!(
        store.slug_redirect("first-slug").await.expect("1"),
        "third-slug"
    );
    assert_eq!(
        store.slug_redirect("second-slug").await.expect("2"),
        "third-slug"
    );
    assert!(matches!(
        store.slug_redirect("never").await,
        Err(StoreError::NotFound(_))
    ));

    let other = article(store, &ada, "taken").await;
    let clash = store
        .update_article(other.id, update_of(&other, "third-slug"))
        .await;
    assert!(
        matches!(clash, Err(StoreError::Conflict("article slug"))),
        "{clash:?}"
    );
    let missing = store
        .update_article(ArticleId(9999), update_of(&other, "x"))
        .await;
    assert!(matches!(missing, Err(StoreError::NotFound(_))));
}

/// The newsroom list filters by status, author, category and title, and leaves trash out by default.
pub async fn the_newsroom_list_filters_and_searches_titles(store: &dyn Store) {
    let ada = author(store, "Ada").await;
    let bob = author(store, "Bob").await;
    let mut a = new_article(&ada, "budget", NOW - 10);
    a.title = "City budget: 100% approved".into();
    a.categories = vec![Term::from_name("Politics")];
    store.create_article(a).await.expect("a");
    let mut d = new_article(&bob, "draft", NOW - 10);
    d.status = ArticleStatus::Draft;
    d.title = "Budget draft".into();
    store.create_article(d).await.expect("d");
    let mut t = new_article(&bob, "trash", NOW - 10);
    t.status = ArticleStatus::Trash;
    store.create_article(t).await.expect("t");
    let slugs = |query: ArticleQuery| async move {
        let page = store
            .admin_articles(&query, PageRequest::new(1, 20))
            .await
            .expect("list");
        let mut slugs: Vec<String> = page.items.into_iter().map(|a| a.slug).collect();
        slugs.sort();
        slugs
    };
    assert_eq!(slugs(ArticleQuery::default()).await, ["budget", "draft"]);
    let trash = ArticleQuery {
        status: Some(ArticleStatus::Trash),
        ..Default::default()
    };
    assert_eq!(slugs(trash).await, ["trash"]);
    let by_bob = ArticleQuery {
        author: Some(bob.id),
        ..Default::default()
    };
    assert_eq!(slugs(by_bob).await, ["draft"]);
    let politics = ArticleQuery {
        category: Some("politics".into()),
        ..Default::default()
    };
    assert_eq!(slugs(politics).await, ["budget"]);
    let search = ArticleQuery {
        title: Some("BUDGET".into()),
        ..Default::default()
    };
    assert_eq!(slugs(search).await, ["budget", "draft"]);
    let percent = ArticleQuery {
        title: Some("100%".into()),
        ..Default::default()
    };
    assert_eq!(slugs(percent).await, ["budget"]);
    let literal = ArticleQuery {
        title: Some("%".into()),
        ..Default::default()
    };
    assert_eq!(slugs(literal).await, ["budget"], "% is matched literally");
}

/// One status change writes its audit line with before/after, and trains (and retrains) once.
pub async fn status_changes_write_the_audit_log_and_train_the_classifier(store: &dyn Store) {
    let ada = author(store, "Ada").await;
    let a = article(store, &ada, "a").await;
    let c = comment(store, a.id, None, CommentStatus::Held).await;
    let tokens = vec!["cheap".to_owned(), "pills".to_owned()];
    let spam = StatusChange {
        status: CommentStatus::Spam,
        audit: Some(NewAudit {
            comment_id: Some(c.id),
            article_id: Some(a.id),
            ..audit("comment.spam", &ada)
        }),
        training: Some((Training::Spam, tokens.clone())),
    };
    store
        .set_comment_status(c.id, spam.clone())
        .await
        .expect("spam");
    store
        .set_comment_status(c.id, spam)
        .await
        .expect("spam again");
    let counts = |tokens: Vec<String>| async move {
        let mut counts = store.classifier_counts(&tokens).await.expect("counts");
        counts.sort_by(|x, y| x.0.cmp(&y.0));
        counts
    };
    let after_spam = counts(vec!["cheap".into(), "unknown".into()]).await;
    assert_eq!(
        after_spam,
        vec![
            (DOCUMENTS.to_owned(), TokenCounts { spam: 1, ham: 0 }),
            ("cheap".to_owned(), TokenCounts { spam: 1, ham: 0 }),
        ],
        "marking spam twice trains once"
    );
    let not_spam = StatusChange {
        status: CommentStatus::Approved,
        audit: Some(audit("comment.not_spam", &ada)),
        training: Some((Training::Ham, tokens.clone())),
    };
    store
        .set_comment_status(c.id, not_spam)
        .await
        .expect("not spam");
    let after_ham = counts(vec!["pills".into()]).await;
    assert_eq!(
        after_ham,
        vec![
            (DOCUMENTS.to_owned(), TokenCounts { spam: 0, ham: 1 }),
            ("pills".to_owned(), TokenCounts { spam: 0, ham: 1 }),
        ],
        "changing one's mind moves the counts"
    );
    let log = store.audit_log(PageRequest::new(1, 10)).await.expect("log");
    assert_eq!(log.total, 3);
    let newest = &log.items[0];
    assert_eq!(newest.action, "comment.not_spam");
    assert_eq!(newest.actor_name, "Ada");
    assert_eq!(
        (
            newest.before_status.as_deref(),
            newest.after_status.as_deref()
        ),
        (Some("spam"), Some("approved"))
    );
    let first = &log.items[2];
    assert_eq!(
        (
            first.before_status.as_deref(),
            first.after_status.as_deref()
        ),
        (Some("held"), Some("spam"))
    );
    assert_eq!(first.comment_id, Some(c.id.0));
    assert_eq!(store.article_by_id(a.id).await.expect("a").comment_count, 1);
}

/// Moderation lists filter by article, email and article author, and count each status.
pub async fn moderation_lists_filter_and_count_by_status(store: &dyn Store) {
    let ada = author(store, "Ada").await;
    let bob = author(store, "Bob").await;
    let a = article(store, &ada, "a").await;
    let b = article(store, &bob, "b").await;
    store
        .insert_comment(new_comment(
            a.id,
            None,
            "x@example.org",
            CommentStatus::Held,
        ))
        .await
        .expect("1");
    store
        .insert_comment(new_comment(
            a.id,
            None,
            "y@example.org",
            CommentStatus::Approved,
        ))
        .await
        .expect("2");
    store
        .insert_comment(new_comment(
            b.id,
            None,
            "x@example.org",
            CommentStatus::Spam,
        ))
        .await
        .expect("3");
    let total = |filter: CommentFilter| async move {
        store
            .staff_comments(&filter, PageRequest::new(1, 10))
            .await
            .expect("list")
            .total
    };
    assert_eq!(total(CommentFilter::default()).await, 3);
    assert_eq!(
        total(CommentFilter {
            article: Some(a.id),
            ..Default::default()
        })
        .await,
        2
    );
    assert_eq!(
        total(CommentFilter {
            email: Some("x@example.org".into()),
            ..Default::default()
        })
        .await,
        2
    );
    assert_eq!(
        total(CommentFilter {
            article_author: Some(bob.id),
            ..Default::default()
        })
        .await,
        1
    );
    let mut counts = store
        .comment_status_counts(&CommentFilter {
            status: Some(CommentStatus::Held),
            ..Default::default()
        })
        .await
        .expect("counts");
    counts.sort_by_key(|(s, _)| s.as_str());
    assert_eq!(
        counts,
        vec![
            (CommentStatus::Approved, 1),
            (CommentStatus::Held, 1),
            (CommentStatus::Spam, 1)
        ]
    );
}

/// Staff edits replace the text; a permanent delete keeps the replies and the count right.
pub async fn staff_edit_and_permanent_delete(store: &dyn Store) {
    let ada = author(store, "Ada").await;
    let a = article(store, &ada, "a").await;
    let parent = comment(store, a.id, None, CommentStatus::Approved).await;
    let reply = comment(store, a.id, Some(parent.id), CommentStatus::Approved).await;
    let edited = store
        .edit_comment(
            parent.id,
            CommentEdit {
                author_name: "Renamed".into(),
                author_url: Some("https://r.example".into()),
                body_markdown: "fixed".into(),
                body_html: "<p>fixed</p>".into(),
            },
            audit("comment.edit", &ada),
        )
        .await
        .expect("edit");
    assert_eq!(edited.comment.author_name, "Renamed");
    assert_eq!(edited.comment.body_html, "<p>fixed</p>");
    assert_eq!(edited.body_markdown, "fixed");
    store
        .delete_comment(parent.id, audit("comment.delete", &ada))
        .await
        .expect("delete");
    assert!(matches!(
        store.staff_comment(parent.id).await,
        Err(StoreError::NotFound(_))
    ));
    let orphan = store.staff_comment(reply.id).await.expect("reply stays");
    assert_eq!(orphan.comment.parent_id, None);
    assert_eq!(store.article_by_id(a.id).await.expect("a").comment_count, 1);
    let missing = store
        .delete_comment(parent.id, audit("comment.delete", &ada))
        .await;
    assert!(matches!(missing, Err(StoreError::NotFound(_))));
    let log = store.audit_log(PageRequest::new(1, 10)).await.expect("log");
    assert_eq!(log.items[0].before_status.as_deref(), Some("approved"));
}

/// Recent comments are counted by address and network; duplicates are exact.
pub async fn rate_and_duplicate_signals_count_recent_comments(store: &dyn Store) {
    let ada = author(store, "Ada").await;
    let a = article(store, &ada, "a").await;
    let mut old = new_comment(a.id, None, "r@example.org", CommentStatus::Held);
    old.created_at = NOW - 1000;
    store.insert_comment(old).await.expect("old");
    store
        .insert_comment(new_comment(
            a.id,
            None,
            "r@example.org",
            CommentStatus::Spam,
        ))
        .await
        .expect("new");
    let mut neighbour = new_comment(a.id, None, "n@example.org", CommentStatus::Held);
    neighbour.ip = Some("192.0.2.77".into());
    store.insert_comment(neighbour).await.expect("neighbour");
    assert_eq!(
        store
            .recent_comments_from("192.0.2.1", "192.0.2.0/24", NOW - 60, 100)
            .await
            .expect("recent"),
        (1, 2)
    );
    assert_eq!(
        store
            .recent_comments_from("192.0.2.1", "192.0.2.0/24", NOW - 2000, 1)
            .await
            .expect("capped"),
        (1, 1)
    );
    assert!(duplicate(store, a.id, "r@example.org", "hello").await);
    assert!(!duplicate(store, a.id, "r@example.org", "hello!").await);
    assert!(!duplicate(store, a.id, "other@example.org", "hello").await);
}

/// A ban matches its email or address; hiding history trashes approved and held comments only.
pub async fn bans_match_and_can_hide_history(store: &dyn Store) {
    let ada = author(store, "Ada").await;
    let a = article(store, &ada, "a").await;
    let approved = store
        .insert_comment(new_comment(
            a.id,
            None,
            "troll@example.org",
            CommentStatus::Approved,
        ))
        .await
        .expect("1");
    let spam = store
        .insert_comment(new_comment(
            a.id,
            None,
            "troll@example.org",
            CommentStatus::Spam,
        ))
        .await
        .expect("2");
    store
        .insert_comment(new_comment(
            a.id,
            None,
            "fine@example.org",
            CommentStatus::Approved,
        ))
        .await
        .expect("3");
    let ban = store
        .create_ban(NewBan {
            kind: BanKind::Email,
            value: "troll@example.org".into(),
            reason: "abuse".into(),
            hide_history: true,
            created_at: NOW,
            created_by: ada.clone(),
        })
        .await
        .expect("ban");
    assert_eq!(ban.created_by, "Ada");
    assert_eq!(
        store
            .staff_comment(approved.id)
            .await
            .expect("c")
            .comment
            .status,
        CommentStatus::Trash
    );
    assert_eq!(
        store
            .staff_comment(spam.id)
            .await
            .expect("c")
            .comment
            .status,
        CommentStatus::Spam
    );
    assert_eq!(store.article_by_id(a.id).await.expect("a").comment_count, 1);
    assert!(banned(store, a.id, "troll@example.org", "203.0.113.9").await);
    assert!(
        !banned(store, a.id, "someone@example.org", "203.0.113.9").await,
        "an email ban does not catch others at the same address"
    );
    assert!(!banned(store, a.id, "fine@example.org", "192.0.2.1").await);
    let again = store
        .create_ban(NewBan {
            kind: BanKind::Email,
            value: "troll@example.org".into(),
            reason: "twice".into(),
            hide_history: false,
            created_at: NOW,
            created_by: ada.clone(),
        })
        .await;
    assert!(matches!(again, Err(StoreError::Conflict(_))));
    let by_ip = store
        .create_ban(NewBan {
            kind: BanKind::Ip,
            value: "192.0.2.1".into(),
            reason: "flood".into(),
            hide_history: false,
            created_at: NOW,
            created_by: ada.clone(),
        })
        .await
        .expect("ip ban");
    assert!(banned(store, a.id, "fine@example.org", "192.0.2.1").await);
    assert_eq!(store.bans().await.expect("bans").len(), 2);
    store
        .delete_ban(by_ip.id, audit("ban.delete", &ada))
        .await
        .expect("lift");
    assert!(!banned(store, a.id, "fine@example.org", "192.0.2.1").await);
    assert!(matches!(
        store.delete_ban(by_ip.id, audit("ban.delete", &ada)).await,
        Err(StoreError::NotFound(_))
    ));
    let log = store.audit_log(PageRequest::new(1, 10)).await.expect("log");
    assert!(
        log.items
            .iter()
            .any(|e| e.action == "ban.create" && e.detail.contains("1 comments hidden"))
    );
}

/// The earliest future publication, ignoring drafts, trash and what is already public.
pub async fn the_next_scheduled_publication_is_found(store: &dyn Store) {
    let ada = author(store, "Ada").await;
    assert_eq!(store.next_publication_after(NOW).await.expect("none"), None);
    store
        .create_article(new_article(&ada, "past", NOW - 10))
        .await
        .expect("past");
    store
        .create_article(new_article(&ada, "later", NOW + 500))
        .await
        .expect("later");
    store
        .create_article(new_article(&ada, "soon", NOW + 100))
        .await
        .expect("soon");
    let mut draft = new_article(&ada, "draft", NOW + 50);
    draft.status = ArticleStatus::Draft;
    store.create_article(draft).await.expect("draft");
    assert_eq!(
        store.next_publication_after(NOW).await.expect("next"),
        Some(NOW + 100)
    );
    assert_eq!(
        store.next_publication_after(NOW + 100).await.expect("next"),
        Some(NOW + 500)
    );
}

/// The change log gives what came after a point, in order, and forgets old rows.
pub async fn changes_are_read_in_order_after_an_id_and_pruned(store: &dyn Store) {
    assert_eq!(store.last_change_id().await.expect("empty"), 0);
    let first = store
        .record_change(Some(ArticleId(7)), NOW - 100)
        .await
        .expect("first");
    let second = store.record_change(None, NOW).await.expect("second");
    assert!(second > first);
    assert_eq!(store.last_change_id().await.expect("last"), second);
    assert_eq!(
        store.changes_after(0, 10).await.expect("all"),
        vec![(first, Some(ArticleId(7))), (second, None)]
    );
    assert_eq!(
        store.changes_after(first, 10).await.expect("after"),
        vec![(second, None)]
    );
    assert_eq!(store.changes_after(0, 1).await.expect("limited").len(), 1);
    // Change-log rows are kept a day: pruning at a day past NOW - 10 drops the first only.
    store.prune_expired(NOW - 10 + 86_400).await.expect("prune");
    assert_eq!(
        store.changes_after(0, 10).await.expect("pruned"),
        vec![(second, None)]
    );
}

/// Approvals are numbered in order, across articles: at insert when approved, when a comment
/// becomes approved (once: approving again keeps the number), anew when approved again later.
/// `approved_since` lists one article's approved comments after a number, in that order.
pub async fn approvals_are_numbered_in_order(store: &dyn Store) {
    let ada = author(store, "Ada").await;
    let a = article(store, &ada, "a").await;
    let b = article(store, &ada, "b").await;
    let seq = |c: &Comment| c.approved_seq.expect("an approval number");
    let first = comment(store, a.id, None, CommentStatus::Approved).await;
    let held = comment(store, a.id, None, CommentStatus::Held).await;
    assert_eq!(held.approved_seq, None);
    let reply = comment(store, a.id, Some(first.id), CommentStatus::Approved).await;
    let elsewhere = comment(store, b.id, None, CommentStatus::Approved).await;
    assert!(seq(&first) < seq(&reply) && seq(&reply) < seq(&elsewhere));
    let since = |after: i64, limit: i64| async move {
        store
            .approved_since(a.id, after, limit)
            .await
            .expect("since")
    };
    assert_eq!(
        since(0, 10).await,
        vec![(first.id, seq(&first)), (reply.id, seq(&reply))]
    );
    assert_eq!(since(0, 1).await, vec![(first.id, seq(&first))]);

    let approved = store
        .set_comment_status(held.id, to(CommentStatus::Approved))
        .await
        .expect("approve")
        .comment;
    assert!(
        seq(&approved) > seq(&elsewhere),
        "a late approval is numbered when it happens"
    );
    assert_eq!(
        since(seq(&reply), 10).await,
        vec![(held.id, seq(&approved))]
    );
    let again = store
        .set_comment_status(held.id, to(CommentStatus::Approved))
        .await
        .expect("approve again")
        .comment;
    assert_eq!(
        again.approved_seq, approved.approved_seq,
        "approving twice keeps the number"
    );

    store
        .set_comment_status(first.id, to(CommentStatus::Spam))
        .await
        .expect("spam");
    assert_eq!(
        since(0, 10).await,
        vec![(reply.id, seq(&reply)), (held.id, seq(&approved))]
    );
    let back = store
        .set_comment_status(first.id, to(CommentStatus::Approved))
        .await
        .expect("not spam after all")
        .comment;
    assert!(
        seq(&back) > seq(&approved),
        "approved again, numbered again"
    );
    assert!(
        store
            .approved_since(ArticleId(999_999), 0, 10)
            .await
            .expect("a missing article")
            .is_empty()
    );
}

/// A freshly migrated store answers and reports its schema current.
pub async fn a_migrated_store_is_ready(store: &dyn Store) {
    store.ready().await.expect("ready");
}

/// A keyed job is queued once; a claimed job is nobody else's until its lease ends; a finished
/// job is never claimed again; only due jobs count as pending.
pub async fn jobs_are_claimed_once_and_come_back_after_their_lease(store: &dyn Store) {
    let now = 1_000_000;
    assert!(
        store
            .enqueue_job("prune", Some("prune:1"), "", now, now)
            .await
            .expect("queue")
    );
    assert!(
        !store
            .enqueue_job("prune", Some("prune:1"), "", now, now)
            .await
            .expect("queue again"),
        "the same key makes one job"
    );
    assert!(
        store
            .enqueue_job("later", None, "x", now + 100, now)
            .await
            .expect("queue")
    );
    assert_eq!(store.pending_jobs(now).await.expect("pending"), 1);

    let job = store
        .claim_job(now, now + 300)
        .await
        .expect("claim")
        .expect("a due job");
    assert_eq!((job.kind.as_str(), job.attempts), ("prune", 1));
    assert_eq!(
        store.claim_job(now + 10, now + 310).await.expect("claim"),
        None,
        "leased"
    );
    // Its worker died: after the lease, another claims it.
    let again = store
        .claim_job(now + 301, now + 600)
        .await
        .expect("claim")
        .expect("back");
    assert_eq!((again.id, again.attempts), (job.id, 2));
    store.finish_job(job.id, now + 302).await.expect("finish");
    assert_eq!(
        store.claim_job(now + 99, now + 400).await.expect("claim"),
        None
    );
    assert!(
        !store
            .enqueue_job("prune", Some("prune:1"), "", now, now)
            .await
            .expect("queue"),
        "a finished job keeps its key"
    );
    let later = store
        .claim_job(now + 100, now + 400)
        .await
        .expect("claim")
        .expect("due now");
    assert_eq!(
        (later.kind.as_str(), later.payload.as_str()),
        ("later", "x")
    );
    assert_eq!(
        store.pending_jobs(now + 100).await.expect("pending"),
        1,
        "running counts"
    );
    store.finish_job(later.id, now + 101).await.expect("finish");
    assert_eq!(store.pending_jobs(now + 200).await.expect("pending"), 0);
    assert!(matches!(
        store.finish_job(999_999, now).await,
        Err(crate::StoreError::NotFound("job"))
    ));
}

/// A failed job is given back for a later time and keeps counting its attempts.
pub async fn a_failed_job_waits_for_its_retry_time(store: &dyn Store) {
    let now = 2_000_000;
    store
        .enqueue_job("flaky", None, "", now, now)
        .await
        .expect("queue");
    let job = store
        .claim_job(now, now + 300)
        .await
        .expect("claim")
        .expect("job");
    store
        .fail_job(job.id, "mail server away", now + 60)
        .await
        .expect("fail");
    assert_eq!(
        store.claim_job(now + 59, now + 359).await.expect("claim"),
        None
    );
    let retried = store
        .claim_job(now + 60, now + 360)
        .await
        .expect("claim")
        .expect("retry");
    assert_eq!((retried.id, retried.attempts), (job.id, 2));
}

/// Pruning removes expired sessions and old finished jobs, and keeps what is still live.
pub async fn pruning_deletes_only_what_expired(store: &dyn Store) {
    let ada = author(store, "Ada").await;
    let now = 3_000_000;
    for (hash, expires_at) in [("old", now - 1), ("live", now + 3600)] {
        store
            .create_session(gazette_domain::records::NewSession {
                token_hash: hash.into(),
                user_id: ada.id,
                csrf_token: "c".into(),
                created_at: now - 7200,
                expires_at,
            })
            .await
            .expect("session");
    }
    store
        .enqueue_job(
            "done-long-ago",
            Some("old"),
            "",
            now - 900_000,
            now - 900_000,
        )
        .await
        .expect("queue");
    let job = store
        .claim_job(now - 900_000, now)
        .await
        .expect("claim")
        .expect("job");
    store
        .finish_job(job.id, now - 800_000)
        .await
        .expect("finish");
    store
        .enqueue_job("waiting", Some("new"), "", now + 10, now)
        .await
        .expect("queue");
    let deleted = store.prune_expired(now).await.expect("prune");
    assert_eq!(deleted, 2, "one session, one finished job");
    assert!(store.session("live", now).await.is_ok());
    assert!(
        store
            .enqueue_job("again", Some("old"), "", now, now)
            .await
            .expect("queue"),
        "key freed"
    );
    assert!(
        !store
            .enqueue_job("again", Some("new"), "", now, now)
            .await
            .expect("queue")
    );
}

/// The one-statement signals: a duplicate is per article, approval history is per email and
/// anywhere, a ban matches by email or address.
pub async fn commenter_signals_report_ban_duplicate_and_history(store: &dyn Store) {
    let ada = author(store, "Ada").await;
    let a = article(store, &ada, "a").await;
    let b = article(store, &ada, "b").await;
    let email = "reader@example.org";
    let none = store
        .commenter_signals(a.id, email, "Reader", "Hello", Some("192.0.2.1"))
        .await
        .expect("signals");
    assert_eq!(none, crate::CommenterSignals::default());
    comment(store, a.id, None, CommentStatus::Held).await;
    let markdown = new_comment(a.id, None, email, CommentStatus::Held).body_markdown;
    let signals = store
        .commenter_signals(a.id, email, "Reader", &markdown, None)
        .await
        .expect("signals");
    assert!(
        signals.duplicate && !signals.has_approved && !signals.banned,
        "{signals:?}"
    );
    assert!(
        !store
            .commenter_signals(b.id, email, "Reader", &markdown, None)
            .await
            .expect("b")
            .duplicate
    );
    comment(store, b.id, None, CommentStatus::Approved).await;
    let known = store
        .commenter_signals(b.id, email, "Reader", "Other", None)
        .await
        .expect("b");
    assert!(
        known.has_approved && known.has_approved_with_name,
        "{known:?}"
    );
    let other_name = store
        .commenter_signals(b.id, email, "Chief Editor", "Other", None)
        .await
        .expect("b");
    assert!(
        other_name.has_approved && !other_name.has_approved_with_name,
        "{other_name:?}"
    );
    store
        .create_ban(NewBan {
            kind: BanKind::Ip,
            value: "192.0.2.1".into(),
            reason: "flood".into(),
            hide_history: false,
            created_at: NOW,
            created_by: ada.clone(),
        })
        .await
        .expect("ban");
    let banned = store
        .commenter_signals(
            a.id,
            "someone@else.example",
            "Reader",
            "Hi",
            Some("192.0.2.1"),
        )
        .await
        .expect("signals");
    assert!(banned.banned);
    assert!(
        !store
            .commenter_signals(
                a.id,
                "someone@else.example",
                "Reader",
                "Hi",
                Some("192.0.2.2")
            )
            .await
            .expect("s")
            .banned
    );
}

fn guarded(article: ArticleId, email: &str, body: &str, guard: CommentGuard) -> NewComment {
    let mut new = new_comment(article, None, email, CommentStatus::Held);
    new.body_markdown = body.to_owned();
    new.guard = Some(guard);
    new
}

/// A guarded insert is refused, writing nothing, when it would duplicate a comment or go over
/// the address's or the network's limit; unguarded inserts (staff) are never refused.
pub async fn a_guarded_insert_refuses_duplicates_and_limits(store: &dyn Store) {
    let ada = author(store, "Ada").await;
    let a = article(store, &ada, "a").await;
    let guard = CommentGuard {
        since: NOW - 600,
        per_ip: 2,
        per_network: 3,
        no_duplicate: true,
    };
    store
        .insert_comment(guarded(a.id, "r@example.org", "one", guard))
        .await
        .expect("first");
    assert!(matches!(
        store
            .insert_comment(guarded(a.id, "r@example.org", "one", guard))
            .await,
        Err(StoreError::Refused(CommentGuard::DUPLICATE))
    ));
    store
        .insert_comment(guarded(a.id, "r@example.org", "two", guard))
        .await
        .expect("second");
    assert!(matches!(
        store
            .insert_comment(guarded(a.id, "r@example.org", "three", guard))
            .await,
        Err(StoreError::Refused(CommentGuard::ADDRESS_LIMIT))
    ));
    // Another address of the same network: its own limit is fine, the network's is next.
    let mut neighbour = guarded(a.id, "n@example.org", "hello", guard);
    neighbour.ip = Some("192.0.2.2".into());
    store
        .insert_comment(neighbour.clone())
        .await
        .expect("third");
    neighbour.body_markdown = "again".into();
    assert!(matches!(
        store.insert_comment(neighbour.clone()).await,
        Err(StoreError::Refused(CommentGuard::NETWORK_LIMIT))
    ));
    // Comments before the window do not count.
    let later = CommentGuard {
        since: NOW + 1,
        ..guard
    };
    store
        .insert_comment(guarded(a.id, "r@example.org", "four", later))
        .await
        .expect("new window");
    let mut staff = guarded(a.id, "r@example.org", "one", guard);
    staff.guard = None;
    store.insert_comment(staff).await.expect("unguarded");
    let held = store
        .staff_comments(&held_only(), PageRequest::new(1, 50))
        .await
        .expect("queue");
    assert_eq!(held.total, 5);
}

/// Concurrent guarded inserts from one address: as many as the limit allow get in, and of
/// identical ones, exactly one.
pub async fn a_burst_of_guarded_inserts_respects_the_limits(store: &dyn Store) {
    let ada = author(store, "Ada").await;
    let a = article(store, &ada, "a").await;
    let guard = CommentGuard {
        since: NOW - 600,
        per_ip: 10,
        per_network: 30,
        no_duplicate: true,
    };
    let different = (0..24)
        .map(|i| store.insert_comment(guarded(a.id, "r@example.org", &format!("text {i}"), guard)));
    let stored = futures_util::future::join_all(different)
        .await
        .into_iter()
        .filter(Result::is_ok)
        .count();
    assert_eq!(stored, 10);
    let b = article(store, &ada, "b").await;
    let mut other = guard;
    other.since = NOW + 1;
    let same = (0..16).map(|_| {
        let mut new = guarded(b.id, "s@example.org", "the same text", other);
        new.created_at = NOW + 2;
        new.ip = Some("198.51.100.7".into());
        new.ip_network = Some("198.51.100.0/24".into());
        store.insert_comment(new)
    });
    let copies = futures_util::future::join_all(same)
        .await
        .into_iter()
        .filter(Result::is_ok)
        .count();
    assert_eq!(copies, 1);
}

fn origin(id: &str) -> gazette_domain::import::Origin {
    gazette_domain::import::Origin {
        source: "wordpress https://old.example".into(),
        original_id: id.into(),
    }
}

fn import_user() -> gazette_domain::import::ImportUser {
    gazette_domain::import::ImportUser {
        origin: origin("jo"),
        username: "jo".into(),
        display_name: "Jo Writer".into(),
        slug: "jo".into(),
        email: "jo@old.example".into(),
        created_at: NOW,
    }
}

fn import_article(author: UserId, slug: &str) -> gazette_domain::import::ImportArticle {
    gazette_domain::import::ImportArticle {
        origin: origin("12"),
        slug: slug.into(),
        title: "Imported".into(),
        body_markdown: "<p>Old body</p>".into(),
        body_format: gazette_domain::BodyFormat::Html,
        body_html: "<p>Old body</p>".into(),
        body_text: "Old body".into(),
        excerpt: "Old body".into(),
        author_id: author,
        coauthor_ids: Vec::new(),
        status: ArticleStatus::Published,
        comments_open: true,
        published_at: Some(NOW - 1_000),
        created_at: NOW - 1_000,
        updated_at: NOW - 1_000,
        categories: vec!["world".into()],
        tags: vec!["iran".into()],
        feed_id: Some("https://old.example/?p=12".into()),
    }
}

fn import_comment(
    article: ArticleId,
    id: &str,
    parent: Option<&str>,
    status: CommentStatus,
) -> gazette_domain::import::ImportComment {
    gazette_domain::import::ImportComment {
        origin: origin(&format!("c{id}")),
        article_id: article,
        parent_original_id: parent.map(|p| format!("c{p}")),
        max_depth: 5,
        author_name: "Reader".into(),
        author_email: "reader@example.com".into(),
        author_url: None,
        avatar: "ab".repeat(16),
        body_markdown: format!("<p>comment {id}</p>"),
        body_html: format!("<p>comment {id}</p>"),
        status,
        ip: None,
        ip_network: None,
        created_at: NOW - 500,
        staff_user_id: None,
    }
}

/// Imports an author, a category under a parent, a tag, an article, a thread of three (one
/// held) and a redirect; returns the article's id.
async fn import_once(store: &dyn Store) -> (ArticleId, Vec<gazette_domain::import::Outcome>) {
    use gazette_domain::import::ImportTerm;
    let mut tx = store.begin_import().await.expect("begin");
    let mut outcomes = Vec::new();
    let (author, outcome) = tx.user(&import_user()).await.expect("user");
    outcomes.push(outcome);
    for (slug, parent) in [("news", None), ("world", Some("news"))] {
        let term = ImportTerm {
            kind: TermKind::Category,
            name: slug.to_uppercase(),
            slug: slug.into(),
            parent_slug: parent.map(str::to_owned),
            description: String::new(),
        };
        outcomes.push(tx.term(&term).await.expect("term"));
    }
    let (article, slug, outcome) = tx
        .article(&import_article(author, "imported"))
        .await
        .expect("article");
    outcomes.push(outcome);
    assert!(slug.starts_with("imported"), "{slug}");
    // The first in a batch of its own, its replies in the next: parents are found either way.
    let first = [import_comment(article, "1", None, CommentStatus::Approved)];
    let replies = [
        import_comment(article, "2", Some("1"), CommentStatus::Approved),
        import_comment(article, "3", Some("2"), CommentStatus::Held),
    ];
    for batch in [&first[..], &replies[..]] {
        let stored = tx.comments(batch).await.expect("comments");
        assert_eq!(stored.len(), batch.len());
        outcomes.extend(stored.into_iter().map(|(_, outcome)| outcome));
    }
    outcomes.push(
        tx.redirect("/2019/07/17/imported", "/articles/imported", NOW)
            .await
            .expect("redirect"),
    );
    tx.commit(NOW).await.expect("commit");
    (article, outcomes)
}

/// An import's records are all created, counted, threaded and visible to streams; importing the
/// same records again finds every one of them and creates nothing.
pub async fn an_import_lands_whole_and_a_second_one_changes_nothing(store: &dyn Store) {
    use gazette_domain::import::Outcome;
    let before = store.last_change_id().await.expect("changes");
    let (id, outcomes) = import_once(store).await;
    assert!(
        outcomes.iter().all(|o| *o == Outcome::Created),
        "{outcomes:?}"
    );
    let article = store.article_by_id(id).await.expect("article");
    assert_eq!(article.title, "Imported");
    assert_eq!(article.slug, "imported");
    assert_eq!(
        article.feed_id.as_deref(),
        Some("https://old.example/?p=12"),
        "the old feed's id is kept"
    );
    assert_eq!(article.author.name, "Jo Writer");
    assert_eq!(article.comment_count, 2, "approved comments counted");
    assert_eq!(
        article.categories,
        vec![Term {
            name: "WORLD".into(),
            slug: "world".into()
        }]
    );
    assert_eq!(
        article.tags,
        vec![Term {
            name: "iran".into(),
            slug: "iran".into()
        }]
    );
    let jo = store.user_by_username("jo").await.expect("user");
    assert_eq!(jo.role, Role::Author);
    assert_eq!(jo.password_hash, None, "an imported author cannot log in");
    let thread = store
        .approved_comments(id, PageRequest::new(1, 50))
        .await
        .expect("thread");
    assert_eq!(thread.len(), 2);
    assert_eq!(thread[1].parent_id, Some(thread[0].id));
    assert_eq!(thread[1].depth, 2);
    let streamed = store.approved_since(id, 0, 10).await.expect("stream");
    assert_eq!(streamed.len(), 2, "live streams see imported comments");
    assert_eq!(
        store
            .redirect("/2019/07/17/imported")
            .await
            .expect("redirect"),
        "/articles/imported"
    );
    assert!(matches!(
        store.redirect("/elsewhere").await,
        Err(crate::StoreError::NotFound(_))
    ));
    assert!(
        store.last_change_id().await.expect("changes") > before,
        "caches are told"
    );

    let (again, outcomes) = import_once(store).await;
    assert_eq!(again, id);
    assert!(
        outcomes.iter().all(|o| *o == Outcome::Unchanged),
        "{outcomes:?}"
    );
    assert_eq!(store.count_articles().await.expect("count"), 1);
    let all = store
        .staff_comments(&CommentFilter::default(), PageRequest::new(1, 50))
        .await
        .expect("comments");
    assert_eq!(all.total, 3, "nothing imported twice");
}

/// An import that never commits (a failure, a killed process) leaves no trace, and the store
/// takes writes again at once.
pub async fn an_import_dropped_without_commit_leaves_nothing(store: &dyn Store) {
    let mut tx = store.begin_import().await.expect("begin");
    let (jo, _) = tx.user(&import_user()).await.expect("user");
    let (dropped, _, _) = tx
        .article(&import_article(jo, "dropped"))
        .await
        .expect("article");
    tx.comments(&[import_comment(dropped, "1", None, CommentStatus::Approved)])
        .await
        .expect("comment");
    drop(tx);
    assert!(matches!(
        store.user_by_username("jo").await,
        Err(crate::StoreError::NotFound(_))
    ));
    assert_eq!(store.count_articles().await.expect("count"), 0);
    // The store is usable at once: the writer's turn was given back.
    let someone = author(store, "After").await;
    article(store, &someone, "after").await;
}

/// A newer export of the same site updates the records that changed (terms, statuses, a
/// redirect's target) and the counts follow; a slug taken by a local article is made unique.
pub async fn an_import_updates_what_changed_and_recounts(store: &dyn Store) {
    use gazette_domain::import::Outcome;
    // A site article already has the slug: the import's gets another.
    let local = author(store, "Local").await;
    article(store, &local, "imported").await;
    // The export's "jo" is someone already on the site: matched by login, never rewritten.
    let jo_here = author(store, "Jo").await;
    let (id, _) = import_once(store).await;
    let first = store.article_by_id(id).await.expect("article");
    assert_eq!(first.slug, "imported-2");
    let mut tx = store.begin_import().await.expect("begin");
    let mut renamed = import_user();
    renamed.display_name = "Jo, renamed at the old site".into();
    renamed.email = "other@old.example".into();
    let (jo, outcome) = tx.user(&renamed).await.expect("user");
    assert_eq!((jo, outcome), (jo_here.id, Outcome::Unchanged));
    let mut newer = import_article(jo, "imported");
    newer.title = "Imported, corrected".into();
    newer.tags = vec![];
    let (same, slug, outcome) = tx.article(&newer).await.expect("article");
    assert_eq!(
        (same, slug.as_str(), outcome),
        (id, "imported-2", Outcome::Updated)
    );
    // The held reply was approved on the old site since; the first was trashed.
    let stored = tx
        .comments(&[
            import_comment(id, "3", Some("2"), CommentStatus::Approved),
            import_comment(id, "1", None, CommentStatus::Trash),
            import_comment(id, "4", Some("3"), CommentStatus::Approved),
        ])
        .await
        .expect("comments");
    let outcomes: Vec<Outcome> = stored.iter().map(|(_, o)| *o).collect();
    assert_eq!(
        outcomes,
        [Outcome::Updated, Outcome::Updated, Outcome::Created]
    );
    let outcome = tx
        .redirect("/2019/07/17/imported", "/articles/imported-2", NOW)
        .await
        .expect("redirect");
    assert_eq!(outcome, Outcome::Updated);
    tx.commit(NOW).await.expect("commit");
    let after = store.article_by_id(id).await.expect("article");
    assert_eq!(after.title, "Imported, corrected");
    assert!(after.tags.is_empty());
    assert_eq!(
        after.comment_count, 3,
        "recounted: 2, 3 and 4 approved, 1 trashed"
    );
    let thread = store
        .approved_comments(id, PageRequest::new(1, 50))
        .await
        .expect("thread");
    let new_reply = thread.last().expect("the new reply");
    assert_eq!(new_reply.id, stored[2].0);
    assert_eq!(
        new_reply.depth, 4,
        "placed under a reply imported the first time"
    );
    assert!(after.version > first.version);
    let kept = store.user_by_username("jo").await.expect("jo");
    assert_eq!(
        (kept.display_name.as_str(), kept.email.as_str()),
        ("Jo", "jo@newsroom.example")
    );
    assert_eq!(
        store
            .redirect("/2019/07/17/imported")
            .await
            .expect("redirect"),
        "/articles/imported-2"
    );
}

/// Redirects: listed by path within a prefix (wildcards in it are plain text), added once
/// (`Conflict` the second time), deleted (`NotFound` when absent), each with an audit line.
pub async fn redirects_are_listed_by_prefix_added_once_and_deleted(store: &dyn Store) {
    use gazette_domain::import::Redirect;
    let audit = || NewAudit {
        at: NOW,
        actor: None,
        actor_name: "admin".into(),
        action: "redirect".into(),
        comment_id: None,
        article_id: None,
        detail: String::new(),
    };
    for (path, target) in [
        ("/2019/07/b", "/articles/b"),
        ("/2019/07/a", "/articles/a"),
        ("/2019_08/c", "/articles/c"),
        ("/?p=12", "/articles/a"),
    ] {
        store
            .add_redirect(
                Redirect {
                    path: path.into(),
                    target: target.into(),
                    created_at: NOW,
                },
                audit(),
            )
            .await
            .expect("add");
    }
    let all = store
        .redirects("", PageRequest::new(1, 10))
        .await
        .expect("list");
    assert_eq!(all.total, 4);
    let paths: Vec<&str> = all.items.iter().map(|r| r.path.as_str()).collect();
    assert_eq!(paths, ["/2019/07/a", "/2019/07/b", "/2019_08/c", "/?p=12"]);
    let july = store
        .redirects("/2019/07/", PageRequest::new(1, 1))
        .await
        .expect("list");
    assert_eq!((july.total, july.items.len()), (2, 1));
    assert_eq!(july.items[0].path, "/2019/07/a");
    let underscore = store
        .redirects("/2019_", PageRequest::new(1, 10))
        .await
        .expect("list");
    assert_eq!(underscore.total, 1, "_ is a character, not a wildcard");
    let again = store
        .add_redirect(
            Redirect {
                path: "/2019/07/a".into(),
                target: "/elsewhere".into(),
                created_at: NOW,
            },
            audit(),
        )
        .await;
    assert!(matches!(again, Err(crate::StoreError::Conflict(_))));
    assert_eq!(
        store.redirect("/2019/07/a").await.expect("kept"),
        "/articles/a"
    );
    store
        .delete_redirect("/2019/07/a", audit())
        .await
        .expect("delete");
    assert!(matches!(
        store.delete_redirect("/2019/07/a", audit()).await,
        Err(crate::StoreError::NotFound(_))
    ));
    assert!(matches!(
        store.redirect("/2019/07/a").await,
        Err(crate::StoreError::NotFound(_))
    ));
    let log = store
        .audit_log(PageRequest::new(1, 50))
        .await
        .expect("audit");
    assert_eq!(log.total, 5, "four additions and one deletion");
}

fn new_page(
    author: &User,
    slug: &str,
    parent: Option<gazette_domain::PageId>,
) -> gazette_domain::NewStaticPage {
    gazette_domain::NewStaticPage {
        slug: slug.into(),
        title: format!("Page {slug}"),
        body_source: "About *us*".into(),
        body_format: gazette_domain::BodyFormat::Markdown,
        body_html: "<p>About <em>us</em></p>".into(),
        parent_id: parent,
        author_id: author.id,
        status: ArticleStatus::Published,
        created_at: NOW,
        updated_at: NOW,
    }
}

/// A page is stored and read back whole; a save names the version it started from; a new
/// slug leaves the old address redirecting; a taken slug is a conflict.
pub async fn pages_round_trip_check_their_version_and_keep_old_addresses(store: &dyn Store) {
    let ada = author(store, "Ada").await;
    let about = store
        .create_page(new_page(&ada, "about", None))
        .await
        .expect("create");
    assert_eq!(about.slug, "about");
    assert_eq!(about.body_html, "<p>About <em>us</em></p>");
    assert_eq!(about.author.id, ada.id);
    assert_eq!(about.version, 1);
    assert_eq!(store.page_by_slug("about").await.expect("by slug"), about);
    assert_eq!(store.page_by_id(about.id).await.expect("by id"), about);
    assert!(matches!(
        store.create_page(new_page(&ada, "about", None)).await,
        Err(crate::StoreError::Conflict(_))
    ));
    let mut changed = new_page(&ada, "about-us", None);
    changed.body_format = gazette_domain::BodyFormat::Html;
    changed.updated_at = NOW + 10;
    let saved = store
        .update_page(
            about.id,
            gazette_domain::StaticPageUpdate {
                expected_version: 1,
                page: changed.clone(),
            },
        )
        .await
        .expect("save");
    assert_eq!((saved.slug.as_str(), saved.version), ("about-us", 2));
    assert_eq!(saved.body_format, gazette_domain::BodyFormat::Html);
    assert_eq!(saved.created_at, NOW, "creation time is kept");
    assert_eq!(
        store.redirect("/about").await.expect("old address"),
        "/about-us"
    );
    let stale = store
        .update_page(
            about.id,
            gazette_domain::StaticPageUpdate {
                expected_version: 1,
                page: changed.clone(),
            },
        )
        .await;
    assert!(matches!(
        stale,
        Err(crate::StoreError::Conflict("page version"))
    ));
    let other = store
        .create_page(new_page(&ada, "contact", None))
        .await
        .expect("create");
    let taken = store
        .update_page(
            other.id,
            gazette_domain::StaticPageUpdate {
                expected_version: 1,
                page: new_page(&ada, "about-us", None),
            },
        )
        .await;
    assert!(matches!(taken, Err(crate::StoreError::Conflict(_))));
    let list = store
        .admin_pages(PageRequest::new(1, 10))
        .await
        .expect("list");
    assert_eq!(list.total, 2);
    let titles: Vec<&str> = list.items.iter().map(|p| p.title.as_str()).collect();
    assert_eq!(titles, ["Page about-us", "Page contact"]);
    assert!(matches!(
        store.page_by_slug("nothing").await,
        Err(crate::StoreError::NotFound(_))
    ));
}

/// A breadcrumb: the parents from the top down, drafts marked, and a loop ends.
pub async fn a_page_trail_lists_parents_farthest_first_and_ends_in_a_loop(store: &dyn Store) {
    let ada = author(store, "Ada").await;
    let top = store
        .create_page(new_page(&ada, "top", None))
        .await
        .expect("top");
    let mut middle = new_page(&ada, "middle", Some(top.id));
    middle.status = ArticleStatus::Draft;
    let middle = store.create_page(middle).await.expect("middle");
    let leaf = store
        .create_page(new_page(&ada, "leaf", Some(middle.id)))
        .await
        .expect("leaf");
    let trail = store.page_trail(leaf.id).await.expect("trail");
    let slugs: Vec<(&str, bool)> = trail.iter().map(|c| (c.slug.as_str(), c.public)).collect();
    assert_eq!(slugs, [("top", true), ("middle", false)]);
    assert!(store.page_trail(top.id).await.expect("trail").is_empty());
    let list = store
        .admin_pages(PageRequest::new(1, 10))
        .await
        .expect("list");
    let leaf_row = list
        .items
        .iter()
        .find(|p| p.slug == "leaf")
        .expect("leaf row");
    assert_eq!(leaf_row.parent_title.as_deref(), Some("Page middle"));
    // top under leaf: a loop, which the trail still ends.
    store
        .update_page(
            top.id,
            gazette_domain::StaticPageUpdate {
                expected_version: 1,
                page: new_page(&ada, "top", Some(leaf.id)),
            },
        )
        .await
        .expect("save");
    let looped = store.page_trail(leaf.id).await.expect("trail");
    assert_eq!(looped.len(), gazette_domain::static_page::MAX_TRAIL);
}

/// Imported pages and media are found again by origin; parents, articles and featured images
/// are linked once, and reported unchanged the second time.
pub async fn imported_pages_and_media_are_matched_and_linked(store: &dyn Store) {
    use gazette_domain::import::{ImportMedia, ImportPage, Outcome};
    let ada = author(store, "Ada").await;
    let media = ImportMedia {
        origin: origin("m1"),
        media: gazette_domain::NewMedia {
            url: "https://old.example/wp-content/uploads/a.jpg".into(),
            title: "A".into(),
            alt_text: "An A".into(),
            mime_type: "image/jpeg".into(),
            article_id: None,
            created_at: NOW,
        },
    };
    let parent = ImportPage {
        origin: origin("p1"),
        page: new_page(&ada, "about", None),
    };
    let child = ImportPage {
        origin: origin("p2"),
        page: new_page(&ada, "about", None),
    };
    let mut tx = store.begin_import().await.expect("begin");
    let (parent_id, parent_slug, outcome) = tx.page(&parent).await.expect("page");
    assert_eq!((parent_slug.as_str(), outcome), ("about", Outcome::Created));
    let (child_id, child_slug, _) = tx.page(&child).await.expect("page");
    assert_eq!(child_slug, "about-2", "a taken slug is made unique");
    assert!(
        tx.page_parent(child_id, Some(parent_id))
            .await
            .expect("parent")
    );
    let (article_id, _, _) = tx
        .article(&import_article(ada.id, "story"))
        .await
        .expect("article");
    let (media_id, outcome) = tx.media(&media).await.expect("media");
    assert_eq!(outcome, Outcome::Created);
    assert!(tx.media_article(media_id, article_id).await.expect("tie"));
    assert!(
        tx.featured_image(article_id, media_id)
            .await
            .expect("feature")
    );
    tx.commit(NOW).await.expect("commit");

    let article = store.article_by_id(article_id).await.expect("article");
    let image = article.featured_image.expect("featured");
    assert_eq!(image.id, media_id);
    assert_eq!(image.alt_text, "An A");
    assert_eq!(image.article_id, Some(article_id));
    assert_eq!(store.media_by_id(media_id).await.expect("media"), image);
    assert_eq!(
        store.page_by_id(child_id).await.expect("child").parent_id,
        Some(parent_id)
    );

    let mut again = store.begin_import().await.expect("begin");
    let (same, _, outcome) = again.page(&child).await.expect("page");
    assert_eq!((same, outcome), (child_id, Outcome::Unchanged));
    assert!(
        !again
            .page_parent(child_id, Some(parent_id))
            .await
            .expect("parent")
    );
    let (same_media, outcome) = again.media(&media).await.expect("media");
    assert_eq!((same_media, outcome), (media_id, Outcome::Unchanged));
    assert!(
        !again
            .featured_image(article_id, media_id)
            .await
            .expect("feature")
    );
    let mut retitled = media.clone();
    retitled.media.alt_text = "A better description".into();
    assert_eq!(
        again.media(&retitled).await.expect("media").1,
        Outcome::Updated
    );
    again.commit(NOW).await.expect("commit");
    assert_eq!(
        store.media_by_id(media_id).await.expect("media").alt_text,
        "A better description"
    );
}

/// An upload's pieces come back in order and byte for byte; queueing it queues its job once;
/// its end deletes the pieces and keeps the report; an abandoned one leaves nothing.
pub async fn an_uploaded_import_keeps_its_pieces_until_it_ends(store: &dyn Store) {
    let new = gazette_domain::import::NewImportRun {
        kind: "wordpress".into(),
        file_name: "export.xml".into(),
        dry_run: false,
        created_by: "Ada".into(),
        created_at: NOW,
    };
    let id = store.create_import_run(new.clone()).await.expect("create");
    let pieces: [&[u8]; 2] = [b"<rss>\x00\xff", b"</rss>"];
    for (seq, piece) in pieces.iter().enumerate() {
        store
            .add_import_chunk(id, seq as i64, piece)
            .await
            .expect("piece");
    }
    assert_eq!(
        store.import_chunk(id, 0).await.expect("read").as_deref(),
        Some(pieces[0])
    );
    assert_eq!(
        store.import_chunk(id, 1).await.expect("read").as_deref(),
        Some(pieces[1])
    );
    assert_eq!(store.import_chunk(id, 2).await.expect("read"), None);
    let run = store.import_run(id).await.expect("run");
    assert_eq!((run.status.as_str(), run.size), ("uploading", 0));
    store.queue_import_run(id, 13, NOW).await.expect("queue");
    assert!(matches!(
        store.queue_import_run(id, 13, NOW).await,
        Err(StoreError::NotFound(_))
    ));
    let job = store
        .claim_job(NOW, NOW + 300)
        .await
        .expect("claim")
        .expect("the import's job");
    assert_eq!(
        (job.kind.as_str(), job.payload.clone()),
        ("import", id.to_string())
    );
    store.renew_job(job.id, NOW + 900).await.expect("renew");
    assert!(
        store
            .claim_job(NOW + 600, NOW + 900)
            .await
            .expect("claim")
            .is_none(),
        "a renewed lease keeps the job its worker's"
    );
    let mut done = store.import_run(id).await.expect("run");
    assert_eq!((done.status.as_str(), done.size), ("queued", 13));
    done.status = "done".into();
    done.items_done = 7;
    done.report = "articles: 1 created".into();
    done.finished_at = Some(NOW + 5);
    store.update_import_run(&done).await.expect("update");
    assert_eq!(store.import_run(id).await.expect("run"), done);
    assert_eq!(
        store.import_chunk(id, 0).await.expect("read"),
        None,
        "pieces deleted at the end"
    );

    let abandoned = store.create_import_run(new).await.expect("create");
    store
        .add_import_chunk(abandoned, 0, b"<rss")
        .await
        .expect("piece");
    store.delete_import_run(abandoned).await.expect("delete");
    assert!(matches!(
        store.import_run(abandoned).await,
        Err(StoreError::NotFound(_))
    ));
    assert_eq!(store.import_chunk(abandoned, 0).await.expect("read"), None);
    let runs = store.import_runs(10).await.expect("runs");
    assert_eq!(runs.iter().map(|r| r.id).collect::<Vec<_>>(), [id]);
}

/// What feeds read: whole public articles newest first (with terms), and comments that are
/// approved now, newest approval first, under public articles only.
pub async fn feeds_read_whole_public_articles_and_approved_comments_newest_first(
    store: &dyn Store,
) {
    let ada = author(store, "Ada").await;
    let mut old = new_article(&ada, "old", NOW - 300);
    old.categories = vec![Term::from_name("World")];
    old.tags = vec![Term::from_name("Iran")];
    let old = store.create_article(old).await.expect("old");
    let new = store
        .create_article(new_article(&ada, "new", NOW - 100))
        .await
        .expect("new");
    let future = store
        .create_article(new_article(&ada, "future", NOW + 100))
        .await
        .expect("future");
    let mut draft = new_article(&ada, "draft", NOW - 50);
    draft.status = ArticleStatus::Draft;
    let draft = store.create_article(draft).await.expect("draft");

    let all = store
        .feed_articles(&ArticleFilter::All, 10, NOW)
        .await
        .expect("feed");
    let slugs: Vec<&str> = all.iter().map(|a| a.slug.as_str()).collect();
    assert_eq!(slugs, ["new", "old"]);
    assert_eq!(all[1].body_html, "<p>Body <em>text</em></p>");
    assert_eq!(all[1].categories, vec![Term::from_name("World")]);
    assert_eq!(all[1].tags, vec![Term::from_name("Iran")]);
    assert_eq!(
        all[1].feed_id, None,
        "Gazette's own articles have no stored feed id"
    );
    let one = store
        .feed_articles(&ArticleFilter::All, 1, NOW)
        .await
        .expect("feed");
    assert_eq!(one.len(), 1);
    let world = store
        .feed_articles(
            &ArticleFilter::Term(TermKind::Category, "world".into()),
            10,
            NOW,
        )
        .await
        .expect("feed");
    assert_eq!(world.iter().map(|a| a.id).collect::<Vec<_>>(), [old.id]);

    let first = comment(store, old.id, None, CommentStatus::Approved).await;
    let second = comment(store, new.id, None, CommentStatus::Approved).await;
    let _held = comment(store, new.id, None, CommentStatus::Held).await;
    let _unseen = comment(store, future.id, None, CommentStatus::Approved).await;
    let _private = comment(store, draft.id, None, CommentStatus::Approved).await;
    let spammed = comment(store, new.id, None, CommentStatus::Approved).await;
    store
        .set_comment_status(spammed.id, to(CommentStatus::Spam))
        .await
        .expect("spam");
    let ids = |list: Vec<gazette_domain::FeedComment>| -> Vec<CommentId> {
        list.into_iter().map(|c| c.comment.id).collect()
    };
    let site = store.feed_comments(None, 10, NOW).await.expect("comments");
    assert_eq!(site.first().map(|c| c.article_slug.as_str()), Some("new"));
    assert_eq!(
        site.first().map(|c| c.article_title.as_str()),
        Some("Title of new")
    );
    assert_eq!(ids(site), [second.id, first.id]);
    assert_eq!(
        ids(store
            .feed_comments(Some(new.id), 10, NOW)
            .await
            .expect("comments")),
        [second.id]
    );
    assert_eq!(
        ids(store.feed_comments(None, 1, NOW).await.expect("comments")),
        [second.id]
    );
    // Approved again later, it is the newest approval.
    store
        .set_comment_status(first.id, to(CommentStatus::Held))
        .await
        .expect("hold");
    store
        .set_comment_status(first.id, to(CommentStatus::Approved))
        .await
        .expect("approve");
    assert_eq!(
        ids(store.feed_comments(None, 10, NOW).await.expect("comments")),
        [first.id, second.id]
    );
}

/// Sitemaps: public articles by UTC month (drafts, scheduled and trashed never), published
/// pages, and archives that have public articles; paged with totals.
pub async fn sitemaps_list_public_addresses_by_month_and_kind(store: &dyn Store) {
    use gazette_domain::sitemap::SitemapOf;
    let ada = author(store, "Ada").await;
    // NOW is 2027-01-15T08:00:00Z; 40 days earlier is in December 2026.
    let mut december = new_article(&ada, "december", NOW - 40 * 86_400);
    december.tags = vec![Term::from_name("Iran")];
    store.create_article(december).await.expect("december");
    for slug in ["january-a", "january-b"] {
        store
            .create_article(new_article(&ada, slug, NOW - 3_600))
            .await
            .expect("january");
    }
    store
        .create_article(new_article(&ada, "scheduled", NOW + 3_600))
        .await
        .expect("scheduled");
    let mut draft = new_article(&ada, "draft", NOW - 60);
    draft.status = ArticleStatus::Draft;
    draft.categories = vec![Term::from_name("Secret")];
    store.create_article(draft).await.expect("draft");
    let mut hidden = new_page(&ada, "hidden", None);
    hidden.status = ArticleStatus::Draft;
    store.create_page(hidden).await.expect("draft page");
    store
        .create_page(new_page(&ada, "about", None))
        .await
        .expect("page");

    let months = store.sitemap_months(NOW).await.expect("months");
    let summary: Vec<(i32, u8, i64)> = months
        .iter()
        .map(|m| (m.year, m.month, m.articles))
        .collect();
    assert_eq!(summary, [(2026, 12, 1), (2027, 1, 2)]);
    let january = SitemapOf::Articles {
        from: 1_798_761_600, // 2027-01-01T00:00:00Z
        to: 1_801_440_000,   // 2027-02-01T00:00:00Z
    };
    let page = store
        .sitemap(january, PageRequest::new(1, 10), NOW)
        .await
        .expect("articles");
    let paths: Vec<&str> = page.items.iter().map(|e| e.path.as_str()).collect();
    assert_eq!(paths, ["/articles/january-a", "/articles/january-b"]);
    assert_eq!(page.items[0].title, "Title of january-a");
    assert_eq!(page.total, 2);
    // The date archives' filter reads the same span.
    let listed = store
        .published_articles(
            &ArticleFilter::Published {
                from: 1_798_761_600,
                to: 1_801_440_000,
            },
            PageRequest::new(1, 10),
            NOW,
        )
        .await
        .expect("date archive");
    assert_eq!(listed.total, 2);
    assert_eq!(listed.items[0].slug, "january-b", "newest first");
    let second = store
        .sitemap(january, PageRequest::new(2, 1), NOW)
        .await
        .expect("articles");
    assert_eq!(second.items.len(), 1);
    assert_eq!(second.total, 2);

    let pages = store
        .sitemap(SitemapOf::Pages, PageRequest::new(1, 10), NOW)
        .await
        .expect("pages");
    let paths: Vec<&str> = pages.items.iter().map(|e| e.path.as_str()).collect();
    assert_eq!(paths, ["/about"]);
    let archives = store
        .sitemap(SitemapOf::Archives, PageRequest::new(1, 10), NOW)
        .await
        .expect("archives");
    let mut paths: Vec<&str> = archives.items.iter().map(|e| e.path.as_str()).collect();
    paths.sort_unstable();
    assert_eq!(
        paths,
        ["/author/ada", "/tag/iran"],
        "no archive of drafts only"
    );
}

/// Corrections: appended to published articles only (moving `updated_at`), read back with the
/// article in order, listed newest first for public articles only, with an audit line each.
pub async fn corrections_are_appended_in_order_and_listed_newest_first(store: &dyn Store) {
    let ada = author(store, "Ada").await;
    let story = article(store, &ada, "story").await;
    let other = article(store, &ada, "other").await;
    let mut draft = new_article(&ada, "draft", NOW - 50);
    draft.status = ArticleStatus::Draft;
    let draft = store.create_article(draft).await.expect("draft");
    let first = store
        .add_correction(
            story.id,
            "First fix",
            NOW,
            audit("article.correction", &ada),
        )
        .await
        .expect("correct");
    assert_eq!(first.updated_at, NOW);
    store
        .add_correction(
            story.id,
            "Second fix",
            NOW + 10,
            audit("article.correction", &ada),
        )
        .await
        .expect("correct");
    store
        .add_correction(
            other.id,
            "Other fix",
            NOW + 5,
            audit("article.correction", &ada),
        )
        .await
        .expect("correct");
    assert!(matches!(
        store
            .add_correction(draft.id, "No", NOW, audit("article.correction", &ada))
            .await,
        Err(StoreError::NotFound(_))
    ));
    let read = store.article_by_slug("story").await.expect("article");
    let bodies: Vec<&str> = read.corrections.iter().map(|c| c.body.as_str()).collect();
    assert_eq!(bodies, ["First fix", "Second fix"]);
    assert_eq!(read.corrections[1].created_at, NOW + 10);
    let fed = store
        .feed_articles(&ArticleFilter::All, 10, NOW + 20)
        .await
        .expect("feed");
    assert_eq!(
        fed.iter()
            .find(|a| a.id == story.id)
            .map(|a| a.corrections.len()),
        Some(2)
    );
    let recent = store
        .recent_corrections(10, NOW + 20)
        .await
        .expect("recent");
    let listed: Vec<(&str, &str)> = recent
        .iter()
        .map(|(c, slug, _)| (c.body.as_str(), slug.as_str()))
        .collect();
    assert_eq!(
        listed,
        [
            ("Second fix", "story"),
            ("Other fix", "other"),
            ("First fix", "story")
        ]
    );
    assert_eq!(
        store
            .recent_corrections(1, NOW + 20)
            .await
            .expect("recent")
            .len(),
        1
    );
    let log = store
        .audit_log(PageRequest::new(1, 50))
        .await
        .expect("audit");
    assert_eq!(
        log.items
            .iter()
            .filter(|e| e.action == "article.correction")
            .count(),
        3,
        "the refused one wrote nothing"
    );
}

/// A published article with this headline and body text, filed under `categories`.
async fn searchable(
    store: &dyn Store,
    author: &User,
    slug: &str,
    title: &str,
    body: &str,
    published_at: i64,
    categories: &[&str],
) -> Article {
    let mut new = new_article(author, slug, published_at);
    new.title = title.into();
    new.body_html = format!("<p>{body}</p>");
    new.body_text = body.into();
    new.categories = categories.iter().map(|c| Term::from_name(c)).collect();
    store
        .create_article(new)
        .await
        .unwrap_or_else(|e| panic!("create {slug}: {e}"))
}

fn search_for(words: &str) -> gazette_domain::search::ArticleSearch {
    gazette_domain::search::ArticleSearch {
        terms: gazette_domain::search::Terms::parse(words).expect("terms"),
        language: "english",
        ..Default::default()
    }
}

async fn found_slugs(
    store: &dyn Store,
    search: &gazette_domain::search::ArticleSearch,
    page: PageRequest,
) -> (Vec<String>, i64) {
    let found = store
        .search_articles(search, page, NOW, std::time::Duration::from_secs(5))
        .await
        .unwrap_or_else(|e| panic!("search {search:?}: {e}"));
    (
        found
            .items
            .iter()
            .map(|hit| hit.article.slug.clone())
            .collect(),
        found.total,
    )
}

/// A word in more than half the articles (SQLite ranks without reading it again) still
/// filters, and the headline still outranks the body: by the other words when there are any,
/// and alone when every word is that common. The second search of a word uses its count.
pub async fn search_ranks_by_the_words_that_tell_articles_apart(store: &dyn Store) {
    assert!(store.prepare_search("english").await.expect("prepare"));
    let ada = author(store, "Ada").await;
    let day = 86_400;
    // "harbour" is in every article; "budget" and "ferry" in two each.
    for (slug, title, body, age) in [
        ("plan", "Harbour plan", "The harbour plan was approved.", 5),
        ("budget", "Budget talks", "The harbour budget is short.", 4),
        ("walls", "Sea walls", "The harbour walls and its budget.", 3),
        ("ferry", "New ferry", "A harbour ferry starts.", 2),
        ("storm", "Storm damage", "The harbour ferry was hit.", 1),
    ] {
        searchable(store, &ada, slug, title, body, NOW - age * day, &[]).await;
    }
    let all = PageRequest::new(1, 10);
    for _ in 0..2 {
        // A common and a telling word: only articles with both, the headline match first
        // although it is the older one.
        assert_eq!(
            found_slugs(store, &search_for("harbour budget"), all).await,
            (vec!["budget".into(), "walls".into()], 2)
        );
        assert_eq!(
            found_slugs(store, &search_for("ferry harbour"), all).await,
            (vec!["ferry".into(), "storm".into()], 2)
        );
        // Only a common word: every article, the one with it in its headline first.
        let (slugs, total) = found_slugs(store, &search_for("harbour"), all).await;
        assert_eq!(total, 5);
        assert_eq!(slugs.first().map(String::as_str), Some("plan"), "{slugs:?}");
        // The second page of one result each is the next one of the same order.
        let (second, _) =
            found_slugs(store, &search_for("harbour budget"), PageRequest::new(2, 1)).await;
        assert_eq!(second, vec!["walls".to_owned()]);
    }
    // A rare word alone, still ranked: headline first.
    assert_eq!(
        found_slugs(store, &search_for("budget"), all).await,
        (vec!["budget".into(), "walls".into()], 2)
    );
}

/// Search on each backend finds the same public articles for the same words (every word
/// required, the headline ranked above the body), with filters, pages and marked passages;
/// odd characters are words, never syntax; edits reindex in the same transaction.
pub async fn search_finds_public_articles_holding_every_word(store: &dyn Store) {
    assert!(store.prepare_search("english").await.expect("prepare"));
    assert!(!store.prepare_search("english").await.expect("again"));
    let ada = author(store, "Ada").await;
    let day = 86_400;
    searchable(
        store,
        &ada,
        "harbour-plan",
        "Harbour plan approved",
        "The council voted for the new harbour plan on Tuesday.",
        NOW - 3 * day,
        &["City"],
    )
    .await;
    searchable(
        store,
        &ada,
        "budget",
        "Budget cuts",
        "The harbour budget falls and schools lose funding.",
        NOW - day,
        &["Money"],
    )
    .await;
    let library = searchable(
        store,
        &ada,
        "library",
        "Library opens",
        "A new library opens in the old market hall.",
        NOW - 2 * day,
        &["City"],
    )
    .await;
    // Never found: a draft, a scheduled article and a trashed one, all about the harbour.
    let mut draft = new_article(&ada, "draft", NOW - day);
    draft.status = ArticleStatus::Draft;
    draft.title = "Harbour draft".into();
    draft.body_text = "harbour".into();
    store.create_article(draft).await.expect("draft");
    searchable(
        store,
        &ada,
        "scheduled",
        "Harbour tomorrow",
        "harbour",
        NOW + day,
        &[],
    )
    .await;
    let mut trashed = new_article(&ada, "trashed", NOW - day);
    trashed.status = ArticleStatus::Trash;
    trashed.title = "Harbour trash".into();
    trashed.body_text = "harbour".into();
    store.create_article(trashed).await.expect("trashed");
    // Every article is indexed (drafts too: they are filtered when searched), and the count the
    // start-up check reads says so.
    assert_eq!(store.search_index_counts().await.expect("counts"), (6, 6));

    let all = PageRequest::new(1, 10);
    // The headline match first, then the body match.
    assert_eq!(
        found_slugs(store, &search_for("harbour"), all).await,
        (vec!["harbour-plan".into(), "budget".into()], 2)
    );
    assert_eq!(
        found_slugs(store, &search_for("HARBOUR council"), all).await,
        (vec!["harbour-plan".into()], 1)
    );
    // Stemmed alike on both: "libraries" finds "library".
    assert_eq!(
        found_slugs(store, &search_for("libraries"), all).await,
        (vec!["library".into()], 1)
    );
    // Operators of both query languages are only words: no error, and every word required.
    assert_eq!(found_slugs(store, &search_for("\"harbour"), all).await.1, 2);
    assert_eq!(
        found_slugs(store, &search_for("\"harbour* NEAR -council: OR"), all)
            .await
            .1,
        0
    );
    assert_eq!(found_slugs(store, &search_for("zebra"), all).await.1, 0);
    assert_eq!(found_slugs(store, &search_for(" * "), all).await.1, 0);

    // Filters: a category, and a range of publication times.
    let mut in_money = search_for("harbour");
    in_money.category = Some("money".into());
    assert_eq!(
        found_slugs(store, &in_money, all).await,
        (vec!["budget".into()], 1)
    );
    let mut older = search_for("harbour");
    older.to = Some(NOW - 2 * day);
    assert_eq!(
        found_slugs(store, &older, all).await,
        (vec!["harbour-plan".into()], 1)
    );
    let mut newer = search_for("harbour");
    newer.from = Some(NOW - 2 * day);
    assert_eq!(
        found_slugs(store, &newer, all).await,
        (vec!["budget".into()], 1)
    );

    // Pages: the second of one result each, with the total.
    assert_eq!(
        found_slugs(store, &search_for("harbour"), PageRequest::new(2, 1)).await,
        (vec!["budget".into()], 2)
    );
    assert_eq!(
        found_slugs(store, &search_for("harbour"), PageRequest::new(3, 1)).await,
        (vec![], 2)
    );

    // The matched words are marked in the headline and the passage.
    let hits = store
        .search_articles(
            &search_for("harbour"),
            all,
            NOW,
            std::time::Duration::from_secs(5),
        )
        .await
        .expect("search");
    let first = &hits.items[0];
    assert!(
        first.title_marked.contains("\u{2}Harbour\u{3}"),
        "{:?}",
        first.title_marked
    );
    assert!(
        first.snippet_marked.contains("\u{2}harbour\u{3}"),
        "{:?}",
        first.snippet_marked
    );
    assert_eq!(first.article.author.name, "Ada");

    // An edit reindexes in its own transaction: the old words are gone, the new ones found.
    let mut update = update_of(&library, "library");
    update.body_text = "The reading room closes.".into();
    store
        .update_article(library.id, update)
        .await
        .expect("update");
    assert_eq!(found_slugs(store, &search_for("market"), all).await.1, 0);
    assert_eq!(
        found_slugs(store, &search_for("reading room"), all).await,
        (vec!["library".into()], 1)
    );

    // Another language empties SQLite's index (its tokenizer changes); indexing every
    // article again, by batches, brings every result back on both.
    assert!(store.prepare_search("simple").await.expect("prepare"));
    let mut after = ArticleId(0);
    loop {
        let batch = store.articles_to_index(after, 2).await.expect("batch");
        let Some((last, ..)) = batch.last() else {
            break;
        };
        after = *last;
        let texts: Vec<_> = batch
            .into_iter()
            .map(|(id, version, title, html)| {
                let body = html.replace("<p>", "").replace("</p>", "");
                (
                    id,
                    version,
                    gazette_domain::search::SearchText::new(&title, &body),
                )
            })
            .collect();
        store.index_articles(&texts).await.expect("index");
    }
    assert_eq!(
        found_slugs(store, &search_for("harbour"), all).await,
        (vec!["harbour-plan".into(), "budget".into()], 2)
    );
    // A stale version is not written over what an edit indexed.
    store
        .index_articles(&[(
            library.id,
            library.version,
            gazette_domain::search::SearchText::new("Stale", "stale words"),
        )])
        .await
        .expect("index stale");
    assert_eq!(found_slugs(store, &search_for("stale"), all).await.1, 0);
}

/// A staff search of comments matches every word in the text, the name or the address, in any
/// status, and counts each status's matches.
pub async fn staff_comment_search_matches_every_word_in_any_status(store: &dyn Store) {
    let ada = author(store, "Ada").await;
    let story = article(store, &ada, "story").await;
    let mut held = new_comment(story.id, None, "x@example.com", CommentStatus::Held);
    held.body_markdown = "The ferry timetable is wrong".into();
    held.body_html = "<p>The ferry timetable is wrong</p>".into();
    store.insert_comment(held).await.expect("held");
    let mut approved = new_comment(
        story.id,
        None,
        "ferry.fan@example.com",
        CommentStatus::Approved,
    );
    approved.body_markdown = "I like the new timetable".into();
    store.insert_comment(approved).await.expect("approved");
    let mut other = new_comment(story.id, None, "z@example.com", CommentStatus::Spam);
    other.body_markdown = "100%_sale".into();
    store.insert_comment(other).await.expect("spam");

    let search = |words: &str, status: Option<CommentStatus>| CommentFilter {
        status,
        words: gazette_domain::search::Terms::parse(words)
            .expect("terms")
            .words,
        ..Default::default()
    };
    let total = |filter: CommentFilter| async move {
        store
            .staff_comments(&filter, PageRequest::new(1, 10))
            .await
            .expect("search")
            .total
    };
    assert_eq!(total(search("timetable", None)).await, 2);
    // "ferry" is in one comment's text and the other's address.
    assert_eq!(total(search("FERRY timetable", None)).await, 2);
    assert_eq!(total(search("ferry wrong", None)).await, 1);
    assert_eq!(
        total(search("timetable", Some(CommentStatus::Held))).await,
        1
    );
    // LIKE's wildcards are literal: "100%_sale" is the words "100" and "sale".
    assert_eq!(total(search("100 sale", None)).await, 1);
    assert_eq!(total(search("%", None)).await, 3);
    let counts = store
        .comment_status_counts(&search("timetable", None))
        .await
        .expect("counts");
    let held_count = counts
        .iter()
        .find(|(s, _)| *s == CommentStatus::Held)
        .map(|(_, n)| *n);
    assert_eq!(held_count, Some(1));
}

/// An upload's record and sizes are stored together; an article features it with every size
/// known; editing its words shows at once; deleting it takes its files and leaves articles
/// without a featured image rather than with a broken one.
pub async fn uploaded_images_keep_every_size_until_deleted(store: &dyn Store) {
    use gazette_domain::{MediaFile, MediaText, NewUpload};
    let ada = author(store, "Ada").await;
    let audit = |action: &str| NewAudit {
        at: NOW,
        actor: Some(ada.id),
        actor_name: ada.display_name.clone(),
        action: action.into(),
        comment_id: None,
        article_id: None,
        detail: "harbour".into(),
    };
    let file = |width: i64, data: Option<Vec<u8>>| MediaFile {
        width,
        height: width / 2,
        mime_type: "image/jpeg".into(),
        sha256: format!("{width:064x}"),
        size: 3,
        data,
    };
    let upload = NewUpload {
        text: MediaText {
            title: "Harbour".into(),
            alt_text: "Boats in the harbour at dawn".into(),
            caption: "The harbour before the storm.".into(),
            credit: "Photo: Ana Ruiz".into(),
        },
        mime_type: "image/jpeg".into(),
        width: 1200,
        height: 600,
        created_at: NOW,
        uploaded_by: ada.id,
        files: vec![
            file(480, Some(vec![1, 2, 3])),
            file(960, Some(vec![4, 5, 6])),
            file(1200, None),
        ],
    };
    let media = store
        .create_upload(upload, audit("media.upload"))
        .await
        .expect("upload");
    assert_eq!(media.variants, vec![480, 960, 1200]);
    assert_eq!(media.url, format!("/media/{}/1200.jpg", media.id.0));
    assert_eq!((media.width, media.height), (Some(1200), Some(600)));
    assert_eq!(media.uploaded_by, Some(ada.id));
    assert_eq!(media.credit, "Photo: Ana Ruiz");
    let small = store.media_file(media.id, 480).await.expect("file");
    assert_eq!(small.data, Some(vec![1, 2, 3]));
    assert_eq!((small.height, small.sha256.len()), (240, 64));
    assert_eq!(
        store.media_file(media.id, 1200).await.expect("file").data,
        None
    );
    assert!(matches!(
        store.media_file(media.id, 700).await,
        Err(StoreError::NotFound(_))
    ));
    let library = store
        .media_library(PageRequest::new(1, 10))
        .await
        .expect("library");
    assert_eq!(library.total, 1);
    assert_eq!(library.items[0], media);

    let mut new = new_article(&ada, "with-a-picture", NOW - 10);
    new.featured_media_id = Some(media.id);
    let article = store.create_article(new).await.expect("article");
    assert_eq!(article.featured_image.as_ref(), Some(&media));
    assert_eq!(store.media_usage(media.id).await.expect("usage"), 1);

    let edited = store
        .update_media(
            media.id,
            MediaText {
                alt_text: "Fishing boats at dawn".into(),
                ..MediaText::default()
            },
            audit("media.edit"),
        )
        .await
        .expect("edit");
    assert_eq!(
        (edited.alt_text.as_str(), edited.credit.as_str()),
        ("Fishing boats at dawn", "")
    );
    let shown = store.article_by_id(article.id).await.expect("article");
    assert_eq!(
        shown.featured_image.map(|m| m.alt_text),
        Some("Fishing boats at dawn".to_owned())
    );

    let hashes = store
        .delete_media(media.id, audit("media.delete"))
        .await
        .expect("delete");
    assert_eq!(hashes.len(), 3);
    assert!(!store.media_hash_in_use(&hashes[0]).await.expect("in use"));
    assert!(matches!(
        store.media_file(media.id, 480).await,
        Err(StoreError::NotFound(_))
    ));
    assert_eq!(
        store
            .article_by_id(article.id)
            .await
            .expect("article")
            .featured_image,
        None
    );
    assert!(matches!(
        store.delete_media(media.id, audit("media.delete")).await,
        Err(StoreError::NotFound(_))
    ));
}

/// Co-authors follow the first author in the byline, in order and without repeats, on the
/// article and in lists; each finds the article in their own archive; a save replaces them.
pub async fn co_authors_are_in_the_byline_and_their_archives(store: &dyn Store) {
    let ada = author(store, "Ada").await;
    let ben = author(store, "Ben").await;
    let cy = author(store, "Cy").await;
    let mut new = new_article(&ada, "joint-work", NOW - 10);
    new.coauthor_ids = vec![cy.id, ada.id, ben.id, cy.id];
    let article = store.create_article(new).await.expect("create");
    let names = |a: &Article| a.authors.iter().map(|x| x.name.clone()).collect::<Vec<_>>();
    assert_eq!(names(&article), vec!["Ada", "Cy", "Ben"]);
    assert_eq!(article.author.id, ada.id);
    store
        .create_article(new_article(&ada, "alone", NOW - 20))
        .await
        .expect("create");
    for (who, expected) in [(&ada, 2), (&ben, 1), (&cy, 1)] {
        let page = store
            .published_articles(&ArticleFilter::Author(who.id), PageRequest::new(1, 10), NOW)
            .await
            .expect("archive");
        assert_eq!(page.total, expected, "{}", who.display_name);
        assert_eq!(page.items.len() as i64, expected);
    }
    let listed = store
        .published_articles(&ArticleFilter::Author(ben.id), PageRequest::new(1, 10), NOW)
        .await
        .expect("archive");
    let byline: Vec<&str> = listed.items[0]
        .authors
        .iter()
        .map(|a| a.name.as_str())
        .collect();
    assert_eq!(byline, vec!["Ada", "Cy", "Ben"]);
    let feed = store
        .feed_articles(&ArticleFilter::Author(cy.id), 10, NOW)
        .await
        .expect("feed");
    assert_eq!(feed.len(), 1);
    assert_eq!(names(&feed[0]), vec!["Ada", "Cy", "Ben"]);

    let mut update = update_of(&article, "joint-work");
    update.coauthor_ids = vec![ben.id];
    let saved = store
        .update_article(article.id, update)
        .await
        .expect("save");
    assert_eq!(names(&saved), vec!["Ada", "Ben"]);
    let cy_now = store
        .published_articles(&ArticleFilter::Author(cy.id), PageRequest::new(1, 10), NOW)
        .await
        .expect("archive");
    assert_eq!(cy_now.total, 0);
}
