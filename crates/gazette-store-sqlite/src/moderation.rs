use crate::comments::{STAFF_COMMENT_BY_ID, adjust_count};
use crate::{SqliteStore, map_err};
use gazette_domain::records::{
    AuditEntry, Ban, CommentEdit, CommentFilter, NewAudit, NewBan, StatusChange, Training,
};
use gazette_domain::spam::{DOCUMENTS, TokenCounts};
use gazette_domain::{ArticleId, CommentId, CommentStatus, Page, PageRequest, StaffComment};
use gazette_store::rows::{
    AUDIT_COLUMNS, AuditRow, BAN_COLUMNS, BanRow, STAFF_COMMENT_COLUMNS, StaffCommentRow,
};
use gazette_store::{StoreError, StoreResult};
use sqlx::{QueryBuilder, Sqlite, SqliteConnection};

async fn staff_comment_in(conn: &mut SqliteConnection, id: CommentId) -> StoreResult<StaffComment> {
    let row: StaffCommentRow = sqlx::query_as(STAFF_COMMENT_BY_ID.as_str())
        .bind(id.0)
        .fetch_one(&mut *conn)
        .await
        .map_err(map_err("comment"))?;
    row.into_staff_comment()
}

/// Writes an audit line inside the caller's transaction.
async fn audit_in(
    conn: &mut SqliteConnection,
    audit: &NewAudit,
    before: Option<&str>,
    after: Option<&str>,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO audit_log (at, actor_id, actor_name, action, comment_id, article_id, \
         before_status, after_status, detail) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(audit.at)
    .bind(audit.actor.map(|u| u.0))
    .bind(&audit.actor_name)
    .bind(&audit.action)
    .bind(audit.comment_id.map(|c| c.0))
    .bind(audit.article_id.map(|a| a.0))
    .bind(before)
    .bind(after)
    .bind(&audit.detail)
    .execute(&mut *conn)
    .await
    .map_err(map_err("audit log"))?;
    Ok(())
}

pub(crate) async fn set_comment_status(
    db: &SqliteStore,
    id: CommentId,
    change: StatusChange,
) -> StoreResult<StaffComment> {
    let mut tx = db.write().await?;
    let (article, old, trained_as): (i64, String, Option<String>) =
        sqlx::query_as("SELECT article_id, status, trained_as FROM comments WHERE id = $1")
            .bind(id.0)
            .fetch_one(&mut *tx)
            .await
            .map_err(map_err("comment"))?;
    let was_approved = CommentStatus::parse(&old)? == CommentStatus::Approved;
    let is_approved = change.status == CommentStatus::Approved;
    // A comment that becomes approved takes the next approval number (live streams follow it).
    sqlx::query(
        "UPDATE comments SET approved_seq = CASE WHEN $1 = 'approved' AND status <> 'approved' \
         THEN (SELECT COALESCE(MAX(approved_seq), 0) + 1 FROM comments WHERE approved_seq IS NOT NULL) ELSE approved_seq END, status = $1 WHERE id = $2",
    )
        .bind(change.status.as_str())
        .bind(id.0)
        .execute(&mut *tx)
        .await
        .map_err(map_err("comment"))?;
    if was_approved != is_approved {
        adjust_count(&mut tx, article, if is_approved { 1 } else { -1 }).await?;
    }
    if let Some((training, tokens)) = &change.training
        && trained_as.as_deref() != Some(training.as_str())
    {
        let previous = match trained_as.as_deref() {
            Some("spam") => Some(Training::Spam),
            Some("ham") => Some(Training::Ham),
            _ => None,
        };
        train(&mut tx, tokens, *training, previous).await?;
        sqlx::query("UPDATE comments SET trained_as = $1 WHERE id = $2")
            .bind(training.as_str())
            .bind(id.0)
            .execute(&mut *tx)
            .await
            .map_err(map_err("comment"))?;
    }
    if let Some(audit) = &change.audit {
        audit_in(&mut tx, audit, Some(&old), Some(change.status.as_str())).await?;
    }
    let comment = staff_comment_in(&mut tx, id).await?;
    tx.commit().await.map_err(map_err("comment"))?;
    Ok(comment)
}

