//! The readers' search, and keeping the search index built for the site's language.
//!
//! Every write of an article indexes it in the same transaction (the store does it). What this
//! module adds: reading a reader's query into bounded terms and filters, taking one of a few
//! turns so that searches never hold every database connection, and indexing every article
//! again when the index is new or the site's language changed.

use crate::{CoreError, CoreResult, Site};
use gazette_domain::search::{ArticleSearch, QueryError, SearchHit, SearchText, Terms};
use gazette_domain::{ArticleId, Page, PageRequest, Term};
use std::time::Duration;

/// The setting that names the language the whole index was last built for. Unset (a site from
/// before search, or one whose language changed), every article is indexed again at start.
pub const INDEXED_SETTING: &str = "search.indexed";

/// The deepest page of results a reader may ask for (every page ranks every match first).
pub const MAX_PAGES: u32 = 100;

/// Articles indexed again per transaction.
const BATCH: i64 = 200;

/// What a reader asked for, as the search page's form sends it.
#[derive(Debug, Clone, Default)]
pub struct SearchRequest {
    /// The words typed.
    pub q: String,
    /// A category's slug, or empty for all.
    pub category: String,
    /// The first day (`YYYY-MM-DD`, the site's time zone), or empty.
    pub from: String,
    /// The last day, included, or empty.
    pub to: String,
    /// The page, from 1.
    pub page: u32,
}

/// A page of results and what the page needs around them.
#[derive(Debug, Clone)]
pub struct SearchResults {
    /// The words searched for (after cutting to `search::MAX_TERMS`).
    pub terms: Terms,
    /// The articles found, best first.
    pub hits: Page<SearchHit>,
    /// The categories a reader may filter by.
    pub categories: Vec<Term>,
}

/// Reads `YYYY-MM-DD` as the start of that day in `tz`, or of the next day (`next`).
fn day_start(text: &str, tz: &jiff::tz::TimeZone, next: bool) -> CoreResult<Option<i64>> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let date: jiff::civil::Date = text.parse().map_err(|_| {
        CoreError::BadInput(format!(
            "{text:?} is not a date; write it as YYYY-MM-DD, like 2026-12-01"
        ))
    })?;
    let date = if next {
        date.tomorrow()
            .map_err(|_| CoreError::BadInput(format!("{text:?} is too far in the future")))?
    } else {
        date
    };
    let start = date
        .to_zoned_datetime(tz.clone())
        .map_err(|_| CoreError::BadInput(format!("{text:?} is out of range")))?;
    Ok(Some(start.timestamp().as_second()))
}

impl Site {
    /// One page of the public articles holding every word of `request.q`, best first, with
    /// the filters applied. Bad input (a query over `search::MAX_QUERY_CHARS`, a date that is
    /// not one, a page past the end of what may be asked) is `BadInput`; a search that runs
    /// past `[search] timeout_ms`, or waits that long for a turn, is `TimedOut`.
    pub async fn search(&self, request: &SearchRequest) -> CoreResult<SearchResults> {
        let terms = Terms::parse(&request.q).map_err(|e| match e {
            QueryError::TooLong => CoreError::BadInput(format!(
                "Your search is too long: {e}. Try a few of its words."
            )),
        })?;
        let tz = self.config.timezone();
        let search = ArticleSearch {
            terms: terms.clone(),
            category: Some(request.category.trim().to_owned()).filter(|c| !c.is_empty()),
            from: day_start(&request.from, &tz, false)?,
            to: day_start(&request.to, &tz, true)?,
            language: gazette_domain::search::search_language(&self.config.site.language),
        };
        if request.page > MAX_PAGES {
            return Err(CoreError::BadInput(format!(
                "Search results go up to page {MAX_PAGES}; add words or filters to narrow them."
            )));
        }
        let page = PageRequest::new(request.page, self.config.search.per_page);
        let categories = self.navigation().await?;
        let hits = if terms.is_empty() {
            Page {
                items: Vec::new(),
                page: page.page,
                per_page: page.per_page,
                total: 0,
            }
        } else {
            let limit = Duration::from_millis(u64::from(self.config.search.timeout_ms));
            let _turn = tokio::time::timeout(limit, self.search_turns.acquire())
                .await
                .map_err(|_| CoreError::TimedOut("search"))?
                .map_err(|_| CoreError::TimedOut("search"))?;
            self.store
                .search_articles(&search, page, self.now(), limit)
                .await?
        };
        Ok(SearchResults {
            terms,
            hits,
            categories,
        })
    }

    /// Builds the search index again when it was built for another language than the site's,
    /// never built, or misses articles: at start, before the site serves. Returns how many articles it
    /// indexed (0 when the index was current).
    pub async fn ensure_search_index(&self) -> CoreResult<u64> {
        let language = gazette_domain::search::search_language(&self.config.site.language);
        let indexed = match self.store.setting(INDEXED_SETTING).await {
            Ok(value) => Some(value),
            Err(gazette_store::StoreError::NotFound(_)) => None,
            Err(e) => return Err(e.into()),
        };
        if indexed.as_deref() == Some(language) {
            let (articles, rows) = self.store.search_index_counts().await?;
            if articles == rows {
                return Ok(0);
            }
            // Articles written around the store (`copy-db`, the benchmark's generator).
            tracing::info!(articles, rows, "the search index misses articles");
        }
        tracing::info!(language, "indexing every article for search");
        self.store.prepare_search(language).await?;
        let count = self.rebuild_search_index().await?;
        self.store.put_setting(INDEXED_SETTING, language).await?;
        tracing::info!(articles = count, "search index built");
        Ok(count)
    }

    /// Indexes every article again, in batches (each its own transaction; an article edited
    /// meanwhile keeps what its edit indexed). For tools that write articles without the store's
    /// article methods (the benchmark's generator) and for [`Site::ensure_search_index`].
    pub async fn rebuild_search_index(&self) -> CoreResult<u64> {
        let mut after = ArticleId(0);
        let mut count = 0u64;
        loop {
            let batch = self.store.articles_to_index(after, BATCH).await?;
            let Some((last, ..)) = batch.last() else {
                break;
            };
            after = *last;
            let texts = self
                .render
                .run(move || {
                    batch
                        .into_iter()
                        .map(|(id, version, title, html)| {
                            let body = gazette_render::text_of_html(&html);
                            (id, version, SearchText::new(&title, &body))
                        })
                        .collect::<Vec<_>>()
                })
                .await?;
            count += texts.len() as u64;
            self.store.index_articles(&texts).await?;
        }
        Ok(count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_are_read_in_the_site_time_zone() {
        let paris = jiff::tz::TimeZone::get("Europe/Paris").unwrap();
        // 2026-12-01 00:00 in Paris is 2026-11-30 23:00 UTC.
        assert_eq!(
            day_start("2026-12-01", &paris, false).unwrap(),
            Some(1_796_079_600)
        );
        assert_eq!(
            day_start("2026-12-01", &paris, true).unwrap(),
            Some(1_796_079_600 + 86_400)
        );
        assert_eq!(day_start(" ", &paris, false).unwrap(), None);
        assert!(matches!(
            day_start("1 Dec", &paris, false),
            Err(CoreError::BadInput(_))
        ));
    }
}
