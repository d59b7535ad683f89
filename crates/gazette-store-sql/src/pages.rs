//! Static pages and media records.

use crate::db::{On, Sql, scalar};
use crate::{SqlStore, WriteTx, map_err};
use gazette_domain::static_page::MAX_TRAIL;
use gazette_domain::{
    Crumb, Media, MediaId, NewMedia, NewStaticPage, Page, PageId, PageRequest, StaticPage,
    StaticPageRow, StaticPageUpdate,
};
use gazette_store::rows::{
    CrumbRow, MEDIA_COLUMNS, MediaRow, PAGE_COLUMNS, PAGE_LIST_COLUMNS, PageListRow, PageRow,
};
use gazette_store::{StoreError, StoreResult};

fn page_by(key: &str) -> String {
    format!(
        "SELECT {PAGE_COLUMNS} FROM pages p JOIN users u ON u.id = p.author_id WHERE p.{key} = $1"
    )
}

async fn read_page(on: On<'_>, sql: &Sql) -> StoreResult<StaticPage> {
    let row: PageRow = on.one(sql).await.map_err(map_err("page"))?;
    row.into_page()
}

/// Writes a page's row; returns its id. A taken slug is a `Conflict("page slug")`.
pub(crate) async fn insert_page(tx: &mut WriteTx, page: &NewStaticPage) -> StoreResult<i64> {
    scalar(
        tx.on(),
        &Sql::new(
            "INSERT INTO pages (slug, title, body_source, body_format, body_html, parent_id, author_id, \
             status, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
        )
        .bind(&page.slug)
        .bind(&page.title)
        .bind(&page.body_source)
        .bind(page.body_format.as_str())
        .bind(&page.body_html)
        .bind(page.parent_id.map(|p| p.0))
        .bind(page.author_id.0)
        .bind(page.status.as_str())
        .bind(page.created_at)
        .bind(page.updated_at),
    )
    .await
    .map_err(map_err("page slug"))
}

pub(crate) async fn create_page(db: &SqlStore, page: NewStaticPage) -> StoreResult<StaticPage> {
    let mut tx = db.write().await?;
    let id = insert_page(&mut tx, &page).await?;
    let created = read_page(tx.on(), &Sql::new(page_by("id")).bind(id)).await?;
    tx.commit().await.map_err(map_err("page"))?;
    Ok(created)
}

pub(crate) async fn update_page(
    db: &SqlStore,
    id: PageId,
    update: StaticPageUpdate,
) -> StoreResult<StaticPage> {
    let mut tx = db.write().await?;
    let (old_slug, version): (String, i64) = tx
        .on()
        .one(
            &Sql::new(format!(
                "SELECT slug, version FROM pages WHERE id = $1{}",
                db.dialect().for_update()
            ))
            .bind(id.0),
        )
        .await
        .map_err(map_err("page"))?;
    if version != update.expected_version {
        return Err(StoreError::Conflict("page version"));
    }
    let page = &update.page;
    tx.on()
        .execute(
            &Sql::new(
                "UPDATE pages SET slug = $1, title = $2, body_source = $3, body_format = $4, body_html = $5, \
                 parent_id = $6, author_id = $7, status = $8, updated_at = $9, version = version + 1 \
                 WHERE id = $10",
            )
            .bind(&page.slug)
            .bind(&page.title)
            .bind(&page.body_source)
            .bind(page.body_format.as_str())
            .bind(&page.body_html)
            .bind(page.parent_id.map(|p| p.0))
            .bind(page.author_id.0)
            .bind(page.status.as_str())
            .bind(page.updated_at)
            .bind(id.0),
        )
        .await
        .map_err(map_err("page slug"))?;
    if old_slug != page.slug {
        // The old address keeps answering, with a 301 to the new one.
        let (old, new) = (format!("/{old_slug}"), format!("/{}", page.slug));
        tx.on()
            .execute(
                &Sql::new(
                    "INSERT INTO redirects (path, target, created_at) VALUES ($1, $2, $3) \
                     ON CONFLICT (path) DO UPDATE SET target = excluded.target",
                )
                .bind(&old)
                .bind(&new)
                .bind(page.updated_at),
            )
            .await
            .map_err(map_err("redirect"))?;
        tx.on()
            .execute(&Sql::new("DELETE FROM redirects WHERE path = $1").bind(&new))
            .await
            .map_err(map_err("redirect"))?;
    }
    let saved = read_page(tx.on(), &Sql::new(page_by("id")).bind(id.0)).await?;
    tx.commit().await.map_err(map_err("page"))?;
    Ok(saved)
}

