use crate::{PgStore, map_err};
use gazette_domain::thread::{ParentPosition, place};
use gazette_domain::{
    ArticleId, Comment, CommentGuard, CommentId, CommentStatus, NewComment, PageRequest,
    StaffComment,
};
use gazette_store::queries::GUARD_COUNTS;
use gazette_store::rows::{COMMENT_COLUMNS, CommentRow, STAFF_COMMENT_COLUMNS, StaffCommentRow};
use gazette_store::{StoreError, StoreResult};
use sqlx::{PgConnection, Postgres, QueryBuilder};
use std::sync::LazyLock;

static COMMENT_BY_ID: LazyLock<String> =
    LazyLock::new(|| format!("SELECT {COMMENT_COLUMNS} FROM comments c WHERE c.id = $1"));
pub(crate) static STAFF_COMMENT_BY_ID: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT {STAFF_COMMENT_COLUMNS} FROM comments c JOIN articles a ON a.id = c.article_id WHERE c.id = $1"
    )
});
static APPROVED_PAGE: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT {COMMENT_COLUMNS} FROM comments c WHERE c.article_id = $1 AND c.status = 'approved' \
         ORDER BY c.path LIMIT $2 OFFSET $3"
    )
});

pub(crate) async fn insert_comment(db: &PgStore, new: NewComment) -> StoreResult<Comment> {
    let mut tx = db.write().await?;
    let article_exists: Option<i64> =
        sqlx::query_scalar("SELECT id FROM articles WHERE id = $1 FOR SHARE")
            .bind(new.article_id.0)
            .fetch_optional(&mut *tx)
            .await
            .map_err(map_err("article"))?;
    if article_exists.is_none() {
        return Err(StoreError::NotFound("article"));
    }
    let parent = match new.parent_id {
        Some(parent_id) => Some(approved_parent(&mut tx, new.article_id, parent_id).await?),
        None => None,
    };
    if let Some(guard) = &new.guard
        && let Some(reason) = guard_refusal(&mut tx, &new, guard).await?
    {
        return Err(StoreError::Refused(reason));
    }

    // The path ends in the comment's own id, so insert first and place it once the id is known.
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO comments (article_id, parent_id, path, depth, author_name, author_email, \
         author_url, avatar, body_markdown, body_html, status, held_reason, ip, user_agent, created_at, \
         ip_network, staff_user_id) \
         VALUES ($1, NULL, '', 0, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id",
    )
    .bind(new.article_id.0)
    .bind(&new.author_name)
    .bind(&new.author_email)
    .bind(&new.author_url)
    .bind(&new.avatar)
    .bind(&new.body_markdown)
    .bind(&new.body_html)
    .bind(new.status.as_str())
    .bind(&new.held_reason)
    .bind(&new.ip)
    .bind(&new.user_agent)
    .bind(new.created_at)
    .bind(&new.ip_network)
    .bind(new.staff_user_id.map(|u| u.0))
    .fetch_one(&mut *tx)
    .await
    .map_err(map_err("comment"))?;
    let placement = place(CommentId(id), parent.as_ref(), new.max_depth);
    sqlx::query(
        "UPDATE comments SET parent_id = $1, path = $2, depth = $3, approved_seq = CASE \
         WHEN status = 'approved' THEN (SELECT COALESCE(MAX(approved_seq), 0) + 1 FROM comments WHERE approved_seq IS NOT NULL) END WHERE id = $4",
    )
        .bind(placement.parent_id.map(|p| p.0))
        .bind(&placement.path)
        .bind(i64::from(placement.depth))
        .bind(id)
        .execute(&mut *tx)
        .await
        .map_err(map_err("comment"))?;
    if new.status == CommentStatus::Approved {
        adjust_count(&mut tx, new.article_id.0, 1).await?;
    }
    let row: CommentRow = sqlx::query_as(COMMENT_BY_ID.as_str())
        .bind(id)
        .fetch_one(&mut *tx)
        .await
        .map_err(map_err("comment"))?;
    tx.commit().await.map_err(map_err("comment"))?;
    row.into_comment()
}

/// Which of the guard's limits the comment would break. Concurrent inserts from one network, or
/// of one email's text under one article, first queue on transaction-scoped advisory locks (taken
/// in a fixed order, on every node alike), so each counts the others' committed rows: a burst
/// cannot all pass a limit that each would pass alone.
async fn guard_refusal(
    conn: &mut PgConnection,
    new: &NewComment,
    guard: &CommentGuard,
) -> StoreResult<Option<&'static str>> {
    let mut keys = vec![format!(
        "comment-copy:{}:{}",
        new.article_id.0, new.author_email
    )];
    if let Some(from) = new.ip_network.as_ref().or(new.ip.as_ref()) {
        keys.push(format!("comment-rate:{from}"));
    }
    sqlx::query(
        "SELECT pg_advisory_xact_lock(k) FROM \
         (SELECT hashtextextended(key, 0) AS k FROM unnest($1::text[]) AS key ORDER BY 1) keys",
    )
    .bind(&keys)
    .execute(&mut *conn)
    .await
    .map_err(map_err("comment limits"))?;
    let (by_ip, by_network, duplicate): (i64, i64, bool) = sqlx::query_as(GUARD_COUNTS)
        .bind(&new.ip)
        .bind(&new.ip_network)
        .bind(guard.since)
        .bind(guard.per_ip.max(1))
        .bind(guard.per_network.max(1))
        .bind(new.article_id.0)
        .bind(&new.author_email)
        .bind(&new.body_markdown)
        .fetch_one(&mut *conn)
        .await
        .map_err(map_err("comment limits"))?;
    Ok(guard.refusal(by_ip, by_network, duplicate))
}

