use crate::comments::{STAFF_COMMENT_BY_ID, adjust_count};
use crate::db::{Sql, scalar};
use crate::{SqlStore, WriteTx, map_err};
use gazette_domain::records::{
    AuditEntry, Ban, CommentEdit, CommentFilter, NewAudit, NewBan, StatusChange, Training,
};
use gazette_domain::spam::{DOCUMENTS, TokenCounts};
use gazette_domain::{ArticleId, CommentId, CommentStatus, Page, PageRequest, StaffComment};
use gazette_store::rows::{
    AUDIT_COLUMNS, AuditRow, BAN_COLUMNS, BanRow, STAFF_COMMENT_COLUMNS, StaffCommentRow,
};
use gazette_store::{StoreError, StoreResult};

/// What is known of a commenter (email `$2`, address `$4`, name `$5`) about to post `$3` under
/// article `$1`: banned, duplicate, an approved comment with the email, and with the name too.
const COMMENTER_SIGNALS: &str = "SELECT \
     EXISTS (SELECT 1 FROM bans WHERE (kind = 'email' AND value = $2) OR (kind = 'ip' AND value = $4)), \
     EXISTS (SELECT 1 FROM comments WHERE article_id = $1 AND author_email = $2 AND body_markdown = $3), \
     EXISTS (SELECT 1 FROM comments WHERE author_email = $2 AND status = 'approved'), \
     EXISTS (SELECT 1 FROM comments WHERE author_email = $2 AND author_name = $5 AND status = 'approved')";

async fn staff_comment_in(tx: &mut WriteTx, id: CommentId) -> StoreResult<StaffComment> {
    let row: StaffCommentRow = tx
        .on()
        .one(&Sql::new(STAFF_COMMENT_BY_ID.as_str()).bind(id.0))
        .await
        .map_err(map_err("comment"))?;
    row.into_staff_comment()
}

/// Writes an audit line inside the caller's transaction.
pub(crate) async fn audit_in(
    tx: &mut WriteTx,
    audit: &NewAudit,
    before: Option<&str>,
    after: Option<&str>,
) -> StoreResult<()> {
    tx.on()
        .execute(
            &Sql::new(
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
            .bind(&audit.detail),
        )
        .await
        .map_err(map_err("audit log"))?;
    Ok(())
}

/// A comment's article, status and training, locked for the rest of the transaction.
async fn lock_comment(
    db: &SqlStore,
    tx: &mut WriteTx,
    id: CommentId,
) -> StoreResult<(i64, String, Option<String>)> {
    tx.on()
        .one(
            &Sql::new(format!(
                "SELECT article_id, status, trained_as FROM comments WHERE id = $1{}",
                db.dialect().for_update()
            ))
            .bind(id.0),
        )
        .await
        .map_err(map_err("comment"))
}

pub(crate) async fn set_comment_status(
    db: &SqlStore,
    id: CommentId,
    change: StatusChange,
) -> StoreResult<StaffComment> {
    let mut tx = db.write().await?;
    let (article, old, trained_as) = lock_comment(db, &mut tx, id).await?;
    let was_approved = CommentStatus::parse(&old)? == CommentStatus::Approved;
    let is_approved = change.status == CommentStatus::Approved;
    // A comment that becomes approved takes the next approval number (live streams follow it).
    tx.on()
        .execute(
            &Sql::new(
                "UPDATE comments SET approved_seq = CASE WHEN $1 = 'approved' AND status <> 'approved' \
                 THEN (SELECT COALESCE(MAX(approved_seq), 0) + 1 FROM comments WHERE approved_seq IS NOT NULL) \
                 ELSE approved_seq END, status = $1 WHERE id = $2",
            )
            .bind(change.status.as_str())
            .bind(id.0),
        )
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
        train(db, &mut tx, tokens, *training, previous).await?;
        tx.on()
            .execute(
                &Sql::new("UPDATE comments SET trained_as = $1 WHERE id = $2")
                    .bind(training.as_str())
                    .bind(id.0),
            )
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
    db: &SqlStore,
    tx: &mut WriteTx,
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
            let mut query = Sql::new(format!(
                "UPDATE classifier_tokens SET {column} = {}({column} - 1, 0) WHERE token IN (",
                db.dialect().greatest()
            ));
            query.push_list(chunk.iter().copied());
            query.push(")");
            tx.on()
                .execute(&query)
                .await
                .map_err(map_err("classifier"))?;
        }
        let (spam, ham) = if training == Training::Spam {
            (1i64, 0i64)
        } else {
            (0, 1)
        };
        let mut query = Sql::new("INSERT INTO classifier_tokens (token, spam, ham) VALUES ");
        for (n, token) in chunk.iter().enumerate() {
            if n > 0 {
                query.push(", ");
            }
            query
                .push("(")
                .push_bind(*token)
                .push(", ")
                .push_bind(spam)
                .push(", ")
                .push_bind(ham)
                .push(")");
        }
        query.push(
            " ON CONFLICT (token) DO UPDATE SET spam = classifier_tokens.spam + excluded.spam, \
             ham = classifier_tokens.ham + excluded.ham",
        );
        tx.on()
            .execute(&query)
            .await
            .map_err(map_err("classifier"))?;
    }
    Ok(())
}

