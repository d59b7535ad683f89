use crate::db::{Sql, scalar};
use crate::{SqlStore, WriteTx, map_err};
use gazette_domain::thread::{ParentPosition, Placement, place};
use gazette_domain::{
    ArticleId, Comment, CommentGuard, CommentId, CommentStatus, FeedComment, NewComment,
    PageRequest, StaffComment,
};
use gazette_store::rows::{
    COMMENT_COLUMNS, CommentRow, FeedCommentRow, STAFF_COMMENT_COLUMNS, StaffCommentRow,
};
use gazette_store::{StoreError, StoreResult};
use std::sync::LazyLock;

pub(crate) static STAFF_COMMENT_BY_ID: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT {STAFF_COMMENT_COLUMNS} FROM comments c JOIN articles a ON a.id = c.article_id WHERE c.id = $1"
    )
});
/// What a new comment's insert must know first, in one statement: whether its article (`$6`)
/// exists, the comments from its address (`$1`) and network (`$2`) since `$3` (each counted up to
/// `$4` and `$5`), and whether its email (`$7`) already posted its text (`$8`) there.
const CHECKS: &str = "SELECT \
     EXISTS (SELECT 1 FROM articles WHERE id = $6), \
     (SELECT COUNT(*) FROM (SELECT 1 FROM comments WHERE ip = $1 AND created_at >= $3 LIMIT $4) by_ip), \
     (SELECT COUNT(*) FROM (SELECT 1 FROM comments WHERE ip_network = $2 AND created_at >= $3 LIMIT $5) by_network), \
     EXISTS (SELECT 1 FROM comments WHERE article_id = $6 AND author_email = $7 AND body_markdown = $8)";

static APPROVED_PAGE: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT {COMMENT_COLUMNS} FROM comments c WHERE c.article_id = $1 AND c.status = 'approved' \
         ORDER BY c.path LIMIT $2 OFFSET $3"
    )
});

/// Inserts a comment. Concurrent inserts are committed together (see `writer`): each caller's
/// answer waits for the commit that makes its comment durable.
pub(crate) async fn insert_comment(db: &SqlStore, new: NewComment) -> StoreResult<Comment> {
    crate::writer::submit(db, new).await
}

/// Why one comment of a group was not inserted.
pub(crate) enum Refusal {
    /// Its article or parent is not there, or its guard refused it (checked before writing
    /// anything): the others go on.
    Refused(StoreError),
    /// A write failed midway: the whole group's transaction must be rolled back.
    Failed(StoreError),
}

/// The statements that make a group's guards atomic on PostgreSQL: every network and every
/// article+email of the group, locked once, in order, for the group's transaction.
pub(crate) fn guard_keys(new: &NewComment) -> Vec<String> {
    if new.guard.is_none() {
        return Vec::new();
    }
    let mut keys = vec![format!(
        "comment-copy:{}:{}",
        new.article_id.0, new.author_email
    )];
    if let Some(from) = new.ip_network.as_ref().or(new.ip.as_ref()) {
        keys.push(format!("comment-rate:{from}"));
    }
    keys
}