/// Counts `tokens` (and one document) as `training`, taking them off `previous` first.
async fn train(
    conn: &mut SqliteConnection,
    tokens: &[String],
    training: Training,
    previous: Option<Training>,
) -> StoreResult<()> {
    let all: Vec<&str> = tokens
        .iter()
        .map(String::as_str)
        .chain([DOCUMENTS])
        .collect();
    for chunk in all.chunks(500) {
        if let Some(previous) = previous {
            let column = if previous == Training::Spam {
                "spam"
            } else {
                "ham"
            };
            let mut query = QueryBuilder::<Sqlite>::new(format!(
                "UPDATE classifier_tokens SET {column} = MAX({column} - 1, 0) WHERE token IN ("
            ));
            let mut list = query.separated(", ");
            for token in chunk {
                list.push_bind(*token);
            }
            query.push(")");
            query
                .build()
                .execute(&mut *conn)
                .await
                .map_err(map_err("classifier"))?;
        }
        let (spam, ham) = if training == Training::Spam {
            (1i64, 0i64)
        } else {
            (0, 1)
        };
        let mut query =
            QueryBuilder::<Sqlite>::new("INSERT INTO classifier_tokens (token, spam, ham) ");
        query.push_values(chunk, |mut row, token| {
            row.push_bind(*token).push_bind(spam).push_bind(ham);
        });
        query.push(
            " ON CONFLICT (token) DO UPDATE SET spam = classifier_tokens.spam + excluded.spam, \
             ham = classifier_tokens.ham + excluded.ham",
        );
        query
            .build()
            .execute(&mut *conn)
            .await
            .map_err(map_err("classifier"))?;
    }
    Ok(())
}

pub(crate) async fn classifier_counts(
    db: &SqliteStore,
    tokens: &[String],
) -> StoreResult<Vec<(String, TokenCounts)>> {
    let mut counts = Vec::new();
    let all: Vec<&str> = tokens
        .iter()
        .map(String::as_str)
        .chain([DOCUMENTS])
        .collect();
    for chunk in all.chunks(500) {
        let mut query = QueryBuilder::<Sqlite>::new(
            "SELECT token, spam, ham FROM classifier_tokens WHERE token IN (",
        );
        let mut list = query.separated(", ");
        for token in chunk {
            list.push_bind(*token);
        }
        query.push(")");
        let rows: Vec<(String, i64, i64)> = query
            .build_query_as()
            .fetch_all(&db.pool)
            .await
            .map_err(map_err("classifier"))?;
        counts.extend(
            rows.into_iter()
                .map(|(t, spam, ham)| (t, TokenCounts { spam, ham })),
        );
    }
    Ok(counts)
}

/// Appends `filter`'s conditions (over `comments c` joined with `articles a`).
fn push_filter(query: &mut QueryBuilder<Sqlite>, filter: &CommentFilter, with_status: bool) {
    query.push(" WHERE 1 = 1");
    if let (true, Some(status)) = (with_status, filter.status) {
        query.push(" AND c.status = ").push_bind(status.as_str());
    }
    if let Some(article) = filter.article {
        query.push(" AND c.article_id = ").push_bind(article.0);
    }
    if let Some(email) = &filter.email {
        query
            .push(" AND c.author_email = ")
            .push_bind(email.clone());
    }
    if let Some(author) = filter.article_author {
        query.push(" AND a.author_id = ").push_bind(author.0);
    }
}

pub(crate) async fn staff_comments(
    db: &SqliteStore,
    filter: &CommentFilter,
    page: PageRequest,
) -> StoreResult<Page<StaffComment>> {
    let mut conn = db.pool.acquire().await.map_err(map_err("connection"))?;
    let mut count = QueryBuilder::<Sqlite>::new(
        "SELECT COUNT(*) FROM comments c JOIN articles a ON a.id = c.article_id",
    );
    push_filter(&mut count, filter, true);
    let total: i64 = count
        .build_query_scalar()
        .fetch_one(&mut *conn)
        .await
        .map_err(map_err("comments"))?;
    let mut list = QueryBuilder::<Sqlite>::new(format!(
        "SELECT {STAFF_COMMENT_COLUMNS} FROM comments c JOIN articles a ON a.id = c.article_id"
    ));
    push_filter(&mut list, filter, true);
    list.push(" ORDER BY c.created_at DESC, c.id DESC LIMIT ")
        .push_bind(page.limit())
        .push(" OFFSET ")
        .push_bind(page.offset());
    let rows: Vec<StaffCommentRow> = list
        .build_query_as()
        .fetch_all(&mut *conn)
        .await
        .map_err(map_err("comments"))?;
    Ok(Page {
        items: rows
            .into_iter()
            .map(StaffCommentRow::into_staff_comment)
            .collect::<StoreResult<_>>()?,
        page: page.page,
        per_page: page.per_page,
        total,
    })
}

