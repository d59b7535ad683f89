use crate::db::{On, Sql, scalar};
use crate::dialect::Dialect;
use crate::{SqlStore, map_err};
use gazette_domain::records::{ArticleQuery, ArticleRow as AdminRow, ArticleUpdate};
use gazette_domain::search::SearchText;
use gazette_domain::{
    Article, ArticleId, ArticleSummary, NewArticle, Page, PageRequest, Term, TermKind, UserId,
};
use gazette_store::rows::{
    ADMIN_ARTICLE_COLUMNS, ARTICLE_COLUMNS, ARTICLE_TABLES, AdminArticleRow, ArticleRow,
    ArticleSummaryRow, SUMMARY_COLUMNS, TermRow,
};
use gazette_store::{ArticleFilter, StoreError, StoreResult};

/// An article with its author and terms, by `a.id` or `a.slug` (`key`), in one statement.
fn article_by(dialect: Dialect, key: &str) -> String {
    format!(
        "SELECT {ARTICLE_COLUMNS}, {}, {}, {} FROM {ARTICLE_TABLES} WHERE a.{key} = $1",
        dialect.terms_column(),
        dialect.corrections_column(),
        dialect.coauthors_column()
    )
}

/// Replaces an article's co-authors: `ids` in order, leaving out the first author and repeats.
pub(crate) async fn set_coauthors(
    tx: &mut crate::WriteTx,
    article_id: i64,
    first: UserId,
    ids: &[UserId],
) -> StoreResult<()> {
    tx.on()
        .execute(&Sql::new("DELETE FROM article_authors WHERE article_id = $1").bind(article_id))
        .await
        .map_err(map_err("article authors"))?;
    let mut seen = vec![first];
    for &id in ids {
        if seen.contains(&id) {
            continue;
        }
        seen.push(id);
        tx.on()
            .execute(
                &Sql::new(
                    "INSERT INTO article_authors (article_id, user_id, position) VALUES ($1, $2, $3)",
                )
                .bind(article_id)
                .bind(id.0)
                .bind(seen.len() as i64 - 1),
            )
            .await
            .map_err(map_err("article author"))?;
    }
    Ok(())
}

pub(crate) async fn create_article(db: &SqlStore, article: NewArticle) -> StoreResult<Article> {
    let mut tx = db.write().await?;
    let id = insert_row(&mut tx, &article, article.created_at, None).await?;
    set_coauthors(&mut tx, id, article.author_id, &article.coauthor_ids).await?;
    crate::search::index_in(
        &mut tx,
        id,
        &SearchText::new(&article.title, &article.body_text),
    )
    .await?;
    let terms = article
        .categories
        .iter()
        .map(|t| (TermKind::Category, t))
        .chain(article.tags.iter().map(|t| (TermKind::Tag, t)));
    for (position, (kind, term)) in terms.enumerate() {
        attach_term(&mut tx, id, kind, term, position as i64).await?;
    }
    let created = read_article(tx.on(), &Sql::new(article_by(db.dialect(), "id")).bind(id)).await?;
    tx.commit().await.map_err(map_err("article"))?;
    Ok(created)
}

/// Writes an article's row (not its terms), with the feed id an import brought; returns its id.
pub(crate) async fn insert_row(
    tx: &mut crate::WriteTx,
    article: &NewArticle,
    updated_at: i64,
    feed_id: Option<&str>,
) -> StoreResult<i64> {
    scalar(
        tx.on(),
        &Sql::new(
            "INSERT INTO articles (slug, title, body_markdown, body_html, excerpt, author_id, status, \
             comments_open, published_at, created_at, updated_at, body_format, feed_id, featured_media_id) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, \
             CASE WHEN EXISTS (SELECT 1 FROM articles WHERE feed_id = $13) THEN NULL ELSE $13 END, $14) \
             RETURNING id",
        )
        .bind(&article.slug)
        .bind(&article.title)
        .bind(&article.body_markdown)
        .bind(&article.body_html)
        .bind(&article.excerpt)
        .bind(article.author_id.0)
        .bind(article.status.as_str())
        .bind(article.comments_open)
        .bind(article.published_at)
        .bind(article.created_at)
        .bind(updated_at)
        .bind(article.body_format.as_str())
        .bind(feed_id)
        .bind(article.featured_media_id.map(|m| m.0)),
    )
    .await
    .map_err(map_err("article slug"))
}