/// One comment inside the group's write transaction, with the id reserved for it. Every check
/// comes before the first write, so a refused comment leaves nothing behind and the others in the
/// group are unaffected (on PostgreSQL a failed statement would abort the whole transaction:
/// nothing here fails on purpose). Two statements for a new thread, three for a reply.
pub(crate) async fn insert_in(
    db: &SqlStore,
    tx: &mut WriteTx,
    new: &NewComment,
    id: i64,
) -> Result<Comment, Refusal> {
    let failed = Refusal::Failed;
    // Articles are never deleted (trash is a status), so the article needs no lock here.
    let guard = new.guard.unwrap_or(CommentGuard {
        since: i64::MAX,
        ..CommentGuard::default()
    });
    let (article_exists, by_ip, by_network, duplicate): (bool, i64, i64, bool) = tx
        .on()
        .one(
            &Sql::new(CHECKS)
                .bind(&new.ip)
                .bind(&new.ip_network)
                .bind(guard.since)
                .bind(guard.per_ip.max(1))
                .bind(guard.per_network.max(1))
                .bind(new.article_id.0)
                .bind(&new.author_email)
                .bind(&new.body_markdown),
        )
        .await
        .map_err(|e| failed(map_err("comment checks")(e)))?;
    if !article_exists {
        return Err(Refusal::Refused(StoreError::NotFound("article")));
    }
    if new.guard.is_some()
        && let Some(reason) = guard.refusal(by_ip, by_network, duplicate)
    {
        return Err(Refusal::Refused(StoreError::Refused(reason)));
    }
    let parent = match new.parent_id {
        Some(parent_id) => Some(
            approved_parent(db, tx, new.article_id, parent_id)
                .await
                .map_err(|e| match e {
                    StoreError::NotFound(_) => Refusal::Refused(e),
                    other => failed(other),
                })?,
        ),
        None => None,
    };
    // The path ends in the comment's own id, reserved before: the row goes in whole, in one
    // statement.
    let placement = place(CommentId(id), parent.as_ref(), new.max_depth);
    let row = insert_row(tx, id, new, &placement)
        .await
        .map_err(|e| failed(map_err("comment")(e)))?;
    if new.status == CommentStatus::Approved {
        adjust_count(tx, new.article_id.0, 1)
            .await
            .map_err(failed)?;
    }
    row.into_comment().map_err(failed)
}

