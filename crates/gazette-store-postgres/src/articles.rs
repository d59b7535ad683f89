use crate::{PgStore, map_err};
use gazette_domain::records::{ArticleQuery, ArticleRow as AdminRow, ArticleUpdate};
use gazette_domain::{
    Article, ArticleId, ArticleSummary, NewArticle, Page, PageRequest, Term, TermKind,
};
use gazette_store::rows::{
    ADMIN_ARTICLE_COLUMNS, ARTICLE_COLUMNS, AdminArticleRow, ArticleRow, ArticleSummaryRow,
    SUMMARY_COLUMNS, TermRow,
};
use gazette_store::{ArticleFilter, StoreError, StoreResult};
use sqlx::{PgConnection, Postgres, QueryBuilder};
use std::sync::LazyLock;

/// An article's categories and tags in its row, in order: `kind␟name␟slug` joined by `␞`, so an
/// article is read in one statement.
const TERMS_COLUMN: &str = "(SELECT string_agg(t.kind || chr(31) || t.name || chr(31) || t.slug, chr(30) ORDER BY at.sort_order) FROM article_terms at JOIN terms t ON t.id = at.term_id WHERE at.article_id = a.id) AS terms";

static ARTICLE_BY_ID: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT {ARTICLE_COLUMNS}, {TERMS_COLUMN} FROM articles a JOIN users u ON u.id = a.author_id WHERE a.id = $1"
    )
});
static ARTICLE_BY_SLUG: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT {ARTICLE_COLUMNS}, {TERMS_COLUMN} FROM articles a JOIN users u ON u.id = a.author_id WHERE a.slug = $1"
    )
});

pub(crate) async fn create_article(db: &PgStore, article: NewArticle) -> StoreResult<Article> {
    let mut tx = db.write().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO articles (slug, title, body_markdown, body_html, excerpt, author_id, status, \
         comments_open, published_at, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) RETURNING id",
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
    .fetch_one(&mut *tx)
    .await
    .map_err(map_err("article slug"))?;

    let terms = article
        .categories
        .iter()
        .map(|t| (TermKind::Category, t))
        .chain(article.tags.iter().map(|t| (TermKind::Tag, t)));
    for (position, (kind, term)) in terms.enumerate() {
        attach_term(&mut tx, id, kind, term, position as i64).await?;
    }
    let created = read_article(&mut tx, ARTICLE_BY_ID.as_str(), Bind::Id(id)).await?;
    tx.commit().await.map_err(map_err("article"))?;
    Ok(created)
}

/// Creates the term if new, then files the article under it (once, even if listed twice).
async fn attach_term(
    conn: &mut PgConnection,
    article_id: i64,
    kind: TermKind,
    term: &Term,
    position: i64,
) -> StoreResult<()> {
    sqlx::query("INSERT INTO terms (kind, name, slug) VALUES ($1, $2, $3) ON CONFLICT (kind, slug) DO NOTHING")
        .bind(kind.as_str())
        .bind(&term.name)
        .bind(&term.slug)
        .execute(&mut *conn)
        .await
        .map_err(map_err("term"))?;
    let term_id: i64 = sqlx::query_scalar("SELECT id FROM terms WHERE kind = $1 AND slug = $2")
        .bind(kind.as_str())
        .bind(&term.slug)
        .fetch_one(&mut *conn)
        .await
        .map_err(map_err("term"))?;
    sqlx::query(
        "INSERT INTO article_terms (article_id, term_id, sort_order) VALUES ($1, $2, $3) \
         ON CONFLICT (article_id, term_id) DO NOTHING",
    )
    .bind(article_id)
    .bind(term_id)
    .bind(position)
    .execute(&mut *conn)
    .await
    .map_err(map_err("term"))?;
    Ok(())
}

enum Bind<'a> {
    Id(i64),
    Slug(&'a str),
}

/// The article with its terms, in one statement.
async fn read_article(
    conn: &mut PgConnection,
    sql: &'static str,
    key: Bind<'_>,
) -> StoreResult<Article> {
    let query = sqlx::query_as::<_, ArticleRow>(sql);
    let query = match key {
        Bind::Id(id) => query.bind(id),
        Bind::Slug(slug) => query.bind(slug),
    };
    let row = query
        .fetch_one(&mut *conn)
        .await
        .map_err(map_err("article"))?;
    row.into_article_with_terms()
}