/// The parent's position, if it is an approved comment under `article`.
async fn approved_parent(
    conn: &mut PgConnection,
    article: ArticleId,
    parent: CommentId,
) -> StoreResult<ParentPosition> {
    let row: Option<(String, i64)> = sqlx::query_as(
        // FOR SHARE: the parent cannot be unapproved while its reply is being written.
        "SELECT path, depth FROM comments WHERE id = $1 AND article_id = $2 AND status = 'approved' FOR SHARE",
    )
    .bind(parent.0)
    .bind(article.0)
    .fetch_optional(&mut *conn)
    .await
    .map_err(map_err("parent comment"))?;
    let (path, depth) = row.ok_or(StoreError::NotFound("parent comment"))?;
    Ok(ParentPosition {
        id: parent,
        path,
        depth: u32::try_from(depth).unwrap_or(1),
    })
}

pub(crate) async fn adjust_count(
    conn: &mut PgConnection,
    article: i64,
    delta: i64,
) -> StoreResult<()> {
    sqlx::query("UPDATE articles SET comment_count = comment_count + $1 WHERE id = $2")
        .bind(delta)
        .bind(article)
        .execute(&mut *conn)
        .await
        .map_err(map_err("article"))?;
    Ok(())
}

pub(crate) async fn approved_comments(
    db: &PgStore,
    article: ArticleId,
    page: PageRequest,
) -> StoreResult<Vec<Comment>> {
    let rows: Vec<CommentRow> = sqlx::query_as(APPROVED_PAGE.as_str())
        .bind(article.0)
        .bind(page.limit())
        .bind(page.offset())
        .fetch_all(&db.pool)
        .await
        .map_err(map_err("comments"))?;
    rows.into_iter().map(CommentRow::into_comment).collect()
}

pub(crate) async fn comments_by_ids(
    db: &PgStore,
    article: ArticleId,
    ids: &[CommentId],
) -> StoreResult<Vec<Comment>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut query = QueryBuilder::<Postgres>::new(format!(
        "SELECT {COMMENT_COLUMNS} FROM comments c WHERE c.article_id = "
    ));
    query.push_bind(article.0);
    query.push(" AND c.id IN (");
    let mut list = query.separated(", ");
    for id in ids {
        list.push_bind(id.0);
    }
    query.push(") ORDER BY c.path");
    let rows: Vec<CommentRow> = query
        .build_query_as()
        .fetch_all(&db.pool)
        .await
        .map_err(map_err("comments"))?;
    rows.into_iter().map(CommentRow::into_comment).collect()
}

pub(crate) async fn approved_comments_before(
    db: &PgStore,
    article: ArticleId,
    path: &str,
) -> StoreResult<i64> {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM comments WHERE article_id = $1 AND status = 'approved' AND path < $2",
    )
    .bind(article.0)
    .bind(path)
    .fetch_one(&db.pool)
    .await
    .map_err(map_err("comments"))
}

pub(crate) async fn approved_since(
    db: &PgStore,
    article: ArticleId,
    after: i64,
    limit: i64,
) -> StoreResult<Vec<(CommentId, i64)>> {
    let rows: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT id, approved_seq FROM comments WHERE article_id = $1 AND status = 'approved' \
         AND approved_seq > $2 ORDER BY approved_seq, id LIMIT $3",
    )
    .bind(article.0)
    .bind(after)
    .bind(limit)
    .fetch_all(&db.pool)
    .await
    .map_err(map_err("comments"))?;
    Ok(rows
        .into_iter()
        .map(|(id, seq)| (CommentId(id), seq))
        .collect())
}

pub(crate) async fn staff_comment(db: &PgStore, id: CommentId) -> StoreResult<StaffComment> {
    let row: StaffCommentRow = sqlx::query_as(STAFF_COMMENT_BY_ID.as_str())
        .bind(id.0)
        .fetch_one(&db.pool)
        .await
        .map_err(map_err("comment"))?;
    row.into_staff_comment()
}

pub(crate) async fn comment_counts(
    db: &PgStore,
    ids: &[ArticleId],
    now: i64,
) -> StoreResult<Vec<(ArticleId, i64)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut query = QueryBuilder::<Postgres>::new(
        "SELECT id, comment_count FROM articles WHERE status = 'published' AND published_at <= ",
    );
    query.push_bind(now);
    query.push(" AND id IN (");
    let mut list = query.separated(", ");
    for id in ids {
        list.push_bind(id.0);
    }
    query.push(")");
    let rows: Vec<(i64, i64)> = query
        .build_query_as()
        .fetch_all(&db.pool)
        .await
        .map_err(map_err("comment counts"))?;
    Ok(rows.into_iter().map(|(id, n)| (ArticleId(id), n)).collect())
}