pub(crate) async fn classifier_counts(
    db: &SqlStore,
    tokens: &[String],
) -> StoreResult<Vec<(String, TokenCounts)>> {
    let mut counts = Vec::new();
    let all: Vec<&str> = tokens
        .iter()
        .map(String::as_str)
        .chain([DOCUMENTS])
        .collect();
    for chunk in all.chunks(500) {
        let mut query = Sql::new("SELECT token, spam, ham FROM classifier_tokens WHERE token IN (");
        query.push_list(chunk.iter().copied());
        query.push(")");
        let rows: Vec<(String, i64, i64)> =
            db.on().all(&query).await.map_err(map_err("classifier"))?;
        counts.extend(
            rows.into_iter()
                .map(|(t, spam, ham)| (t, TokenCounts { spam, ham })),
        );
    }
    Ok(counts)
}

/// Appends `filter`'s conditions (over `comments c` joined with `articles a`).
fn push_filter(query: &mut Sql, filter: &CommentFilter, with_status: bool) {
    query.push(" WHERE 1 = 1");
    if let (true, Some(status)) = (with_status, filter.status) {
        query.push(" AND c.status = ").push_name(status.as_str());
    }
    if let Some(article) = filter.article {
        query.push(" AND c.article_id = ").push_bind(article.0);
    }
    if let Some(email) = &filter.email {
        query
            .push(" AND c.author_email = ")
            .push_bind(email.as_str());
    }
    if let Some(author) = filter.article_author {
        query.push(" AND ");
        crate::articles::push_in_byline(query, author);
    }
    for word in &filter.words {
        // A word is letters and digits (`search::Terms`), but escape LIKE's wildcards anyway.
        let pattern = format!(
            "%{}%",
            word.replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_")
        );
        query
            .push(" AND (LOWER(c.body_markdown) LIKE ")
            .push_bind(pattern.as_str())
            .push(" ESCAPE '\\' OR LOWER(c.author_name) LIKE ")
            .push_bind(pattern.as_str())
            .push(" ESCAPE '\\' OR c.author_email LIKE ")
            .push_bind(pattern.as_str())
            .push(" ESCAPE '\\')");
    }
}

/// How long a staff search of comments (which reads every comment's text) may run.
const STAFF_SEARCH_TIME: std::time::Duration = std::time::Duration::from_secs(5);

/// The bounded read if there is one, else the pool.
fn on_either<'a>(db: &'a SqlStore, bounded: &'a mut Option<crate::BoundedRead>) -> crate::On<'a> {
    match bounded {
        Some(read) => read.on(),
        None => db.on(),
    }
}

/// Maps a failed statement of a comment list: one a staff search's time limit stopped is
/// `TimedOut`.
fn list_err(error: sqlx::Error) -> StoreError {
    if crate::timed_out(&error) {
        StoreError::TimedOut("comment search")
    } else {
        map_err("comments")(error)
    }
}