/// Writes a new comment's row whole, at the place given, numbering its approval if approved;
/// returns it as readers see it. The article's count is the caller's to keep.
pub(crate) async fn insert_row(
    tx: &mut WriteTx,
    id: i64,
    new: &NewComment,
    placement: &Placement,
) -> Result<CommentRow, sqlx::Error> {
    tx.on()
        .one(
            &Sql::new(
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
            .bind(placement.path.as_str())
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
            .bind(new.staff_user_id.map(|u| u.0)),
        )
        .await
}

/// Ids for `count` new comments, reserved inside the group's transaction (one statement).
pub(crate) async fn reserve_ids(
    db: &SqlStore,
    tx: &mut WriteTx,
    count: usize,
) -> StoreResult<Vec<i64>> {
    let count = i64::try_from(count).unwrap_or(i64::MAX);
    let rows: Vec<(i64,)> = tx
        .on()
        .all(&Sql::new(db.dialect().reserve_comment_ids()).bind(count))
        .await
        .map_err(map_err("comment ids"))?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

/// The parent's position, if it is an approved comment under `article` (and, on PostgreSQL,
/// locked so it cannot be unapproved while its reply is written).
async fn approved_parent(
    db: &SqlStore,
    tx: &mut WriteTx,
    article: ArticleId,
    parent: CommentId,
) -> StoreResult<ParentPosition> {
    let row: Option<(String, i64)> = tx
        .on()
        .optional(
            &Sql::new(format!(
                "SELECT path, depth FROM comments WHERE id = $1 AND article_id = $2 AND status = 'approved'{}",
                db.dialect().for_share()
            ))
            .bind(parent.0)
            .bind(article.0),
        )
        .await
        .map_err(map_err("parent comment"))?;
    let (path, depth) = row.ok_or(StoreError::NotFound("parent comment"))?;
    Ok(ParentPosition {
        id: parent,
        path,
        depth: u32::try_from(depth).unwrap_or(1),
    })
}

pub(crate) async fn adjust_count(tx: &mut WriteTx, article: i64, delta: i64) -> StoreResult<()> {
    tx.on()
        .execute(
            &Sql::new("UPDATE articles SET comment_count = comment_count + $1 WHERE id = $2")
                .bind(delta)
                .bind(article),
        )
        .await
        .map_err(map_err("article"))?;
    Ok(())
}

pub(crate) async fn approved_comments(
    db: &SqlStore,
    article: ArticleId,
    page: PageRequest,
) -> StoreResult<Vec<Comment>> {
    let rows: Vec<CommentRow> = db
        .on()
        .all(
            &Sql::new(APPROVED_PAGE.as_str())
                .bind(article.0)
                .bind(page.limit())
                .bind(page.offset()),
        )
        .await
        .map_err(map_err("comments"))?;
    rows.into_iter().map(CommentRow::into_comment).collect()
}

pub(crate) async fn comments_by_ids(
    db: &SqlStore,
    article: ArticleId,
    ids: &[CommentId],
) -> StoreResult<Vec<Comment>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut query = Sql::new(format!(
        "SELECT {COMMENT_COLUMNS} FROM comments c WHERE c.article_id = "
    ));
    query.push_bind(article.0);
    query.push(" AND c.id IN (");
    query.push_list(ids.iter().map(|id| id.0));
    query.push(") ORDER BY c.path");
    let rows: Vec<CommentRow> = db.on().all(&query).await.map_err(map_err("comments"))?;
    rows.into_iter().map(CommentRow::into_comment).collect()
}

pub(crate) async fn approved_comments_before(
    db: &SqlStore,
    article: ArticleId,
    path: &str,
) -> StoreResult<i64> {
    scalar(
        db.on(),
        &Sql::new(
            "SELECT COUNT(*) FROM comments WHERE article_id = $1 AND status = 'approved' AND path < $2",
        )
        .bind(article.0)
        .bind(path),
    )
    .await
    .map_err(map_err("comments"))
}

pub(crate) async fn approved_since(
    db: &SqlStore,
    article: ArticleId,
    after: i64,
    limit: i64,
) -> StoreResult<Vec<(CommentId, i64)>> {
    let rows: Vec<(i64, i64)> = db
        .on()
        .all(
            &Sql::new(
                "SELECT id, approved_seq FROM comments WHERE article_id = $1 AND status = 'approved' \
                 AND approved_seq > $2 ORDER BY approved_seq, id LIMIT $3",
            )
            .bind(article.0)
            .bind(after)
            .bind(limit),
        )
        .await
        .map_err(map_err("comments"))?;
    Ok(rows
        .into_iter()
        .map(|(id, seq)| (CommentId(id), seq))
        .collect())
}

pub(crate) async fn feed_comments(
    db: &SqlStore,
    article: Option<ArticleId>,
    limit: i64,
    now: i64,
) -> StoreResult<Vec<FeedComment>> {
    // Newest approval first, along the approval-order indexes (per article, or site-wide).
    let mut query = Sql::new(format!(
        "SELECT {COMMENT_COLUMNS}, a.slug AS article_slug, a.title AS article_title \
         FROM comments c JOIN articles a ON a.id = c.article_id \
         WHERE c.status = 'approved' AND c.approved_seq IS NOT NULL \
         AND a.status = 'published' AND a.published_at <= "
    ));
    query.push_bind(now);
    if let Some(article) = article {
        query.push(" AND c.article_id = ").push_bind(article.0);
    }
    query
        .push(" ORDER BY c.approved_seq DESC, c.id DESC LIMIT ")
        .push_bind(limit);
    let rows: Vec<FeedCommentRow> = db.on().all(&query).await.map_err(map_err("comments"))?;
    rows.into_iter()
        .map(FeedCommentRow::into_feed_comment)
        .collect()
}

pub(crate) async fn staff_comment(db: &SqlStore, id: CommentId) -> StoreResult<StaffComment> {
    let row: StaffCommentRow = db
        .on()
        .one(&Sql::new(STAFF_COMMENT_BY_ID.as_str()).bind(id.0))
        .await
        .map_err(map_err("comment"))?;
    row.into_staff_comment()
}

pub(crate) async fn comment_counts(
    db: &SqlStore,
    ids: &[ArticleId],
    now: i64,
) -> StoreResult<Vec<(ArticleId, i64)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut query = Sql::new(
        "SELECT id, comment_count FROM articles WHERE status = 'published' AND published_at <= ",
    );
    query.push_bind(now);
    query.push(" AND id IN (");
    query.push_list(ids.iter().map(|id| id.0));
    query.push(")");
    let rows: Vec<(i64, i64)> = db
        .on()
        .all(&query)
        .await
        .map_err(map_err("comment counts"))?;
    Ok(rows.into_iter().map(|(id, n)| (ArticleId(id), n)).collect())
}