pub(crate) async fn comment_status_counts(
    db: &SqliteStore,
    filter: &CommentFilter,
) -> StoreResult<Vec<(CommentStatus, i64)>> {
    let mut query = QueryBuilder::<Sqlite>::new(
        "SELECT c.status, COUNT(*) FROM comments c JOIN articles a ON a.id = c.article_id",
    );
    push_filter(&mut query, filter, false);
    query.push(" GROUP BY c.status");
    let rows: Vec<(String, i64)> = query
        .build_query_as()
        .fetch_all(&db.pool)
        .await
        .map_err(map_err("comments"))?;
    rows.into_iter()
        .map(|(status, n)| Ok((CommentStatus::parse(&status)?, n)))
        .collect()
}

pub(crate) async fn edit_comment(
    db: &SqliteStore,
    id: CommentId,
    edit: CommentEdit,
    audit: NewAudit,
) -> StoreResult<StaffComment> {
    let mut tx = db.write().await?;
    let updated = sqlx::query(
        "UPDATE comments SET author_name = $1, author_url = $2, body_markdown = $3, body_html = $4 WHERE id = $5",
    )
    .bind(&edit.author_name)
    .bind(&edit.author_url)
    .bind(&edit.body_markdown)
    .bind(&edit.body_html)
    .bind(id.0)
    .execute(&mut *tx)
    .await
    .map_err(map_err("comment"))?;
    if updated.rows_affected() == 0 {
        return Err(StoreError::NotFound("comment"));
    }
    audit_in(&mut tx, &audit, None, None).await?;
    let comment = staff_comment_in(&mut tx, id).await?;
    tx.commit().await.map_err(map_err("comment"))?;
    Ok(comment)
}

pub(crate) async fn delete_comment(
    db: &SqliteStore,
    id: CommentId,
    audit: NewAudit,
) -> StoreResult<()> {
    let mut tx = db.write().await?;
    let (article, status): (i64, String) =
        sqlx::query_as("SELECT article_id, status FROM comments WHERE id = $1")
            .bind(id.0)
            .fetch_one(&mut *tx)
            .await
            .map_err(map_err("comment"))?;
    // Replies stay where they are in the thread (their paths still sort them there).
    sqlx::query("UPDATE comments SET parent_id = NULL WHERE parent_id = $1")
        .bind(id.0)
        .execute(&mut *tx)
        .await
        .map_err(map_err("comment"))?;
    sqlx::query("DELETE FROM comments WHERE id = $1")
        .bind(id.0)
        .execute(&mut *tx)
        .await
        .map_err(map_err("comment"))?;
    if CommentStatus::parse(&status)? == CommentStatus::Approved {
        adjust_count(&mut tx, article, -1).await?;
    }
    audit_in(&mut tx, &audit, Some(&status), None).await?;
    tx.commit().await.map_err(map_err("comment"))?;
    Ok(())
}

pub(crate) async fn recent_comments_from(
    db: &SqliteStore,
    ip: &str,
    network: &str,
    since: i64,
    at_most: i64,
) -> StoreResult<(i64, i64)> {
    let mut conn = db.pool.acquire().await.map_err(map_err("connection"))?;
    let by_ip: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM (SELECT 1 FROM comments WHERE ip = $1 AND created_at >= $2 LIMIT $3) recent",
    )
    .bind(ip)
    .bind(since)
    .bind(at_most)
    .fetch_one(&mut *conn)
    .await
    .map_err(map_err("comments"))?;
    let by_network: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM (SELECT 1 FROM comments WHERE ip_network = $1 AND created_at >= $2 LIMIT $3) recent",
    )
    .bind(network)
    .bind(since)
    .bind(at_most)
    .fetch_one(&mut *conn)
    .await
    .map_err(map_err("comments"))?;
    Ok((by_ip, by_network))
}

pub(crate) async fn commenter_signals(
    db: &SqliteStore,
    article: ArticleId,
    email: &str,
    name: &str,
    body: &str,
    ip: Option<&str>,
) -> StoreResult<gazette_store::CommenterSignals> {
    let (banned, duplicate, has_approved, has_approved_with_name): (bool, bool, bool, bool) =
        sqlx::query_as(gazette_store::queries::COMMENTER_SIGNALS)
            .bind(article.0)
            .bind(email)
            .bind(body)
            .bind(ip)
            .bind(name)
            .fetch_one(&db.pool)
            .await
            .map_err(map_err("commenter"))?;
    Ok(gazette_store::CommenterSignals {
        banned,
        duplicate,
        has_approved,
        has_approved_with_name,
    })
}

