use crate::db::{Sql, scalar};
use crate::{SqlStore, map_err};
use gazette_store::{Job, StoreError, StoreResult};

/// A day, in seconds: how long expired login failures and change-log rows are kept.
const DAY: i64 = 86_400;

pub(crate) async fn enqueue_job(
    db: &SqlStore,
    kind: &str,
    dedupe_key: Option<&str>,
    payload: &str,
    run_at: i64,
    now: i64,
) -> StoreResult<bool> {
    let queued = db
        .on()
        .execute(
            &Sql::new(
                "INSERT INTO jobs (kind, dedupe_key, payload, run_at, created_at) VALUES ($1, $2, $3, $4, $5) \
                 ON CONFLICT (dedupe_key) DO NOTHING",
            )
            .bind(kind)
            .bind(dedupe_key)
            .bind(payload)
            .bind(run_at)
            .bind(now),
        )
        .await
        .map_err(map_err("job"))?;
    Ok(queued == 1)
}

pub(crate) async fn claim_job(
    db: &SqlStore,
    now: i64,
    lease_until: i64,
) -> StoreResult<Option<Job>> {
    // One statement: on SQLite its one writer makes the claim atomic; on PostgreSQL the row is
    // locked, and a job another node is claiming at this instant is skipped, not waited on.
    let sql = format!(
        "UPDATE jobs SET locked_until = $2, attempts = attempts + 1 \
         WHERE id = (SELECT id FROM jobs WHERE done_at IS NULL AND run_at <= $1 \
                     AND (locked_until IS NULL OR locked_until < $1) ORDER BY run_at, id LIMIT 1{}) \
         RETURNING id, kind, payload, attempts",
        db.dialect().skip_locked()
    );
    let row: Option<(i64, String, String, i64)> = db
        .on()
        .optional(&Sql::new(sql).bind(now).bind(lease_until))
        .await
        .map_err(map_err("job"))?;
    Ok(row.map(|(id, kind, payload, attempts)| Job {
        id,
        kind,
        payload,
        attempts,
    }))
}

pub(crate) async fn finish_job(db: &SqlStore, id: i64, at: i64) -> StoreResult<()> {
    let done = db
        .on()
        .execute(
            &Sql::new("UPDATE jobs SET done_at = $2, locked_until = NULL WHERE id = $1")
                .bind(id)
                .bind(at),
        )
        .await
        .map_err(map_err("job"))?;
    if done == 0 {
        return Err(StoreError::NotFound("job"));
    }
    Ok(())
}

pub(crate) async fn fail_job(
    db: &SqlStore,
    id: i64,
    error: &str,
    retry_at: i64,
) -> StoreResult<()> {
    let failed = db
        .on()
        .execute(
            &Sql::new(
                "UPDATE jobs SET locked_until = NULL, run_at = $3, last_error = $2 \
                 WHERE id = $1 AND done_at IS NULL",
            )
            .bind(id)
            .bind(error)
            .bind(retry_at),
        )
        .await
        .map_err(map_err("job"))?;
    if failed == 0 {
        return Err(StoreError::NotFound("job"));
    }
    Ok(())
}

pub(crate) async fn pending_jobs(db: &SqlStore, now: i64) -> StoreResult<i64> {
    scalar(
        db.on(),
        &Sql::new("SELECT COUNT(*) FROM jobs WHERE done_at IS NULL AND run_at <= $1").bind(now),
    )
    .await
    .map_err(map_err("jobs"))
}

pub(crate) async fn prune_expired(db: &SqlStore, now: i64) -> StoreResult<u64> {
    let mut tx = db.write().await?;
    let mut deleted = 0;
    for (sql, before) in [
        ("DELETE FROM sessions WHERE expires_at <= $1", now),
        ("DELETE FROM password_resets WHERE expires_at <= $1", now),
        ("DELETE FROM login_failures WHERE at < $1", now - DAY),
        ("DELETE FROM changes WHERE at < $1", now - DAY),
        ("DELETE FROM jobs WHERE done_at < $1", now - 7 * DAY),
        // Uploads a browser gave up on: their pieces, then the runs themselves.
        (
            "DELETE FROM import_chunks WHERE import_id IN \
             (SELECT id FROM imports WHERE status = 'uploading' AND created_at < $1)",
            now - DAY,
        ),
        (
            "DELETE FROM imports WHERE status = 'uploading' AND created_at < $1",
            now - DAY,
        ),
    ] {
        deleted += tx
            .on()
            .execute(&Sql::new(sql).bind(before))
            .await
            .map_err(map_err("pruning"))?;
    }
    tx.commit().await.map_err(map_err("pruning"))?;
    Ok(deleted)
}

pub(crate) async fn renew_job(db: &SqlStore, id: i64, lease_until: i64) -> StoreResult<()> {
    db.on()
        .execute(
            &Sql::new("UPDATE jobs SET locked_until = $2 WHERE id = $1 AND done_at IS NULL")
                .bind(id)
                .bind(lease_until),
        )
        .await
        .map_err(map_err("job"))?;
    Ok(())
}
