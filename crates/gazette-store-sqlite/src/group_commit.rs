//! Group commit for new comments. SQLite commits one transaction at a time, and each commit waits
//! for the disk (synchronous=FULL). Under load, many readers post at once: one writer task takes
//! every comment waiting, inserts them in one transaction (each in its own savepoint) and commits
//! once; each caller gets its answer only after that commit, so an acknowledged comment is on disk.
//! A comment refused by its checks (missing article or parent) writes nothing and does not affect
//! the others; a failed write rolls the whole group back and every caller hears of it.

use crate::SqliteStore;
use crate::comments::{Refusal, insert_in};
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

/// Starts the writer task for `store` and returns its queue.
pub(crate) fn start(store: SqliteStore, mut receiver: mpsc::Receiver<Pending>) {
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

async fn commit_batch(store: &SqliteStore, batch: Vec<Pending>) {
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
    let mut results = Vec::with_capacity(batch.len());
    let mut failure: Option<String> = None;
    for pending in &batch {
        match insert_in(&mut tx, &pending.comment).await {
            Ok(comment) => results.push(Ok(comment)),
            Err(Refusal::Refused(error)) => results.push(Err(error)),
            Err(Refusal::Failed(error)) => {
                failure = Some(error.to_string());
                break;
            }
        }
    }
    let outcome = match failure {
        Some(message) => {
            drop(tx); // rolls back
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

impl SqliteStore {
    /// Queues a comment for the writer and waits until it is committed (or refused).
    pub(crate) async fn submit_comment(&self, comment: NewComment) -> StoreResult<Comment> {
        let (reply, answer) = oneshot::channel();
        self.comments
            .send(Pending { comment, reply })
            .await
            .map_err(|_| StoreError::Other("the comment writer has stopped".into()))?;
        answer
            .await
            .map_err(|_| StoreError::Other("the comment writer stopped before answering".into()))?
    }
}
