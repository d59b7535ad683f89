//! Searching articles, on SQLite's FTS5 and PostgreSQL's text search, and keeping the index
//! current. The index holds every article; searches keep the public ones.

use crate::db::{Sql, scalar};
use crate::{SqlStore, WriteTx, map_err};
use gazette_domain::search::{ArticleSearch, MAX_RESULTS, SearchHit, SearchText};
use gazette_domain::{ArticleId, Page, PageRequest};
use gazette_store::rows::{SUMMARY_COLUMNS, SearchHitRow};
use gazette_store::{StoreError, StoreResult};
use std::collections::HashMap;
use std::time::{Duration, Instant};

/// How long a count of the articles holding a word is trusted: the index changes an article at
/// a time, and a word is "common" by a wide margin or not at all.
const WORDS_FRESH_FOR: Duration = Duration::from_secs(600);

/// Words remembered at most (forgotten all at once beyond it).
const WORDS_KEPT: usize = 10_000;

/// Which search words are in more than half the indexed articles (SQLite only).
///
/// FTS5's BM25 gives such a word an IDF of almost nothing (it clamps it to 1e-6) and still
/// reads every article's entry for it, on every search, to find that out: 3–4 ms for a word
/// in all 100,000 articles of the benchmark's site, most of a search's cost. A search
/// therefore ranks by the other words only (the same order, less that reading); when every
/// word is common, headline matches come first, newest first.
#[derive(Debug, Default)]
pub(crate) struct CommonWords {
    counted_at: Option<Instant>,
    /// Indexed articles when counted.
    rows: i64,
    common: HashMap<String, bool>,
}

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

/// For each of `words`, whether it is in more than half the indexed articles: from the
/// counts kept in `words_seen`, counting (at most half the index, once per
/// [`WORDS_FRESH_FOR`]) the words not seen yet.
async fn common_flags(
    read: &mut crate::BoundedRead,
    words_seen: &std::sync::Mutex<CommonWords>,
    words: &[String],
) -> StoreResult<Vec<bool>> {
    let stale = {
        let seen = words_seen.lock().unwrap_or_else(|e| e.into_inner());
        seen.counted_at
            .is_none_or(|at| at.elapsed() > WORDS_FRESH_FOR)
    };
    if stale {
        let rows: i64 = scalar(
            read.on(),
            &Sql::new("SELECT COUNT(*) FROM article_search_docsize"),
        )
        .await
        .map_err(search_err)?;
        let mut seen = words_seen.lock().unwrap_or_else(|e| e.into_inner());
        *seen = CommonWords {
            counted_at: Some(Instant::now()),
            rows,
            common: HashMap::new(),
        };
    }
    let mut flags = Vec::with_capacity(words.len());
    for word in words {
        let (known, half) = {
            let seen = words_seen.lock().unwrap_or_else(|e| e.into_inner());
            (seen.common.get(word).copied(), seen.rows / 2)
        };
        let common = match known {
            Some(common) => common,
            None => {
                let phrase = gazette_domain::search::Terms {
                    words: vec![word.clone()],
                    truncated: false,
                }
                .fts5();
                let holding: i64 = scalar(
                    read.on(),
                    &Sql::new(
                        "SELECT COUNT(*) FROM (SELECT rowid FROM article_search \
                         WHERE article_search MATCH $1 LIMIT $2) c",
                    )
                    .bind(phrase)
                    .bind(half + 1),
                )
                .await
                .map_err(search_err)?;
                let common = holding > half;
                let mut seen = words_seen.lock().unwrap_or_else(|e| e.into_inner());
                if seen.common.len() >= WORDS_KEPT {
                    seen.common.clear();
                }
                seen.common.insert(word.clone(), common);
                common
            }
        };
        flags.push(common);
    }
    Ok(flags)
}

