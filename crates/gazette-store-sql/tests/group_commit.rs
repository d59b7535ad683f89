//! Concurrent comments are committed in groups: every acknowledged one is stored, each refused
//! one is refused alone, and none is lost or duplicated.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use gazette_domain::{CommentId, CommentStatus, PageRequest};
use gazette_store::Store;
use gazette_store::testkit::{article, author, new_comment};
use gazette_store_sql::SqlStore;
use std::sync::Arc;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_comments_are_all_stored_and_refusals_stay_alone() {
    let dir = tempfile::tempdir().expect("dir");
    let store = Arc::new(
        SqlStore::connect(&format!("sqlite:{}", dir.path().join("g.db").display()))
            .await
            .expect("open"),
    );
    let ada = author(store.as_ref(), "Ada").await;
    let a = article(store.as_ref(), &ada, "a").await;
    let mut tasks = Vec::new();
    for n in 0..200 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            // Every tenth names a parent that does not exist and must be refused on its own.
            let parent = (n % 10 == 0).then_some(CommentId(1_000_000 + n));
            let mut comment = new_comment(
                a.id,
                parent,
                &format!("r{n}@example.org"),
                CommentStatus::Approved,
            );
            comment.body_markdown = format!("comment {n}");
            store.insert_comment(comment).await
        }));
    }
    let mut stored = Vec::new();
    let mut refused = 0;
    for task in tasks {
        match task.await.expect("task") {
            Ok(comment) => stored.push(comment.id),
            Err(gazette_store::StoreError::NotFound("parent comment")) => refused += 1,
            Err(other) => panic!("unexpected failure: {other}"),
        }
    }
    assert_eq!(refused, 20);
    assert_eq!(stored.len(), 180);
    stored.sort();
    stored.dedup();
    assert_eq!(stored.len(), 180, "ids are unique");
    let all = store
        .approved_comments(a.id, PageRequest::new(1, 1000))
        .await
        .expect("read");
    assert_eq!(all.len(), 180);
    assert_eq!(
        store
            .article_by_id(a.id)
            .await
            .expect("article")
            .comment_count,
        180
    );
    assert!(all.iter().all(|c| c.path == format!("{:012}", c.id.0)));
}
