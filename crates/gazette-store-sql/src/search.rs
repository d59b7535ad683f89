//! Searching articles, on SQLite's FTS5 and PostgreSQL's text search, and keeping the index
//! current. The index holds every article; searches keep the public ones.

use crate::db::{Sql, scalar};
use crate::{SqlStore, WriteTx, map_err};
use gazette_domain::search::{ArticleSearch, MAX_RESULTS, SearchHit, SearchText};
use gazette_domain::{ArticleId, Page, PageRequest};
use gazette_store::rows::{SUMMARY_COLUMNS, SearchHitRow};
use gazette_store::{StoreError, StoreResult};
use std::time::Duration;

/// Maps a failed search statement: one stopped at its time limit is `TimedOut`.
fn search_err(error: sqlx::Error) -> StoreError {
    if crate::timed_out(&error) {
        StoreError::TimedOut("search")
    } else {
        map_err("search")(error)
    }
}

/// Appends the conditions every search has: public, and the reader's filters.
fn push_filters(sql: &mut Sql, search: &ArticleSearch, now: i64) {
    sql.push(" AND a.status = 'published' AND a.published_at <= ")
        .push_bind(now);
    if let Some(category) = &search.category {
        sql.push(
            " AND a.id IN (SELECT at.article_id FROM article_terms at JOIN terms t ON t.id = at.term_id \
             WHERE t.kind = 'category' AND t.slug = ",
        )
        .push_bind(category.as_str())
        .push(")");
    }
    if let Some(from) = search.from {
        sql.push(" AND a.published_at >= ").push_bind(from);
    }
    if let Some(to) = search.to {
        sql.push(" AND a.published_at < ").push_bind(to);
    }
}

pub(crate) async fn search_articles(
    db: &SqlStore,
    search: &ArticleSearch,
    page: PageRequest,
    now: i64,
    limit: Duration,
) -> StoreResult<Page<SearchHit>> {
    let mut found = Page {
        items: Vec::new(),
        page: page.page,
        per_page: page.per_page,
        total: 0,
    };
    if search.terms.is_empty() {
        return Ok(found);
    }
    let dialect = db.dialect();
    let query = dialect.search_terms(&search.terms);
    let mut read = db.bounded(limit).await?;

    // The newest matches (by id) up to MAX_RESULTS + 1 are counted: a word in every article
    // costs no more than one in a thousand.
    let mut count = Sql::new(format!(
        "SELECT COUNT(*) FROM (SELECT a.id FROM {} WHERE ",
        dialect.search_tables()
    ));
    dialect.push_search_match(&mut count, &query);
    push_filters(&mut count, search, now);
    count
        .push(&format!(" ORDER BY {} DESC LIMIT ", dialect.search_id()))
        .push_bind(MAX_RESULTS + 1)
        .push(") c");
    found.total = scalar(read.on(), &count).await.map_err(search_err)?;
    if found.total <= page.offset() || page.offset() >= MAX_RESULTS {
        return Ok(found);
    }

    // The page's ids, best first among the newest MAX_RESULTS matches; the marks (which read
    // each article's text again) are made for these only.
    let mut ranked =
        Sql::new("SELECT id FROM (SELECT a.id AS id, a.published_at AS published_at, ");
    dialect.push_search_score(&mut ranked, &query);
    ranked.push(&format!(
        " AS score FROM {} WHERE ",
        dialect.search_tables()
    ));
    dialect.push_search_match(&mut ranked, &query);
    push_filters(&mut ranked, search, now);
    ranked
        .push(&format!(" ORDER BY {} DESC LIMIT ", dialect.search_id()))
        .push_bind(MAX_RESULTS)
        .push(") c ORDER BY score DESC, published_at DESC, id DESC LIMIT ")
        .push_bind(page.limit())
        .push(" OFFSET ")
        .push_bind(page.offset());
    let ids: Vec<(i64,)> = read.on().all(&ranked).await.map_err(search_err)?;
    if ids.is_empty() {
        return Ok(found);
    }

    let mut marked = Sql::new(format!(
        "SELECT {SUMMARY_COLUMNS}, {}, ",
        dialect.coauthors_column()
    ));
    dialect.push_search_marks(&mut marked, &query);
    marked.push(&format!(
        " FROM {} JOIN users u ON u.id = a.author_id \
         LEFT JOIN media m ON m.id = a.featured_media_id WHERE ",
        dialect.search_tables()
    ));
    // FTS5 marks only rows of a MATCH; PostgreSQL marks any row, by id.
    if dialect == crate::dialect::Dialect::Sqlite {
        dialect.push_search_match(&mut marked, &query);
        marked.push(" AND ");
    }
    marked
        .push("a.id IN (")
        .push_list(ids.iter().map(|(id,)| *id))
        .push(")");
    let rows: Vec<SearchHitRow> = read.on().all(&marked).await.map_err(search_err)?;
    read.finish().await;
    let mut hits: Vec<SearchHit> = rows.into_iter().map(SearchHit::from).collect();
    hits.sort_by_key(|hit| {
        ids.iter()
            .position(|(id,)| *id == hit.article.id.0)
            .unwrap_or(usize::MAX)
    });
    found.items = hits;
    Ok(found)
}