pub(crate) async fn page_by_id(db: &SqlStore, id: PageId) -> StoreResult<StaticPage> {
    read_page(db.on(), &Sql::new(page_by("id")).bind(id.0)).await
}

pub(crate) async fn page_by_slug(db: &SqlStore, slug: &str) -> StoreResult<StaticPage> {
    read_page(db.on(), &Sql::new(page_by("slug")).bind(slug)).await
}

/// The page's parents, the farthest first, at most `MAX_TRAIL` of them (so a loop ends).
pub(crate) async fn page_trail(db: &SqlStore, id: PageId) -> StoreResult<Vec<Crumb>> {
    let rows: Vec<CrumbRow> = db
        .on()
        .all(
            &Sql::new(
                "WITH RECURSIVE trail (id, parent_id, title, slug, status, level) AS ( \
                 SELECT p.id, p.parent_id, p.title, p.slug, p.status, CAST(0 AS BIGINT) FROM pages p WHERE p.id = $1 \
                 UNION ALL \
                 SELECT p.id, p.parent_id, p.title, p.slug, p.status, t.level + 1 \
                 FROM pages p JOIN trail t ON p.id = t.parent_id WHERE t.level < $2) \
                 SELECT id, title, slug, status, level FROM trail WHERE level > 0 ORDER BY level DESC",
            )
            .bind(id.0)
            .bind(MAX_TRAIL as i64),
        )
        .await
        .map_err(map_err("page"))?;
    Ok(rows.into_iter().map(Crumb::from).collect())
}

pub(crate) async fn admin_pages(
    db: &SqlStore,
    page: PageRequest,
) -> StoreResult<Page<StaticPageRow>> {
    let total: i64 = scalar(db.on(), &Sql::new("SELECT COUNT(*) FROM pages"))
        .await
        .map_err(map_err("pages"))?;
    let rows: Vec<PageListRow> = db
        .on()
        .all(
            &Sql::new(format!(
                "SELECT {PAGE_LIST_COLUMNS} FROM pages p LEFT JOIN pages parent ON parent.id = p.parent_id \
                 ORDER BY p.title, p.id LIMIT $1 OFFSET $2"
            ))
            .bind(page.limit())
            .bind(page.offset()),
        )
        .await
        .map_err(map_err("pages"))?;
    Ok(Page {
        items: rows
            .into_iter()
            .map(PageListRow::into_row)
            .collect::<StoreResult<_>>()?,
        page: page.page,
        per_page: page.per_page,
        total,
    })
}

/// Writes a media record; returns its id.
pub(crate) async fn insert_media(tx: &mut WriteTx, media: &NewMedia) -> StoreResult<i64> {
    scalar(
        tx.on(),
        &Sql::new(
            "INSERT INTO media (url, title, alt_text, mime_type, article_id, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(&media.url)
        .bind(&media.title)
        .bind(&media.alt_text)
        .bind(&media.mime_type)
        .bind(media.article_id.map(|a| a.0))
        .bind(media.created_at),
    )
    .await
    .map_err(map_err("media"))
}

pub(crate) async fn media_by_id(db: &SqlStore, id: MediaId) -> StoreResult<Media> {
    let row: MediaRow = db
        .on()
        .one(
            &Sql::new(format!(
                "SELECT {MEDIA_COLUMNS} FROM media m WHERE m.id = $1"
            ))
            .bind(id.0),
        )
        .await
        .map_err(map_err("media"))?;
    Ok(row.into())
}
