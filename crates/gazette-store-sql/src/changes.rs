use crate::db::{Sql, scalar};
use crate::{SqlStore, map_err};
use gazette_domain::ArticleId;
use gazette_store::{ChangeFeed, StoreResult};

/// Records a change, on its own or inside a caller's transaction (`on`).
pub(crate) async fn record_change(
    on: crate::db::On<'_>,
    article: Option<ArticleId>,
    at: i64,
) -> StoreResult<i64> {
    scalar(
        on,
        &Sql::new("INSERT INTO changes (article_id, at) VALUES ($1, $2) RETURNING id")
            .bind(article.map(|a| a.0))
            .bind(at),
    )
    .await
    .map_err(map_err("change"))
}

pub(crate) async fn changes_after(
    db: &SqlStore,
    after: i64,
    limit: i64,
) -> StoreResult<Vec<(i64, Option<ArticleId>)>> {
    let rows: Vec<(i64, Option<i64>)> = db
        .on()
        .all(
            &Sql::new("SELECT id, article_id FROM changes WHERE id > $1 ORDER BY id LIMIT $2")
                .bind(after)
                .bind(limit),
        )
        .await
        .map_err(map_err("changes"))?;
    Ok(rows
        .into_iter()
        .map(|(id, article)| (id, article.map(ArticleId)))
        .collect())
}

pub(crate) async fn last_change_id(db: &SqlStore) -> StoreResult<i64> {
    let last: Option<i64> = scalar(db.on(), &Sql::new("SELECT MAX(id) FROM changes"))
        .await
        .map_err(map_err("changes"))?;
    Ok(last.unwrap_or(0))
}

/// PostgreSQL pushes changes as they commit (LISTEN/NOTIFY); SQLite, on one machine, has no
/// feed and its readers poll [`changes_after`].
pub(crate) async fn change_feed(db: &SqlStore) -> StoreResult<Option<Box<dyn ChangeFeed>>> {
    match db.postgres_pool() {
        Some(pool) => Ok(Some(Box::new(
            crate::postgres::PgChangeFeed::listen(pool).await?,
        ))),
        None => Ok(None),
    }
}