pub(crate) async fn article_by_id(db: &PgStore, id: ArticleId) -> StoreResult<Article> {
    let mut conn = db.pool.acquire().await.map_err(map_err("connection"))?;
    read_article(&mut conn, ARTICLE_BY_ID.as_str(), Bind::Id(id.0)).await
}

pub(crate) async fn article_by_slug(db: &PgStore, slug: &str) -> StoreResult<Article> {
    let mut conn = db.pool.acquire().await.map_err(map_err("connection"))?;
    read_article(&mut conn, ARTICLE_BY_SLUG.as_str(), Bind::Slug(slug)).await
}

pub(crate) async fn next_publication_after(db: &PgStore, now: i64) -> StoreResult<Option<i64>> {
    sqlx::query_scalar(
        "SELECT MIN(published_at) FROM articles WHERE status = 'published' AND published_at > $1",
    )
    .bind(now)
    .fetch_one(&db.pool)
    .await
    .map_err(map_err("articles"))
}

pub(crate) async fn count_articles(db: &PgStore) -> StoreResult<i64> {
    sqlx::query_scalar("SELECT COUNT(*) FROM articles")
        .fetch_one(&db.pool)
        .await
        .map_err(map_err("articles"))
}

/// Appends the filter's condition to a query over `articles a`.
fn push_filter(query: &mut QueryBuilder<Postgres>, filter: &ArticleFilter, now: i64) {
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
            query.push_bind(slug.clone());
            query.push(")");
        }
        ArticleFilter::Author(id) => {
            query.push(" AND a.author_id = ");
            query.push_bind(id.0);
        }
    }
}

pub(crate) async fn published_articles(
    db: &PgStore,
    filter: &ArticleFilter,
    page: PageRequest,
    now: i64,
) -> StoreResult<Page<ArticleSummary>> {
    let mut conn = db.pool.acquire().await.map_err(map_err("connection"))?;
    let mut count = QueryBuilder::<Postgres>::new("SELECT COUNT(*) FROM articles a");
    push_filter(&mut count, filter, now);
    let total: i64 = count
        .build_query_scalar()
        .fetch_one(&mut *conn)
        .await
        .map_err(map_err("articles"))?;

    let mut list = QueryBuilder::<Postgres>::new(format!(
        "SELECT {SUMMARY_COLUMNS} FROM articles a JOIN users u ON u.id = a.author_id"
    ));
    push_filter(&mut list, filter, now);
    list.push(" ORDER BY a.published_at DESC, a.id DESC LIMIT ");
    list.push_bind(page.limit());
    list.push(" OFFSET ");
    list.push_bind(page.offset());
    let rows: Vec<ArticleSummaryRow> = list
        .build_query_as()
        .fetch_all(&mut *conn)
        .await
        .map_err(map_err("articles"))?;
    Ok(Page {
        items: rows.into_iter().map(ArticleSummary::from).collect(),
        page: page.page,
        per_page: page.per_page,
        total,
    })
}

pub(crate) async fn term(db: &PgStore, kind: TermKind, slug: &str) -> StoreResult<Term> {
    let row: TermRow =
        sqlx::query_as("SELECT kind, name, slug FROM terms WHERE kind = $1 AND slug = $2")
            .bind(kind.as_str())
            .bind(slug)
            .fetch_one(&db.pool)
            .await
            .map_err(map_err(kind.as_str()))?;
    Ok(Term {
        name: row.name,
        slug: row.slug,
    })
}