/// Creates the term if new, then files the article under it (once, even if listed twice).
async fn attach_term(
    tx: &mut crate::WriteTx,
    article_id: i64,
    kind: TermKind,
    term: &Term,
    position: i64,
) -> StoreResult<()> {
    tx.on()
        .execute(
            &Sql::new(
                "INSERT INTO terms (kind, name, slug) VALUES ($1, $2, $3) ON CONFLICT (kind, slug) DO NOTHING",
            )
            .bind(kind.as_str())
            .bind(&term.name)
            .bind(&term.slug),
        )
        .await
        .map_err(map_err("term"))?;
    let term_id: i64 = scalar(
        tx.on(),
        &Sql::new("SELECT id FROM terms WHERE kind = $1 AND slug = $2")
            .bind(kind.as_str())
            .bind(&term.slug),
    )
    .await
    .map_err(map_err("term"))?;
    tx.on()
        .execute(
            &Sql::new(
                "INSERT INTO article_terms (article_id, term_id, sort_order) VALUES ($1, $2, $3) \
                 ON CONFLICT (article_id, term_id) DO NOTHING",
            )
            .bind(article_id)
            .bind(term_id)
            .bind(position),
        )
        .await
        .map_err(map_err("term"))?;
    Ok(())
}

async fn read_article(on: On<'_>, sql: &Sql) -> StoreResult<Article> {
    let row: ArticleRow = on.one(sql).await.map_err(map_err("article"))?;
    row.into_article_with_terms()
}

pub(crate) async fn article_by_id(db: &SqlStore, id: ArticleId) -> StoreResult<Article> {
    read_article(
        db.on(),
        &Sql::new(article_by(db.dialect(), "id")).bind(id.0),
    )
    .await
}

pub(crate) async fn article_by_slug(db: &SqlStore, slug: &str) -> StoreResult<Article> {
    read_article(
        db.on(),
        &Sql::new(article_by(db.dialect(), "slug")).bind(slug),
    )
    .await
}

pub(crate) async fn next_publication_after(db: &SqlStore, now: i64) -> StoreResult<Option<i64>> {
    scalar(
        db.on(),
        &Sql::new(
            "SELECT MIN(published_at) FROM articles WHERE status = 'published' AND published_at > $1",
        )
        .bind(now),
    )
    .await
    .map_err(map_err("articles"))
}

pub(crate) async fn count_articles(db: &SqlStore) -> StoreResult<i64> {
    scalar(db.on(), &Sql::new("SELECT COUNT(*) FROM articles"))
        .await
        .map_err(map_err("articles"))
}

/// Appends the filter's condition to a query over `articles a`.
fn push_filter(query: &mut Sql, filter: &ArticleFilter, now: i64) {
    query.push(" WHERE a.status = 'published' AND a.published_at <= ");
    query.push_bind(now);
    match filter {
        ArticleFilter::All => {}
        ArticleFilter::Term(kind, slug) => {
            query.push(
                " AND a.id IN (SELECT at.article_id FROM article_terms at \
                 JOIN terms t ON t.id = at.term_id WHERE t.kind = ",
            );
            query.push_bind(kind.as_str());
            query.push(" AND t.slug = ");
            query.push_bind(slug.as_str());
            query.push(")");
        }
        ArticleFilter::Author(id) => {
            query.push(" AND ");
            push_in_byline(query, *id);
        }
        ArticleFilter::Published { from, to } => {
            query.push(" AND a.published_at >= ").push_bind(*from);
            query.push(" AND a.published_at < ").push_bind(*to);
        }
    }
}

