//! Uploaded images: the record, its stored sizes, the library and its edits.

use crate::db::{Sql, scalar};
use crate::moderation::audit_in;
use crate::{SqlStore, map_err};
use gazette_domain::records::NewAudit;
use gazette_domain::{Media, MediaFile, MediaId, MediaText, NewUpload, Page, PageRequest};
use gazette_store::rows::{MEDIA_COLUMNS, MediaRow};
use gazette_store::{StoreError, StoreResult};

async fn read_media(on: crate::db::On<'_>, id: i64) -> StoreResult<Media> {
    let row: MediaRow = on
        .one(
            &Sql::new(format!(
                "SELECT {MEDIA_COLUMNS} FROM media m WHERE m.id = $1"
            ))
            .bind(id),
        )
        .await
        .map_err(map_err("media"))?;
    Ok(row.into())
}

pub(crate) async fn create_upload(
    db: &SqlStore,
    upload: NewUpload,
    audit: NewAudit,
) -> StoreResult<Media> {
    let widths: Vec<i64> = upload.files.iter().map(|f| f.width).collect();
    let Some(&largest) = widths.last() else {
        return Err(StoreError::Refused("an upload without files"));
    };
    let mut tx = db.write().await?;
    let id: i64 = scalar(
        tx.on(),
        &Sql::new(
            "INSERT INTO media (url, title, alt_text, mime_type, article_id, created_at, caption, \
             credit, width, height, variants, uploaded_by) \
             VALUES ('', $1, $2, $3, NULL, $4, $5, $6, $7, $8, $9, $10) \
             RETURNING id",
        )
        .bind(&upload.text.title)
        .bind(&upload.text.alt_text)
        .bind(&upload.mime_type)
        .bind(upload.created_at)
        .bind(&upload.text.caption)
        .bind(&upload.text.credit)
        .bind(upload.width)
        .bind(upload.height)
        .bind(Media::pack_variants(&widths))
        .bind(upload.uploaded_by.0),
    )
    .await
    .map_err(map_err("media"))?;
    for file in &upload.files {
        tx.on()
            .execute(
                &Sql::new(
                    "INSERT INTO media_files (media_id, width, height, mime_type, sha256, size, data) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )
                .bind(id)
                .bind(file.width)
                .bind(file.height)
                .bind(&file.mime_type)
                .bind(&file.sha256)
                .bind(file.size)
                .bind(file.data.as_deref()),
            )
            .await
            .map_err(map_err("media file"))?;
    }
    let mut media = read_media(tx.on(), id).await?;
    // Its address is its largest size: what feeds, social cards and old code paths link to.
    let url = media.variant_path(largest);
    tx.on()
        .execute(
            &Sql::new("UPDATE media SET url = $1 WHERE id = $2")
                .bind(&url)
                .bind(id),
        )
        .await
        .map_err(map_err("media"))?;
    media.url = url;
    let audit = NewAudit {
        detail: format!("{} (media {id})", audit.detail),
        ..audit
    };
    audit_in(&mut tx, &audit, None, None).await?;
    tx.commit().await.map_err(map_err("media"))?;
    Ok(media)
}

pub(crate) async fn media_file(db: &SqlStore, id: MediaId, width: i64) -> StoreResult<MediaFile> {
    let row: (i64, i64, String, String, i64, Option<Vec<u8>>) = db
        .on()
        .one(
            &Sql::new(
                "SELECT width, height, mime_type, sha256, size, data FROM media_files \
                 WHERE media_id = $1 AND width = $2",
            )
            .bind(id.0)
            .bind(width),
        )
        .await
        .map_err(map_err("media file"))?;
    let (width, height, mime_type, sha256, size, data) = row;
    Ok(MediaFile {
        width,
        height,
        mime_type,
        sha256,
        size,
        data,
    })
}

pub(crate) async fn media_library(db: &SqlStore, page: PageRequest) -> StoreResult<Page<Media>> {
    let total: i64 = scalar(db.on(), &Sql::new("SELECT COUNT(*) FROM media"))
        .await
        .map_err(map_err("media"))?;
    let rows: Vec<MediaRow> = db
        .on()
        .all(
            &Sql::new(format!(
                "SELECT {MEDIA_COLUMNS} FROM media m ORDER BY m.created_at DESC, m.id DESC \
                 LIMIT $1 OFFSET $2"
            ))
            .bind(page.limit())
            .bind(page.offset()),
        )
        .await
        .map_err(map_err("media"))?;
    Ok(Page {
        items: rows.into_iter().map(Media::from).collect(),
        page: page.page,
        per_page: page.per_page,
        total,
    })
}

pub(crate) async fn update_media(
    db: &SqlStore,
    id: MediaId,
    text: MediaText,
    audit: NewAudit,
) -> StoreResult<Media> {
    let mut tx = db.write().await?;
    let changed = tx
        .on()
        .execute(
            &Sql::new(
                "UPDATE media SET title = $1, alt_text = $2, caption = $3, credit = $4 WHERE id = $5",
            )
            .bind(&text.title)
            .bind(&text.alt_text)
            .bind(&text.caption)
            .bind(&text.credit)
            .bind(id.0),
        )
        .await
        .map_err(map_err("media"))?;
    if changed == 0 {
        return Err(StoreError::NotFound("media"));
    }
    audit_in(&mut tx, &audit, None, None).await?;
    let media = read_media(tx.on(), id.0).await?;
    tx.commit().await.map_err(map_err("media"))?;
    Ok(media)
}

pub(crate) async fn media_usage(db: &SqlStore, id: MediaId) -> StoreResult<i64> {
    scalar(
        db.on(),
        &Sql::new("SELECT COUNT(*) FROM articles WHERE featured_media_id = $1").bind(id.0),
    )
    .await
    .map_err(map_err("media"))
}

pub(crate) async fn delete_media(
    db: &SqlStore,
    id: MediaId,
    audit: NewAudit,
) -> StoreResult<Vec<String>> {
    let mut tx = db.write().await?;
    let hashes: Vec<(String,)> = tx
        .on()
        .all(&Sql::new("SELECT sha256 FROM media_files WHERE media_id = $1").bind(id.0))
        .await
        .map_err(map_err("media file"))?;
    tx.on()
        .execute(
            &Sql::new("UPDATE articles SET featured_media_id = NULL WHERE featured_media_id = $1")
                .bind(id.0),
        )
        .await
        .map_err(map_err("article"))?;
    tx.on()
        .execute(&Sql::new("DELETE FROM media_files WHERE media_id = $1").bind(id.0))
        .await
        .map_err(map_err("media file"))?;
    let deleted = tx
        .on()
        .execute(&Sql::new("DELETE FROM media WHERE id = $1").bind(id.0))
        .await
        .map_err(map_err("media"))?;
    if deleted == 0 {
        return Err(StoreError::NotFound("media"));
    }
    audit_in(&mut tx, &audit, None, None).await?;
    tx.commit().await.map_err(map_err("media"))?;
    Ok(hashes.into_iter().map(|(h,)| h).collect())
}

/// Whether another stored file still has these bytes (files in `[media] dir` are named by hash,
/// so two uploads of one picture share a file).
pub(crate) async fn media_hash_in_use(db: &SqlStore, sha256: &str) -> StoreResult<bool> {
    let count: i64 = scalar(
        db.on(),
        &Sql::new("SELECT COUNT(*) FROM media_files WHERE sha256 = $1").bind(sha256),
    )
    .await
    .map_err(map_err("media file"))?;
    Ok(count > 0)
}
