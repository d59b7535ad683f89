use crate::{SqliteStore, map_err};
use gazette_domain::ArticleId;
use gazette_store::StoreResult;

pub(crate) async fn record_change(
    db: &SqliteStore,
    article: Option<ArticleId>,
    at: i64,
) -> StoreResult<i64> {
    sqlx::query_scalar("INSERT INTO changes (article_id, at) VALUES ($1, $2) RETURNING id")
        .bind(article.map(|a| a.0))
        .bind(at)
        .fetch_one(&db.pool)
        .await
        .map_err(map_err("change"))
}

pub(crate) async fn changes_after(
    db: &SqliteStore,
    after: i64,
    limit: i64,
) -> StoreResult<Vec<(i64, Option<ArticleId>)>> {
    let rows: Vec<(i64, Option<i64>)> =
        sqlx::query_as("SELECT id, article_id FROM changes WHERE id > $1 ORDER BY id LIMIT $2")
            .bind(after)
            .bind(limit)
            .fetch_all(&db.pool)
            .await
            .map_err(map_err("changes"))?;
    Ok(rows
        .into_iter()
        .map(|(id, article)| (id, article.map(ArticleId)))
        .collect())
}

pub(crate) async fn last_change_id(db: &SqliteStore) -> StoreResult<i64> {
    let last: Option<i64> = sqlx::query_scalar("SELECT MAX(id) FROM changes")
        .fetch_one(&db.pool)
        .await
        .map_err(map_err("changes"))?;
    Ok(last.unwrap_or(0))
}
