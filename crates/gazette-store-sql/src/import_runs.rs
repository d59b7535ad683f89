//! Imports uploaded in the newsroom: the run's record and its file, in pieces.

use crate::db::{Sql, scalar};
use crate::{SqlStore, map_err};
use gazette_domain::import::{ImportRun, NewImportRun};
use gazette_store::StoreResult;

const COLUMNS: &str = "id, kind, file_name, size, dry_run, status, items_done, comments_done, \
     report, created_by, created_at, finished_at";

#[derive(sqlx::FromRow)]
struct RunRow {
    id: i64,
    kind: String,
    file_name: String,
    size: i64,
    dry_run: bool,
    status: String,
    items_done: i64,
    comments_done: i64,
    report: String,
    created_by: String,
    created_at: i64,
    finished_at: Option<i64>,
}

impl From<RunRow> for ImportRun {
    fn from(row: RunRow) -> Self {
        ImportRun {
            id: row.id,
            kind: row.kind,
            file_name: row.file_name,
            size: row.size,
            dry_run: row.dry_run,
            status: row.status,
            items_done: row.items_done,
            comments_done: row.comments_done,
            report: row.report,
            created_by: row.created_by,
            created_at: row.created_at,
            finished_at: row.finished_at,
        }
    }
}

pub(crate) async fn create_import_run(db: &SqlStore, run: NewImportRun) -> StoreResult<i64> {
    let mut tx = db.write().await?;
    let id = scalar(
        tx.on(),
        &Sql::new(
            "INSERT INTO imports (kind, file_name, dry_run, status, created_by, created_at) \
             VALUES ($1, $2, $3, 'uploading', $4, $5) RETURNING id",
        )
        .bind(&run.kind)
        .bind(&run.file_name)
        .bind(run.dry_run)
        .bind(&run.created_by)
        .bind(run.created_at),
    )
    .await
    .map_err(map_err("import"))?;
    tx.commit().await.map_err(map_err("import"))?;
    Ok(id)
}

pub(crate) async fn add_import_chunk(
    db: &SqlStore,
    id: i64,
    seq: i64,
    data: &[u8],
) -> StoreResult<()> {
    let mut tx = db.write().await?;
    tx.on()
        .execute(
            &Sql::new("INSERT INTO import_chunks (import_id, seq, data) VALUES ($1, $2, $3)")
                .bind(id)
                .bind(seq)
                .bind(data),
        )
        .await
        .map_err(map_err("import file"))?;
    tx.commit().await.map_err(map_err("import file"))?;
    Ok(())
}

pub(crate) async fn import_chunk(db: &SqlStore, id: i64, seq: i64) -> StoreResult<Option<Vec<u8>>> {
    let row: Option<(Vec<u8>,)> = db
        .on()
        .optional(
            &Sql::new("SELECT data FROM import_chunks WHERE import_id = $1 AND seq = $2")
                .bind(id)
                .bind(seq),
        )
        .await
        .map_err(map_err("import file"))?;
    Ok(row.map(|(data,)| data))
}

pub(crate) async fn queue_import_run(
    db: &SqlStore,
    id: i64,
    size: i64,
    now: i64,
) -> StoreResult<()> {
    let mut tx = db.write().await?;
    let updated = tx
        .on()
        .execute(
            &Sql::new(
                "UPDATE imports SET status = 'queued', size = $2 WHERE id = $1 AND status = 'uploading'",
            )
            .bind(id)
            .bind(size),
        )
        .await
        .map_err(map_err("import"))?;
    if updated == 0 {
        return Err(gazette_store::StoreError::NotFound("import"));
    }
    tx.on()
        .execute(
            &Sql::new(
                "INSERT INTO jobs (kind, dedupe_key, payload, run_at, created_at) VALUES ('import', $1, $2, $3, $3)",
            )
            .bind(format!("import:{id}"))
            .bind(id.to_string())
            .bind(now),
        )
        .await
        .map_err(map_err("job"))?;
    tx.commit().await.map_err(map_err("import"))?;
    Ok(())
}

pub(crate) async fn import_run(db: &SqlStore, id: i64) -> StoreResult<ImportRun> {
    let row: RunRow = db
        .on()
        .one(&Sql::new(format!("SELECT {COLUMNS} FROM imports WHERE id = $1")).bind(id))
        .await
        .map_err(map_err("import"))?;
    Ok(row.into())
}

pub(crate) async fn import_runs(db: &SqlStore, limit: i64) -> StoreResult<Vec<ImportRun>> {
    let rows: Vec<RunRow> = db
        .on()
        .all(
            &Sql::new(format!(
                "SELECT {COLUMNS} FROM imports ORDER BY created_at DESC, id DESC LIMIT $1"
            ))
            .bind(limit),
        )
        .await
        .map_err(map_err("imports"))?;
    Ok(rows.into_iter().map(ImportRun::from).collect())
}

pub(crate) async fn update_import_run(db: &SqlStore, run: &ImportRun) -> StoreResult<()> {
    let mut tx = db.write().await?;
    tx.on()
        .execute(
            &Sql::new(
                "UPDATE imports SET status = $2, items_done = $3, comments_done = $4, report = $5, \
                 finished_at = $6 WHERE id = $1",
            )
            .bind(run.id)
            .bind(&run.status)
            .bind(run.items_done)
            .bind(run.comments_done)
            .bind(&run.report)
            .bind(run.finished_at),
        )
        .await
        .map_err(map_err("import"))?;
    if run.finished_at.is_some() {
        tx.on()
            .execute(&Sql::new("DELETE FROM import_chunks WHERE import_id = $1").bind(run.id))
            .await
            .map_err(map_err("import file"))?;
    }
    tx.commit().await.map_err(map_err("import"))?;
    Ok(())
}

pub(crate) async fn delete_import_run(db: &SqlStore, id: i64) -> StoreResult<()> {
    let mut tx = db.write().await?;
    for sql in [
        "DELETE FROM import_chunks WHERE import_id = $1",
        "DELETE FROM imports WHERE id = $1",
    ] {
        tx.on()
            .execute(&Sql::new(sql).bind(id))
            .await
            .map_err(map_err("import"))?;
    }
    tx.commit().await.map_err(map_err("import"))?;
    Ok(())
}