pub(crate) async fn staff_comments(
    db: &SqlStore,
    filter: &CommentFilter,
    page: PageRequest,
) -> StoreResult<Page<StaffComment>> {
    let mut count =
        Sql::new("SELECT COUNT(*) FROM comments c JOIN articles a ON a.id = c.article_id");
    push_filter(&mut count, filter, true);
    // A search reads every comment's text: it runs on a connection with a time limit.
    let mut bounded = match filter.words.is_empty() {
        true => None,
        false => Some(db.bounded(STAFF_SEARCH_TIME).await?),
    };
    let total: i64 = scalar(on_either(db, &mut bounded), &count)
        .await
        .map_err(list_err)?;
    let mut list = Sql::new(format!(
        "SELECT {STAFF_COMMENT_COLUMNS} FROM comments c JOIN articles a ON a.id = c.article_id"
    ));
    push_filter(&mut list, filter, true);
    list.push(" ORDER BY c.created_at DESC, c.id DESC LIMIT ")
        .push_bind(page.limit())
        .push(" OFFSET ")
        .push_bind(page.offset());
    let rows: Vec<StaffCommentRow> = on_either(db, &mut bounded)
        .all(&list)
        .await
        .map_err(list_err)?;
    if let Some(read) = bounded {
        read.finish().await;
    }
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
    db: &SqlStore,
    filter: &CommentFilter,
) -> StoreResult<Vec<(CommentStatus, i64)>> {
    let mut query = Sql::new(
        "SELECT c.status, COUNT(*) FROM comments c JOIN articles a ON a.id = c.article_id",
    );
    push_filter(&mut query, filter, false);
    query.push(" GROUP BY c.status");
    let rows: Vec<(String, i64)> = if filter.words.is_empty() {
        db.on().all(&query).await.map_err(list_err)?
    } else {
        let mut read = db.bounded(STAFF_SEARCH_TIME).await?;
        let rows = read.on().all(&query).await.map_err(list_err)?;
        read.finish().await;
        rows
    };
    rows.into_iter()
        .map(|(status, n)| Ok((CommentStatus::parse(&status)?, n)))
        .collect()
}

pub(crate) async fn edit_comment(
    db: &SqlStore,
    id: CommentId,
    edit: CommentEdit,
    audit: NewAudit,
) -> StoreResult<StaffComment> {
    let mut tx = db.write().await?;
    let updated = tx
        .on()
        .execute(
            &Sql::new(
                "UPDATE comments SET author_name = $1, author_url = $2, body_markdown = $3, body_html = $4 WHERE id = $5",
            )
            .bind(&edit.author_name)
            .bind(&edit.author_url)
            .bind(&edit.body_markdown)
            .bind(&edit.body_html)
            .bind(id.0),
        )
        .await
        .map_err(map_err("comment"))?;
    if updated == 0 {
        return Err(StoreError::NotFound("comment"));
    }
    audit_in(&mut tx, &audit, None, None).await?;
    let comment = staff_comment_in(&mut tx, id).await?;
    tx.commit().await.map_err(map_err("comment"))?;
    Ok(comment)
}

pub(crate) async fn delete_comment(
    db: &SqlStore,
    id: CommentId,
    audit: NewAudit,
) -> StoreResult<()> {
    let mut tx = db.write().await?;
    let (article, status, _) = lock_comment(db, &mut tx, id).await?;
    // Replies stay where they are in the thread (their paths still sort them there).
    tx.on()
        .execute(&Sql::new("UPDATE comments SET parent_id = NULL WHERE parent_id = $1").bind(id.0))
        .await
        .map_err(map_err("comment"))?;
    tx.on()
        .execute(&Sql::new("DELETE FROM comments WHERE id = $1").bind(id.0))
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
    db: &SqlStore,
    ip: &str,
    network: &str,
    since: i64,
    at_most: i64,
) -> StoreResult<(i64, i64)> {
    db.on()
        .one(
            &Sql::new(
                "SELECT \
                 (SELECT COUNT(*) FROM (SELECT 1 FROM comments WHERE ip = $1 AND created_at >= $3 LIMIT $4) by_ip), \
                 (SELECT COUNT(*) FROM (SELECT 1 FROM comments WHERE ip_network = $2 AND created_at >= $3 LIMIT $4) by_network)",
            )
            .bind(ip)
            .bind(network)
            .bind(since)
            .bind(at_most),
        )
        .await
        .map_err(map_err("comments"))
}

pub(crate) async fn commenter_signals(
    db: &SqlStore,
    article: ArticleId,
    email: &str,
    name: &str,
    body: &str,
    ip: Option<&str>,
) -> StoreResult<gazette_store::CommenterSignals> {
    let (banned, duplicate, has_approved, has_approved_with_name): (bool, bool, bool, bool) = db
        .on()
        .one(
            &Sql::new(COMMENTER_SIGNALS)
                .bind(article.0)
                .bind(email)
                .bind(body)
                .bind(ip)
                .bind(name),
        )
        .await
        .map_err(map_err("commenter"))?;
    Ok(gazette_store::CommenterSignals {
        banned,
        duplicate,
        has_approved,
        has_approved_with_name,
    })
}