pub(crate) async fn published_articles(
    db: &SqlStore,
    filter: &ArticleFilter,
    page: PageRequest,
    now: i64,
) -> StoreResult<Page<ArticleSummary>> {
    let mut count = Sql::new("SELECT COUNT(*) FROM articles a");
    push_filter(&mut count, filter, now);
    let total: i64 = scalar(db.on(), &count).await.map_err(map_err("articles"))?;
    let mut list = Sql::new(format!(
        "SELECT {SUMMARY_COLUMNS}, {} FROM {ARTICLE_TABLES}",
        db.dialect().coauthors_column()
    ));
    push_filter(&mut list, filter, now);
    list.push(" ORDER BY a.published_at DESC, a.id DESC LIMIT ");
    list.push_bind(page.limit());
    list.push(" OFFSET ");
    list.push_bind(page.offset());
    let rows: Vec<ArticleSummaryRow> = db.on().all(&list).await.map_err(map_err("articles"))?;
    Ok(Page {
        items: rows.into_iter().map(ArticleSummary::from).collect(),
        page: page.page,
        per_page: page.per_page,
        total,
    })
}

pub(crate) async fn feed_articles(
    db: &SqlStore,
    filter: &ArticleFilter,
    limit: i64,
    now: i64,
) -> StoreResult<Vec<Article>> {
    let mut list = Sql::new(format!(
        "SELECT {ARTICLE_COLUMNS}, {}, {}, {} FROM {ARTICLE_TABLES}",
        db.dialect().terms_column(),
        db.dialect().corrections_column(),
        db.dialect().coauthors_column()
    ));
    push_filter(&mut list, filter, now);
    list.push(" ORDER BY a.published_at DESC, a.id DESC LIMIT ")
        .push_bind(limit);
    let rows: Vec<ArticleRow> = db.on().all(&list).await.map_err(map_err("articles"))?;
    rows.into_iter()
        .map(ArticleRow::into_article_with_terms)
        .collect()
}

pub(crate) async fn term(db: &SqlStore, kind: TermKind, slug: &str) -> StoreResult<Term> {
    let row: TermRow = db
        .on()
        .one(
            &Sql::new("SELECT kind, name, slug FROM terms WHERE kind = $1 AND slug = $2")
                .bind(kind.as_str())
                .bind(slug),
        )
        .await
        .map_err(map_err(kind.as_str()))?;
    Ok(Term {
        name: row.name,
        slug: row.slug,
    })
}

pub(crate) async fn categories_in_use(
    db: &SqlStore,
    now: i64,
    limit: i64,
) -> StoreResult<Vec<Term>> {
    let rows: Vec<TermRow> = db
        .on()
        .all(
            &Sql::new(
                "SELECT t.kind, t.name, t.slug FROM terms t WHERE t.kind = 'category' AND EXISTS ( \
                   SELECT 1 FROM article_terms at JOIN articles a ON a.id = at.article_id \
                   WHERE at.term_id = t.id AND a.status = 'published' AND a.published_at <= $1) \
                 ORDER BY t.name LIMIT $2",
            )
            .bind(now)
            .bind(limit),
        )
        .await
        .map_err(map_err("categories"))?;
    Ok(rows
        .into_iter()
        .map(|r| Term {
            name: r.name,
            slug: r.slug,
        })
        .collect())
}

