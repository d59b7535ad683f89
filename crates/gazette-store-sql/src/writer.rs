//! Group commit for new comments, on both databases. Each commit waits for the disk (SQLite's
//! `synchronous=FULL`, PostgreSQL's WAL flush); under load many readers post at once, and one
//! commit per comment makes the disk the limit. One writer task per process takes every comment
//! waiting, inserts them in one transaction and commits once; each caller gets its answer only
//! after that commit, so an acknowledged comment is on disk.
//!
//! A comment refused by its checks (missing article or parent, over its limits, a duplicate)
//! writes nothing and does not affect the others; a failed write rolls the whole group back and
//! every caller hears of it. On PostgreSQL the group first takes the advisory locks of all its
//! comments' guards, in one sorted statement, so groups on different nodes take turns on the same
//! network or text and never deadlock.

use crate::SqlStore;
use crate::comments::{Refusal, guard_keys, insert_in, reserve_ids};
use gazette_domain::{Comment, NewComment};
use gazette_store::{StoreError, StoreResult};
use tokio::sync::{mpsc, oneshot};

/// Most comments committed together.
const BATCH: usize = 64;

/// A comment waiting for the writer, and where its answer goes.
pub(crate) struct Pending {
    comment: NewComment,
    reply: oneshot::Sender<StoreResult<Comment>>,
}

/// The queue into the writer task.
pub(crate) type Queue = mpsc::Sender<Pending>;

/// Starts the writer task for `store`.
pub(crate) fn start(store: SqlStore, mut receiver: mpsc::Receiver<Pending>) {
    tokio::spawn(async move {
        while let Some(first) = receiver.recv().await {
            let mut batch = vec![first];
            while batch.len() < BATCH {
                match receiver.try_recv() {
                    Ok(next) => batch.push(next),
                    Err(_) => break,
                }
            }
            commit_batch(&store, batch).await;
        }
    });
}

async fn commit_batch(store: &SqlStore, batch: Vec<Pending>) {
    let mut tx = match store.write().await {
        Ok(tx) => tx,
        Err(error) => {
            let message = error.to_string();
            for pending in batch {
                let _ = pending.reply.send(Err(StoreError::Other(message.clone())));
            }
            return;
        }
    };
    let mut failure: Option<String> = None;
    let keys: Vec<String> = batch.iter().flat_map(|p| guard_keys(&p.comment)).collect();
    if let Some(lock) = store.dialect().lock_keys(keys)
        && let Err(error) = tx.on().execute(&lock).await
    {
        failure = Some(format!("locking comment limits: {error}"));
    }
    let mut results = Vec::with_capacity(batch.len());
    let mut ids = Vec::new();
    if failure.is_none() {
        match reserve_ids(store, &mut tx, batch.len()).await {
            Ok(reserved) if reserved.len() == batch.len() => ids = reserved,
            Ok(_) => failure = Some("reserving comment ids: too few".into()),
            Err(error) => failure = Some(error.to_string()),
        }
    }
    if failure.is_none() {
        for (pending, id) in batch.iter().zip(ids) {
            match insert_in(store, &mut tx, &pending.comment, id).await {
                Ok(comment) => results.push(Ok(comment)),
                Err(Refusal::Refused(error)) => results.push(Err(error)),
                Err(Refusal::Failed(error)) => {
                    failure = Some(error.to_string());
                    break;
                }
            }
        }
    }
    let outcome = match failure {
        Some(message) => {
            tx.rollback().await;
            Err(message)
        }
        None => tx
            .commit()
            .await
            .map_err(|e| format!("committing comments: {e}")),
    };
    let mut results = results.into_iter();
    for pending in batch {
        let answer = match &outcome {
            Ok(()) => results
                .next()
                .unwrap_or_else(|| Err(StoreError::Other("comment was not written".into()))),
            Err(message) => Err(StoreError::Other(message.clone())),
        };
        // A caller that went away (client disconnected) simply does not hear back; its comment,
        // if committed, stays: the write was durable before anyone was told.
        let _ = pending.reply.send(answer);
    }
}

/// Queues a comment for the writer and waits until it is committed (or refused).
pub(crate) async fn submit(store: &SqlStore, comment: NewComment) -> StoreResult<Comment> {
    let (reply, answer) = oneshot::channel();
    store
        .comments
        .send(Pending { comment, reply })
        .await
        .map_err(|_| StoreError::Other("the comment writer has stopped".into()))?;
    answer
        .await
        .map_err(|_| StoreError::Other("the comment writer stopped before answering".into()))?
}