pub(crate) async fn create_ban(db: &SqlStore, ban: NewBan) -> StoreResult<Ban> {
    let mut tx = db.write().await?;
    let id: i64 = scalar(
        tx.on(),
        &Sql::new(
            "INSERT INTO bans (kind, value, reason, hide_history, created_at, created_by) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(ban.kind.as_str())
        .bind(&ban.value)
        .bind(&ban.reason)
        .bind(ban.hide_history)
        .bind(ban.created_at)
        .bind(&ban.created_by.display_name),
    )
    .await
    .map_err(map_err("ban"))?;
    let column = match ban.kind {
        gazette_domain::records::BanKind::Email => "author_email",
        gazette_domain::records::BanKind::Ip => "ip",
    };
    let mut hidden = 0u64;
    if ban.hide_history {
        let affected: Vec<(i64,)> = tx
            .on()
            .all(
                &Sql::new(format!(
                    "SELECT DISTINCT article_id FROM comments WHERE {column} = $1 AND status IN ('approved', 'held')"
                ))
                .bind(&ban.value),
            )
            .await
            .map_err(map_err("comments"))?;
        hidden = tx
            .on()
            .execute(
                &Sql::new(format!(
                    "UPDATE comments SET status = 'trash' WHERE {column} = $1 AND status IN ('approved', 'held')"
                ))
                .bind(&ban.value),
            )
            .await
            .map_err(map_err("comments"))?;
        for (article,) in affected {
            tx.on()
                .execute(
                    &Sql::new(
                        "UPDATE articles SET comment_count = \
                         (SELECT COUNT(*) FROM comments WHERE article_id = $1 AND status = 'approved') WHERE id = $1",
                    )
                    .bind(article),
                )
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
    let row: BanRow = tx
        .on()
        .one(&Sql::new(format!("SELECT {BAN_COLUMNS} FROM bans WHERE id = $1")).bind(id))
        .await
        .map_err(map_err("ban"))?;
    tx.commit().await.map_err(map_err("ban"))?;
    row.into_ban()
}

pub(crate) async fn bans(db: &SqlStore) -> StoreResult<Vec<Ban>> {
    let rows: Vec<BanRow> = db
        .on()
        .all(&Sql::new(format!(
            "SELECT {BAN_COLUMNS} FROM bans ORDER BY created_at DESC, id DESC LIMIT 1000"
        )))
        .await
        .map_err(map_err("bans"))?;
    rows.into_iter().map(BanRow::into_ban).collect()
}

pub(crate) async fn delete_ban(db: &SqlStore, id: i64, audit: NewAudit) -> StoreResult<()> {
    let mut tx = db.write().await?;
    let deleted = tx
        .on()
        .execute(&Sql::new("DELETE FROM bans WHERE id = $1").bind(id))
        .await
        .map_err(map_err("ban"))?;
    if deleted == 0 {
        return Err(StoreError::NotFound("ban"));
    }
    audit_in(&mut tx, &audit, None, None).await?;
    tx.commit().await.map_err(map_err("ban"))?;
    Ok(())
}

pub(crate) async fn record_audit(db: &SqlStore, audit: NewAudit) -> StoreResult<()> {
    let mut tx = db.write().await?;
    audit_in(&mut tx, &audit, None, None).await?;
    tx.commit().await.map_err(map_err("audit log"))
}

pub(crate) async fn audit_log(db: &SqlStore, page: PageRequest) -> StoreResult<Page<AuditEntry>> {
    let total: i64 = scalar(db.on(), &Sql::new("SELECT COUNT(*) FROM audit_log"))
        .await
        .map_err(map_err("audit log"))?;
    let rows: Vec<AuditRow> = db
        .on()
        .all(
            &Sql::new(format!(
                "SELECT {AUDIT_COLUMNS} FROM audit_log ORDER BY at DESC, id DESC LIMIT $1 OFFSET $2"
            ))
            .bind(page.limit())
            .bind(page.offset()),
        )
        .await
        .map_err(map_err("audit log"))?;
    Ok(Page {
        items: rows.into_iter().map(AuditEntry::from).collect(),
        page: page.page,
        per_page: page.per_page,
        total,
    })
}