pub(crate) async fn create_ban(db: &SqliteStore, ban: NewBan) -> StoreResult<Ban> {
    let mut tx = db.write().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO bans (kind, value, reason, hide_history, created_at, created_by) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(ban.kind.as_str())
    .bind(&ban.value)
    .bind(&ban.reason)
    .bind(ban.hide_history)
    .bind(ban.created_at)
    .bind(&ban.created_by.display_name)
    .fetch_one(&mut *tx)
    .await
    .map_err(map_err("ban"))?;
    let column = match ban.kind {
        gazette_domain::records::BanKind::Email => "author_email",
        gazette_domain::records::BanKind::Ip => "ip",
    };
    let mut hidden = 0u64;
    if ban.hide_history {
        let affected: Vec<i64> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT DISTINCT article_id FROM comments WHERE {column} = $1 AND status IN ('approved', 'held')"
        )))
        .bind(&ban.value)
        .fetch_all(&mut *tx)
        .await
        .map_err(map_err("comments"))?;
        hidden = sqlx::query(sqlx::AssertSqlSafe(format!(
            "UPDATE comments SET status = 'trash' WHERE {column} = $1 AND status IN ('approved', 'held')"
        )))
        .bind(&ban.value)
        .execute(&mut *tx)
        .await
        .map_err(map_err("comments"))?
        .rows_affected();
        for article in affected {
            sqlx::query(
                "UPDATE articles SET comment_count = \
                 (SELECT COUNT(*) FROM comments WHERE article_id = $1 AND status = 'approved') WHERE id = $1",
            )
            .bind(article)
            .execute(&mut *tx)
            .await
            .map_err(map_err("article"))?;
        }
    }
    let audit = NewAudit {
        at: ban.created_at,
        actor: Some(ban.created_by.id),
        actor_name: ban.created_by.display_name.clone(),
        action: "ban.create".into(),
        comment_id: None,
        article_id: None,
        detail: format!(
            "banned {} {} ({hidden} comments hidden): {}",
            ban.kind.as_str(),
            ban.value,
            ban.reason
        ),
    };
    audit_in(&mut tx, &audit, None, None).await?;
    let row: BanRow = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {BAN_COLUMNS} FROM bans WHERE id = $1"
    )))
    .bind(id)
    .fetch_one(&mut *tx)
    .await
    .map_err(map_err("ban"))?;
    tx.commit().await.map_err(map_err("ban"))?;
    row.into_ban()
}

pub(crate) async fn bans(db: &SqliteStore) -> StoreResult<Vec<Ban>> {
    let rows: Vec<BanRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {BAN_COLUMNS} FROM bans ORDER BY created_at DESC, id DESC LIMIT 1000"
    )))
    .fetch_all(&db.pool)
    .await
    .map_err(map_err("bans"))?;
    rows.into_iter().map(BanRow::into_ban).collect()
}

pub(crate) async fn delete_ban(db: &SqliteStore, id: i64, audit: NewAudit) -> StoreResult<()> {
    let mut tx = db.write().await?;
    let deleted = sqlx::query("DELETE FROM bans WHERE id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await
        .map_err(map_err("ban"))?;
    if deleted.rows_affected() == 0 {
        return Err(StoreError::NotFound("ban"));
    }
    audit_in(&mut tx, &audit, None, None).await?;
    tx.commit().await.map_err(map_err("ban"))?;
    Ok(())
}

pub(crate) async fn record_audit(db: &SqliteStore, audit: NewAudit) -> StoreResult<()> {
    let mut tx = db.write().await?;
    audit_in(&mut tx, &audit, None, None).await?;
    tx.commit().await.map_err(map_err("audit log"))
}

pub(crate) async fn audit_log(
    db: &SqliteStore,
    page: PageRequest,
) -> StoreResult<Page<AuditEntry>> {
    let mut conn = db.pool.acquire().await.map_err(map_err("connection"))?;
    let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log")
        .fetch_one(&mut *conn)
        .await
        .map_err(map_err("audit log"))?;
    let rows: Vec<AuditRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {AUDIT_COLUMNS} FROM audit_log ORDER BY at DESC, id DESC LIMIT $1 OFFSET $2"
    )))
    .bind(page.limit())
    .bind(page.offset())
    .fetch_all(&mut *conn)
    .await
    .map_err(map_err("audit log"))?;
    Ok(Page {
        items: rows.into_iter().map(AuditEntry::from).collect(),
        page: page.page,
        per_page: page.per_page,
        total,
    })
}