pub(crate) async fn categories_in_use(
    db: &PgStore,
    now: i64,
    limit: i64,
) -> StoreResult<Vec<Term>> {
    let rows: Vec<TermRow> = sqlx::query_as(
        "SELECT t.kind, t.name, t.slug FROM terms t WHERE t.kind = 'category' AND EXISTS ( \
           SELECT 1 FROM article_terms at JOIN articles a ON a.id = at.article_id \
           WHERE at.term_id = t.id AND a.status = 'published' AND a.published_at <= $1) \
         ORDER BY t.name LIMIT $2",
    )
    .bind(now)
    .bind(limit)
    .fetch_all(&db.pool)
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
    db: &PgStore,
    id: ArticleId,
    update: ArticleUpdate,
) -> StoreResult<Article> {
    let mut tx = db.write().await?;
    let (old_slug, version): (String, i64) =
        sqlx::query_as("SELECT slug, version FROM articles WHERE id = $1 FOR UPDATE")
            .bind(id.0)
            .fetch_one(&mut *tx)
            .await
            .map_err(map_err("article"))?;
    if version != update.expected_version {
        return Err(StoreError::Conflict("article version"));
    }
    sqlx::query(
        "UPDATE articles SET slug = $1, title = $2, body_markdown = $3, body_html = $4, excerpt = $5, \
         author_id = $6, status = $7, comments_open = $8, published_at = $9, updated_at = $10, \
         updated_by = $11, version = version + 1 WHERE id = $12",
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
    .execute(&mut *tx)
    .await
    .map_err(map_err("article slug"))?;
    if old_slug != update.slug {
        sqlx::query(
            "INSERT INTO slug_redirects (old_slug, article_id) VALUES ($1, $2) \
             ON CONFLICT (old_slug) DO UPDATE SET article_id = excluded.article_id",
        )
        .bind(&old_slug)
        .bind(id.0)
        .execute(&mut *tx)
        .await
        .map_err(map_err("slug redirect"))?;
        // A slug in use by a live article is never also a redirect.
        sqlx::query("DELETE FROM slug_redirects WHERE old_slug = $1")
            .bind(&update.slug)
            .execute(&mut *tx)
            .await
            .map_err(map_err("slug redirect"))?;
    }
    sqlx::query("DELETE FROM article_terms WHERE article_id = $1")
        .bind(id.0)
        .execute(&mut *tx)
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
    let article = read_article(&mut tx, ARTICLE_BY_ID.as_str(), Bind::Id(id.0)).await?;
    tx.commit().await.map_err(map_err("article"))?;
    Ok(article)
}

/// Appends the admin list's conditions over `articles a`.
fn push_admin_filter(query: &mut QueryBuilder<Postgres>, filter: &ArticleQuery) {
    match filter.status {
        Some(status) => query.push(" WHERE a.status = ").push_bind(status.as_str()),
        None => query.push(" WHERE a.status <> 'trash'"),
    };
    if let Some(author) = filter.author {
        query.push(" AND a.author_id = ").push_bind(author.0);
    }
    if let Some(category) = &filter.category {
        query
            .push(
                " AND a.id IN (SELECT at.article_id FROM article_terms at JOIN terms t ON t.id = at.term_id \
                 WHERE t.kind = 'category' AND t.slug = ",
            )
            .push_bind(category.clone())
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
    db: &PgStore,
    filter: &ArticleQuery,
    page: PageRequest,
) -> StoreResult<Page<AdminRow>> {
    let mut conn = db.pool.acquire().await.map_err(map_err("connection"))?;
    let mut count = QueryBuilder::<Postgres>::new("SELECT COUNT(*) FROM articles a");
    push_admin_filter(&mut count, filter);
    let total: i64 = count
        .build_query_scalar()
        .fetch_one(&mut *conn)
        .await
        .map_err(map_err("articles"))?;
    let mut list = QueryBuilder::<Postgres>::new(format!(
        "SELECT {ADMIN_ARTICLE_COLUMNS} FROM articles a JOIN users u ON u.id = a.author_id"
    ));
    push_admin_filter(&mut list, filter);
    list.push(" ORDER BY a.updated_at DESC, a.id DESC LIMIT ")
        .push_bind(page.limit())
        .push(" OFFSET ")
        .push_bind(page.offset());
    let rows: Vec<AdminArticleRow> = list
        .build_query_as()
        .fetch_all(&mut *conn)
        .await
        .map_err(map_err("articles"))?;
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

pub(crate) async fn slug_redirect(db: &PgStore, old_slug: &str) -> StoreResult<String> {
    sqlx::query_scalar(
        "SELECT a.slug FROM slug_redirects r JOIN articles a ON a.id = r.article_id WHERE r.old_slug = $1",
    )
    .bind(old_slug)
    .fetch_one(&db.pool)
    .await
    .map_err(map_err("article"))
}