pub(crate) async fn update_article(
    db: &SqlStore,
    id: ArticleId,
    update: ArticleUpdate,
) -> StoreResult<Article> {
    let mut tx = db.write().await?;
    let (old_slug, version): (String, i64) = tx
        .on()
        .one(
            &Sql::new(format!(
                "SELECT slug, version FROM articles WHERE id = $1{}",
                db.dialect().for_update()
            ))
            .bind(id.0),
        )
        .await
        .map_err(map_err("article"))?;
    if version != update.expected_version {
        return Err(StoreError::Conflict("article version"));
    }
    tx.on()
        .execute(
            &Sql::new(
                "UPDATE articles SET slug = $1, title = $2, body_markdown = $3, body_html = $4, excerpt = $5, \
                 author_id = $6, status = $7, comments_open = $8, published_at = $9, updated_at = $10, \
                 updated_by = $11, body_format = $13, featured_media_id = $14, version = version + 1 \
                 WHERE id = $12",
            )
            .bind(&update.slug)
            .bind(&update.title)
            .bind(&update.body_markdown)
            .bind(&update.body_html)
            .bind(&update.excerpt)
            .bind(update.author_id.0)
            .bind(update.status.as_str())
            .bind(update.comments_open)
            .bind(update.published_at)
            .bind(update.updated_at)
            .bind(update.updated_by.0)
            .bind(id.0)
            .bind(update.body_format.as_str())
            .bind(update.featured_media_id.map(|m| m.0)),
        )
        .await
        .map_err(map_err("article slug"))?;
    if old_slug != update.slug {
        tx.on()
            .execute(
                &Sql::new(
                    "INSERT INTO slug_redirects (old_slug, article_id) VALUES ($1, $2) \
                     ON CONFLICT (old_slug) DO UPDATE SET article_id = excluded.article_id",
                )
                .bind(&old_slug)
                .bind(id.0),
            )
            .await
            .map_err(map_err("slug redirect"))?;
        // A slug in use by a live article is never also a redirect.
        tx.on()
            .execute(&Sql::new("DELETE FROM slug_redirects WHERE old_slug = $1").bind(&update.slug))
            .await
            .map_err(map_err("slug redirect"))?;
    }
    set_coauthors(&mut tx, id.0, update.author_id, &update.coauthor_ids).await?;
    crate::search::index_in(
        &mut tx,
        id.0,
        &SearchText::new(&update.title, &update.body_text),
    )
    .await?;
    tx.on()
        .execute(&Sql::new("DELETE FROM article_terms WHERE article_id = $1").bind(id.0))
        .await
        .map_err(map_err("article terms"))?;
    let terms = update
        .categories
        .iter()
        .map(|t| (TermKind::Category, t))
        .chain(update.tags.iter().map(|t| (TermKind::Tag, t)));
    for (position, (kind, term)) in terms.enumerate() {
        attach_term(&mut tx, id.0, kind, term, position as i64).await?;
    }
    let article = read_article(
        tx.on(),
        &Sql::new(article_by(db.dialect(), "id")).bind(id.0),
    )
    .await?;
    tx.commit().await.map_err(map_err("article"))?;
    Ok(article)
}

/// Appends the condition that `author` is in the byline of `articles a`: its first author or
/// one of its co-authors.
pub(crate) fn push_in_byline(query: &mut Sql, author: gazette_domain::UserId) {
    query
        .push("(a.author_id = ")
        .push_bind(author.0)
        .push(" OR a.id IN (SELECT aa.article_id FROM article_authors aa WHERE aa.user_id = ")
        .push_bind(author.0)
        .push("))");
}

/// Appends the admin list's conditions over `articles a`.
fn push_admin_filter(query: &mut Sql, filter: &ArticleQuery) {
    match filter.status {
        Some(status) => query.push(" WHERE a.status = ").push_name(status.as_str()),
        None => query.push(" WHERE a.status <> 'trash'"),
    };
    if let Some(author) = filter.author {
        query.push(" AND ");
        push_in_byline(query, author);
    }
    if let Some(category) = &filter.category {
        query
            .push(
                " AND a.id IN (SELECT at.article_id FROM article_terms at JOIN terms t ON t.id = at.term_id \
                 WHERE t.kind = 'category' AND t.slug = ",
            )
            .push_bind(category.as_str())
            .push(")");
    }
    if let Some(title) = &filter.title {
        let escaped = title
            .to_lowercase()
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        query
            .push(" AND LOWER(a.title) LIKE ")
            .push_bind(format!("%{escaped}%"))
            .push(" ESCAPE '\\'");
    }
}

