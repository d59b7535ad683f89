use crate::{SqliteStore, map_err};
use gazette_domain::thread::{ParentPosition, place};
use gazette_domain::{
    ArticleId, Comment, CommentGuard, CommentId, CommentStatus, NewComment, PageRequest,
    StaffComment,
};
use gazette_store::queries::GUARD_COUNTS;
use gazette_store::rows::{COMMENT_COLUMNS, CommentRow, STAFF_COMMENT_COLUMNS, StaffCommentRow};
use gazette_store::{StoreError, StoreResult};
use sqlx::{QueryBuilder, Sqlite, SqliteConnection};
use std::sync::LazyLock;

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

/// Inserts a comment. Concurrent inserts are committed together (see `group_commit`): each
/// caller's answer waits for the commit that makes its comment durable.
pub(crate) async fn insert_comment(db: &SqliteStore, new: NewComment) -> StoreResult<Comment> {
    db.submit_comment(new).await
}

/// Why one comment of a group was not inserted.
pub(crate) enum Refusal {
    /// Its article or parent is not there (checked before writing anything): the others go on.
    Refused(StoreError),
    /// A write failed midway: the whole group's transaction must be rolled back.
    Failed(StoreError),
}

/// One comment inside the caller's write transaction. Every check comes before the first write,
/// so a refused comment leaves nothing behind and the others in the group are unaffected.
pub(crate) async fn insert_in(
    conn: &mut SqliteConnection,
    new: &NewComment,
) -> Result<Comment, Refusal> {
    insert_one(conn, new).await
}

async fn insert_one(conn: &mut SqliteConnection, new: &NewComment) -> Result<Comment, Refusal> {
    // The article's existence is checked by the foreign key on insert (see below).
    if let Some(guard) = &new.guard
        && let Some(reason) = guard_refusal(conn, new, guard)
            .await
            .map_err(Refusal::Failed)?
    {
        return Err(Refusal::Refused(StoreError::Refused(reason)));
    }
    let parent = match new.parent_id {
        Some(parent_id) => Some(
            approved_parent(conn, new.article_id, parent_id)
                .await
                .map_err(|e| match e {
                    StoreError::NotFound(_) => Refusal::Refused(e),
                    other => Refusal::Failed(other),
                })?,
        ),
        None => None,
    };
    let failed = |e: StoreError| Refusal::Failed(e);
    // The path ends in the comment's own id. This transaction holds SQLite's write lock, so the
    // next AUTOINCREMENT value is known before inserting: the row goes in whole, in one statement.
    let id: i64 = sqlx::query_scalar(
        "SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'comments'), 0) + 1",
    )
    .fetch_one(&mut *conn)
    .await
    .map_err(|e| failed(map_err("comment")(e)))?;
    let placement = place(CommentId(id), parent.as_ref(), new.max_depth);
    let row: CommentRow = sqlx::query_as(
        "INSERT INTO comments (id, article_id, parent_id, path, depth, author_name, author_email, \
         author_url, avatar, body_markdown, body_html, status, held_reason, ip, user_agent, created_at, \
         ip_network, staff_user_id, approved_seq) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, \
         CASE WHEN $12 = 'approved' THEN (SELECT COALESCE(MAX(approved_seq), 0) + 1 FROM comments WHERE approved_seq IS NOT NULL) END) \
         RETURNING id, article_id, parent_id, depth, path, author_name, author_url, avatar, body_html, \
         status, created_at, approved_seq",
    )
    .bind(id)
    .bind(new.article_id.0)
    .bind(placement.parent_id.map(|p| p.0))
    .bind(&placement.path)
    .bind(i64::from(placement.depth))
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
    .fetch_one(&mut *conn)
    .await
    .map_err(|e| match &e {
        // The insert is the first write: refusing here leaves nothing behind.
        sqlx::Error::Database(db) if db.is_foreign_key_violation() => Refusal::Refused(StoreError::NotFound("article")),
        _ => failed(map_err("comment")(e)),
    })?;
    if new.status == CommentStatus::Approved {
        adjust_count(conn, new.article_id.0, 1)
            .await
            .map_err(failed)?;
    }
    row.into_comment().map_err(failed)
}

/// Which of the guard's limits the comment would break. This runs inside the write transaction
/// (SQLite's one writer): comments inserted before it, in this group or earlier, are counted.
async fn guard_refusal(
    conn: &mut SqliteConnection,
    new: &NewComment,
    guard: &CommentGuard,
) -> StoreResult<Option<&'static str>> {
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
    conn: &mut SqliteConnection,
    article: ArticleId,
    parent: CommentId,
) -> StoreResult<ParentPosition> {
    let row: Option<(String, i64)> = sqlx::query_as(
        "SELECT path, depth FROM comments WHERE id = $1 AND article_id = $2 AND status = 'approved'",
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
    conn: &mut SqliteConnection,
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
    db: &SqliteStore,
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
    db: &SqliteStore,
    article: ArticleId,
    ids: &[CommentId],
) -> StoreResult<Vec<Comment>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut query = QueryBuilder::<Sqlite>::new(format!(
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
    db: &SqliteStore,
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
    db: &SqliteStore,
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

pub(crate) async fn staff_comment(db: &SqliteStore, id: CommentId) -> StoreResult<StaffComment> {
    let row: StaffCommentRow = sqlx::query_as(STAFF_COMMENT_BY_ID.as_str())
        .bind(id.0)
        .fetch_one(&db.pool)
        .await
        .map_err(map_err("comment"))?;
    row.into_staff_comment()
}

pub(crate) async fn comment_counts(
    db: &SqliteStore,
    ids: &[ArticleId],
    now: i64,
) -> StoreResult<Vec<(ArticleId, i64)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut query = QueryBuilder::<Sqlite>::new(
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