/// Scores the window's `matches` (SQLite, some words common): BM25 over the other words for
/// these articles only, or, with every word common, 1 for a headline holding them all.
async fn score_without_common_words(
    read: &mut crate::BoundedRead,
    search: &ArticleSearch,
    common: &[bool],
    matches: &mut [(i64, i64, f64)],
) -> StoreResult<()> {
    let Some(oldest) = matches.iter().map(|(id, ..)| *id).min() else {
        return Ok(());
    };
    let ranked: Vec<String> = search
        .terms
        .words
        .iter()
        .zip(common)
        .filter(|(_, common)| !**common)
        .map(|(word, _)| word.clone())
        .collect();
    let scores: Vec<(i64, f64)> = if ranked.is_empty() {
        let all = search.terms.fts5();
        let titled = Sql::new(
            "SELECT rowid, 1.0 FROM article_search WHERE article_search MATCH $1 AND rowid >= $2",
        )
        .bind(format!("title : ({all})"))
        .bind(oldest);
        read.on().all(&titled).await.map_err(search_err)?
    } else {
        let query = gazette_domain::search::Terms {
            words: ranked,
            truncated: false,
        }
        .fts5();
        // `+rowid`: the list filters the rows FTS5 gives; as a constraint FTS5 would be asked
        // once per id, and BM25 would count its words again each time.
        let mut scored = Sql::new(
            "SELECT rowid, -bm25(article_search, 10.0, 1.0) FROM article_search \
             WHERE article_search MATCH ",
        );
        scored
            .push_bind(query)
            .push(" AND +rowid IN (")
            .push_list(matches.iter().map(|(id, ..)| *id))
            .push(")");
        read.on().all(&scored).await.map_err(search_err)?
    };
    let scores: HashMap<i64, f64> = scores.into_iter().collect();
    for (id, _, score) in matches.iter_mut() {
        *score = scores.get(id).copied().unwrap_or(0.0);
    }
    Ok(())
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
    read.prefer_indexes().await?;
    let common = match db.common_words() {
        Some(seen) => common_flags(&mut read, seen, &search.terms.words).await?,
        None => Vec::new(),
    };
    let rank_in_window = !common.contains(&true);

    // One pass over the newest MAX_RESULTS + 1 matches by id (FTS5 gives that order; on
    // PostgreSQL a common word's are read along the id index, a rare word's few sorted): their
    // scores and dates. Their number is the total shown (a word in
    // every article costs no more than one in a thousand); the newest MAX_RESULTS are ranked
    // here, best first.
    let mut window = Sql::new("SELECT a.id, a.published_at, ");
    if rank_in_window {
        dialect.push_search_score(&mut window, &query, search.language);
    } else {
        window.push("0.0");
    }
    window.push(&format!(" FROM {} WHERE ", dialect.search_tables()));
    dialect.push_search_match(&mut window, &query, search.language);
    push_filters(&mut window, search, now);
    window
        .push(&format!(" ORDER BY {} DESC LIMIT ", dialect.search_id()))
        .push_bind(MAX_RESULTS + 1);
    let mut matches: Vec<(i64, i64, f64)> = read.on().all(&window).await.map_err(search_err)?;
    found.total = matches.len() as i64;
    matches.truncate(MAX_RESULTS as usize);
    if !rank_in_window {
        score_without_common_words(&mut read, search, &common, &mut matches).await?;
    }
    matches.sort_by(|(a_id, a_at, a_score), (b_id, b_at, b_score)| {
        b_score
            .total_cmp(a_score)
            .then(b_at.cmp(a_at))
            .then(b_id.cmp(a_id))
    });
    let start = usize::try_from(page.offset()).unwrap_or(usize::MAX);
    let ids: Vec<i64> = matches
        .iter()
        .skip(start)
        .take(usize::try_from(page.limit()).unwrap_or(0))
        .map(|(id, ..)| *id)
        .collect();
    if ids.is_empty() {
        return Ok(found);
    }

    let mut marked = Sql::new(format!(
        "SELECT {SUMMARY_COLUMNS}, {}, ",
        dialect.coauthors_column()
    ));
    dialect.push_search_marks(&mut marked, &query, search.language);
    marked.push(&format!(
        " FROM {} JOIN users u ON u.id = a.author_id \
         LEFT JOIN media m ON m.id = a.featured_media_id WHERE ",
        dialect.search_tables()
    ));
    // FTS5 marks only rows of a MATCH; PostgreSQL marks any row, by id.
    if dialect == crate::dialect::Dialect::Sqlite {
        dialect.push_search_match(&mut marked, &query, search.language);
        marked.push(" AND ");
    }
    // The list has the page's length whatever the number of hits (the last id repeated), so
    // that the statement's text, and its prepared form, stay the same from search to search.
    let padded = (0..usize::try_from(page.limit()).unwrap_or(0).max(ids.len()))
        .map(|i| ids.get(i).or(ids.last()).copied().unwrap_or_default());
    marked.push("a.id IN (").push_list(padded).push(")");
    let rows: Vec<SearchHitRow> = read.on().all(&marked).await.map_err(search_err)?;
    read.finish().await;
    let mut hits: Vec<SearchHit> = rows.into_iter().map(SearchHit::from).collect();
    hits.sort_by_key(|hit| {
        ids.iter()
            .position(|id| *id == hit.article.id.0)
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
    if let Some(seen) = db.common_words() {
        *seen.lock().unwrap_or_else(|e| e.into_inner()) = CommonWords::default();
    }
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