pub(crate) async fn admin_articles(
    db: &SqlStore,
    filter: &ArticleQuery,
    page: PageRequest,
) -> StoreResult<Page<AdminRow>> {
    let mut count = Sql::new("SELECT COUNT(*) FROM articles a");
    push_admin_filter(&mut count, filter);
    let total: i64 = scalar(db.on(), &count).await.map_err(map_err("articles"))?;
    let mut list = Sql::new(format!(
        "SELECT {ADMIN_ARTICLE_COLUMNS} FROM articles a JOIN users u ON u.id = a.author_id"
    ));
    push_admin_filter(&mut list, filter);
    list.push(" ORDER BY a.updated_at DESC, a.id DESC LIMIT ")
        .push_bind(page.limit())
        .push(" OFFSET ")
        .push_bind(page.offset());
    let rows: Vec<AdminArticleRow> = db.on().all(&list).await.map_err(map_err("articles"))?;
    Ok(Page {
        items: rows
            .into_iter()
            .map(AdminArticleRow::into_row)
            .collect::<StoreResult<_>>()?,
        page: page.page,
        per_page: page.per_page,
        total,
    })
}

pub(crate) async fn slug_redirect(db: &SqlStore, old_slug: &str) -> StoreResult<String> {
    scalar(
        db.on(),
        &Sql::new(
            "SELECT a.slug FROM slug_redirects r JOIN articles a ON a.id = r.article_id WHERE r.old_slug = $1",
        )
        .bind(old_slug),
    )
    .await
    .map_err(map_err("article"))
}

pub(crate) async fn add_correction(
    db: &SqlStore,
    article: ArticleId,
    body: &str,
    at: i64,
    audit: gazette_domain::records::NewAudit,
) -> StoreResult<Article> {
    let mut tx = db.write().await?;
    // A correction is a change after publication: the article's "Updated" date moves too.
    let changed = tx
        .on()
        .execute(
            &Sql::new("UPDATE articles SET updated_at = $2 WHERE id = $1 AND status = 'published'")
                .bind(article.0)
                .bind(at),
        )
        .await
        .map_err(map_err("article"))?;
    if changed == 0 {
        return Err(StoreError::NotFound("published article"));
    }
    tx.on()
        .execute(
            &Sql::new(
                "INSERT INTO corrections (article_id, body, created_at, created_by) VALUES ($1, $2, $3, $4)",
            )
            .bind(article.0)
            .bind(body)
            .bind(at)
            .bind(audit.actor.map(|u| u.0)),
        )
        .await
        .map_err(map_err("correction"))?;
    crate::moderation::audit_in(&mut tx, &audit, None, None).await?;
    let updated = read_article(
        tx.on(),
        &Sql::new(article_by(db.dialect(), "id")).bind(article.0),
    )
    .await?;
    tx.commit().await.map_err(map_err("correction"))?;
    Ok(updated)
}

pub(crate) async fn recent_corrections(
    db: &SqlStore,
    limit: i64,
    now: i64,
) -> StoreResult<Vec<(gazette_domain::Correction, String, String)>> {
    let rows: Vec<(i64, String, i64, String, String)> = db
        .on()
        .all(
            &Sql::new(
                "SELECT k.id, k.body, k.created_at, a.slug, a.title FROM corrections k \
                 JOIN articles a ON a.id = k.article_id \
                 WHERE a.status = 'published' AND a.published_at <= $1 \
                 ORDER BY k.created_at DESC, k.id DESC LIMIT $2",
            )
            .bind(now)
            .bind(limit),
        )
        .await
        .map_err(map_err("corrections"))?;
    Ok(rows
        .into_iter()
        .map(|(id, body, created_at, slug, title)| {
            (
                gazette_domain::Correction {
                    id,
                    body,
                    created_at,
                },
                slug,
                title,
            )
        })
        .collect())
}
