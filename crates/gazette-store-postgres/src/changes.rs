use crate::{PgStore, map_err};
use gazette_domain::ArticleId;
use gazette_store::{Change, ChangeFeed, StoreResult};
use sqlx::postgres::PgListener;

pub(crate) async fn record_change(
    db: &PgStore,
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
    db: &PgStore,
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

pub(crate) async fn last_change_id(db: &PgStore) -> StoreResult<i64> {
    let last: Option<i64> = sqlx::query_scalar("SELECT MAX(id) FROM changes")
        .fetch_one(&db.pool)
        .await
        .map_err(map_err("changes"))?;
    Ok(last.unwrap_or(0))
}

/// The channel the `changes` table's trigger notifies on (migration 0004).
const CHANNEL: &str = "gazette_changes";

/// Changes pushed by PostgreSQL as their transactions commit, on a connection of its own.
pub(crate) struct PgChangeFeed {
    listener: PgListener,
}

impl PgChangeFeed {
    pub(crate) async fn listen(db: &PgStore) -> StoreResult<Self> {
        let mut listener = PgListener::connect_with(&db.pool)
            .await
            .map_err(map_err("change feed"))?;
        listener
            .listen(CHANNEL)
            .await
            .map_err(map_err("change feed"))?;
        Ok(Self { listener })
    }
}

#[async_trait::async_trait]
impl ChangeFeed for PgChangeFeed {
    async fn next(&mut self) -> StoreResult<Option<Change>> {
        loop {
            // `try_recv` reports a lost connection as `None` instead of silently reconnecting,
            // so the caller knows notifications may have been missed.
            let Some(notification) = self
                .listener
                .try_recv()
                .await
                .map_err(map_err("change feed"))?
            else {
                return Ok(None);
            };
            match parse_notice(notification.payload()) {
                Some(change) => return Ok(Some(change)),
                None => tracing::warn!(
                    payload = notification.payload(),
                    "ignoring a malformed change notice"
                ),
            }
        }
    }
}

/// Reads "ID:ARTICLE" ("*" for a site-wide change).
fn parse_notice(payload: &str) -> Option<Change> {
    let (id, article) = payload.split_once(':')?;
    let id = id.parse().ok()?;
    let article = match article {
        "*" => None,
        article => Some(ArticleId(article.parse().ok()?)),
    };
    Some((id, article))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notices_parse_and_garbage_does_not() {
        assert_eq!(parse_notice("12:7"), Some((12, Some(ArticleId(7)))));
        assert_eq!(parse_notice("13:*"), Some((13, None)));
        assert_eq!(parse_notice("x:7"), None);
        assert_eq!(parse_notice("14"), None);
        assert_eq!(parse_notice("15:seven"), None);
    }
}
