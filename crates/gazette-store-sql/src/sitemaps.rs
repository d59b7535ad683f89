//! The addresses sitemaps list, one page at a time, and the months that have articles.

use crate::db::{Sql, scalar};
use crate::{SqlStore, map_err};
use gazette_domain::sitemap::{SitemapEntry, SitemapMonth, SitemapOf};
use gazette_domain::{Page, PageRequest};
use gazette_store::StoreResult;

/// Public articles: `a`, at `$1`.
const PUBLIC: &str = "a.status = 'published' AND a.published_at <= $1";

/// The rows (path, lastmod, title, published_at) of a sitemap, without order or paging, and
/// the values of their placeholders.
fn rows(of: SitemapOf, now: i64) -> (String, Vec<i64>) {
    match of {
        SitemapOf::Articles { from, to } => (
            format!(
                "SELECT '/articles/' || a.slug AS path, a.updated_at AS lastmod, a.title AS title, \
                 a.published_at AS published_at FROM articles a \
                 WHERE {PUBLIC} AND a.published_at >= $2 AND a.published_at < $3"
            ),
            vec![now, from, to],
        ),
        SitemapOf::Pages => (
            "SELECT '/' || p.slug AS path, p.updated_at AS lastmod, '' AS title, \
             p.updated_at AS published_at FROM pages p WHERE p.status = 'published'"
                .to_owned(),
            Vec::new(),
        ),
        SitemapOf::Archives => (
            format!(
                "SELECT '/' || t.kind || '/' || t.slug AS path, MAX(a.updated_at) AS lastmod, '' AS title, \
                 MAX(a.updated_at) AS published_at FROM terms t \
                 JOIN article_terms at ON at.term_id = t.id JOIN articles a ON a.id = at.article_id \
                 WHERE {PUBLIC} GROUP BY t.id, t.kind, t.slug \
                 UNION ALL \
                 SELECT '/author/' || u.slug AS path, MAX(a.updated_at) AS lastmod, '' AS title, \
                 MAX(a.updated_at) AS published_at FROM users u JOIN articles a ON a.author_id = u.id \
                 WHERE {PUBLIC} GROUP BY u.id, u.slug"
            ),
            vec![now],
        ),
    }
}

fn bound(text: String, args: &[i64]) -> Sql {
    args.iter().fold(Sql::new(text), |sql, arg| sql.bind(*arg))
}

pub(crate) async fn sitemap(
    db: &SqlStore,
    of: SitemapOf,
    page: PageRequest,
    now: i64,
) -> StoreResult<Page<SitemapEntry>> {
    let (inner, args) = rows(of, now);
    let count = bound(format!("SELECT COUNT(*) FROM ({inner}) s"), &args);
    let total: i64 = scalar(db.on(), &count).await.map_err(map_err("sitemap"))?;
    let mut list = bound(
        format!(
            "SELECT path, lastmod, title, published_at FROM ({inner}) s ORDER BY published_at, path"
        ),
        &args,
    );
    list.push(" LIMIT ")
        .push_bind(page.limit())
        .push(" OFFSET ")
        .push_bind(page.offset());
    let found: Vec<(String, i64, String, i64)> =
        db.on().all(&list).await.map_err(map_err("sitemap"))?;
    Ok(Page {
        items: found
            .into_iter()
            .map(|(path, lastmod, title, published_at)| SitemapEntry {
                path,
                lastmod,
                title,
                published_at,
            })
            .collect(),
        page: page.page,
        per_page: page.per_page,
        total,
    })
}

pub(crate) async fn sitemap_months(db: &SqlStore, now: i64) -> StoreResult<Vec<SitemapMonth>> {
    let month = db.dialect().month_index("a.published_at");
    let found: Vec<(i64, i64, i64)> = db
        .on()
        .all(
            &Sql::new(format!(
                "SELECT {month} AS m, COUNT(*), MAX(a.updated_at) FROM articles a \
                 WHERE {PUBLIC} GROUP BY m ORDER BY m"
            ))
            .bind(now),
        )
        .await
        .map_err(map_err("sitemap"))?;
    Ok(found
        .into_iter()
        .map(|(m, articles, lastmod)| SitemapMonth {
            year: i32::try_from(m.div_euclid(12)).unwrap_or(1970),
            month: u8::try_from(m.rem_euclid(12) + 1).unwrap_or(1),
            articles,
            lastmod,
        })
        .collect())
}