/// Writes an article's row of the index inside `tx`.
pub(crate) async fn index_in(tx: &mut WriteTx, id: i64, text: &SearchText) -> StoreResult<()> {
    let dialect = tx.dialect();
    for statement in dialect.index_article() {
        tx.on()
            .execute(
                &Sql::new(*statement)
                    .bind(id)
                    .bind(text.title.as_str())
                    .bind(text.body.as_str()),
            )
            .await
            .map_err(map_err("search index"))?;
    }
    Ok(())
}

pub(crate) async fn prepare_search(db: &SqlStore, language: &str) -> StoreResult<bool> {
    let mut tx = db.write().await?;
    let current: Option<String> = scalar(
        tx.on(),
        &Sql::new("SELECT MAX(value) FROM settings WHERE key = 'search.language'"),
    )
    .await
    .map_err(map_err("setting"))?;
    if current.as_deref() == Some(language) {
        tx.rollback().await;
        return Ok(false);
    }
    for statement in db.dialect().reset_search(language) {
        tx.on()
            .execute(&Sql::new(statement))
            .await
            .map_err(map_err("search index"))?;
    }
    tx.on()
        .execute(
            &Sql::new(
                "INSERT INTO settings (key, value) VALUES ('search.language', $1) \
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            )
            .bind(language),
        )
        .await
        .map_err(map_err("setting"))?;
    tx.commit().await.map_err(map_err("search index"))?;
    Ok(true)
}

pub(crate) async fn articles_to_index(
    db: &SqlStore,
    after: ArticleId,
    limit: i64,
) -> StoreResult<Vec<(ArticleId, i64, String, String)>> {
    let rows: Vec<(i64, i64, String, String)> = db
        .on()
        .all(
            &Sql::new(
                "SELECT id, version, title, body_html FROM articles WHERE id > $1 ORDER BY id LIMIT $2",
            )
            .bind(after.0)
            .bind(limit),
        )
        .await
        .map_err(map_err("articles"))?;
    Ok(rows
        .into_iter()
        .map(|(id, version, title, html)| (ArticleId(id), version, title, html))
        .collect())
}

pub(crate) async fn index_articles(
    db: &SqlStore,
    articles: &[(ArticleId, i64, SearchText)],
) -> StoreResult<()> {
    let mut tx = db.write().await?;
    for (id, version, text) in articles {
        // An article edited since it was read has indexed its new text itself.
        let current: Option<i64> = scalar(
            tx.on(),
            &Sql::new("SELECT MAX(version) FROM articles WHERE id = $1").bind(id.0),
        )
        .await
        .map_err(map_err("article"))?;
        if current == Some(*version) {
            index_in(&mut tx, id.0, text).await?;
        }
    }
    tx.commit().await.map_err(map_err("search index"))
}

pub(crate) async fn search_index_counts(db: &SqlStore) -> StoreResult<(i64, i64)> {
    db.on()
        .one(&Sql::new(format!(
            "SELECT (SELECT COUNT(*) FROM articles), (SELECT COUNT(*) FROM {})",
            db.dialect().search_rows_table()
        )))
        .await
        .map_err(map_err("search index"))
}
