//! Which sitemap files exist and what each lists: an index naming one file per month of
//! articles (split into parts of 50,000), one of static pages and one of archives; and the News
//! sitemap of the last two days. Only what is public now appears: never a draft, a scheduled or a
//! trashed article.

use crate::{CoreError, CoreResult, Site};
use gazette_domain::PageRequest;
use gazette_domain::sitemap::{MAX_URLS, SitemapEntry, SitemapOf};

/// The News sitemap's window (Google News reads two days back).
const NEWS_SECONDS: i64 = 2 * 86_400;
/// The most stories the News sitemap lists.
const NEWS_MAX: u32 = 1_000;

/// One sitemap file under `/sitemaps/`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SitemapFile {
    /// `articles-2026-12.xml`, `articles-2026-12-2.xml`: a month's articles (UTC), part 1, 2…
    Articles {
        /// Year.
        year: i16,
        /// Month, 1 to 12.
        month: i8,
        /// 1-based part.
        part: u32,
    },
    /// `pages.xml`, `pages-2.xml`.
    Pages {
        /// 1-based part.
        part: u32,
    },
    /// `archives.xml`: categories, tags and authors.
    Archives {
        /// 1-based part.
        part: u32,
    },
}

impl SitemapFile {
    /// Reads a file name; `None` for anything that is not one.
    pub fn parse(name: &str) -> Option<Self> {
        let pieces: Vec<&str> = name.strip_suffix(".xml")?.split('-').collect();
        // A part after the first is written out, from 2 on; the first has no number.
        let part = |piece: Option<&&str>| -> Option<u32> {
            match piece {
                None => Some(1),
                Some(n) if n.len() <= 4 && n.bytes().all(|b| b.is_ascii_digit()) => {
                    n.parse().ok().filter(|p| *p >= 2)
                }
                Some(_) => None,
            }
        };
        match pieces.as_slice() {
            ["pages", rest @ ..] if rest.len() <= 1 => Some(Self::Pages {
                part: part(rest.first())?,
            }),
            ["archives", rest @ ..] if rest.len() <= 1 => Some(Self::Archives {
                part: part(rest.first())?,
            }),
            ["articles", year, month, rest @ ..] if rest.len() <= 1 => {
                if year.len() != 4 || month.len() != 2 {
                    return None;
                }
                let (year, month): (i16, i8) = (year.parse().ok()?, month.parse().ok()?);
                jiff::civil::Date::new(year, month, 1).ok()?;
                Some(Self::Articles {
                    year,
                    month,
                    part: part(rest.first())?,
                })
            }
            _ => None,
        }
    }

    /// Its address.
    pub fn path(&self) -> String {
        let (stem, part) = match self {
            Self::Articles { year, month, part } => {
                (format!("articles-{year:04}-{month:02}"), *part)
            }
            Self::Pages { part } => ("pages".to_owned(), *part),
            Self::Archives { part } => ("archives".to_owned(), *part),
        };
        match part {
            1 => format!("/sitemaps/{stem}.xml"),
            n => format!("/sitemaps/{stem}-{n}.xml"),
        }
    }

    fn query(&self) -> CoreResult<(SitemapOf, u32)> {
        Ok(match *self {
            Self::Articles { year, month, part } => {
                let start = month_start(year, month)?;
                let (next_year, next_month) = if month == 12 {
                    (year + 1, 1)
                } else {
                    (year, month + 1)
                };
                let end = month_start(next_year, next_month)?;
                (
                    SitemapOf::Articles {
                        from: start,
                        to: end,
                    },
                    part,
                )
            }
            Self::Pages { part } => (SitemapOf::Pages, part),
            Self::Archives { part } => (SitemapOf::Archives, part),
        })
    }
}

fn month_start(year: i16, month: i8) -> CoreResult<i64> {
    jiff::civil::Date::new(year, month, 1)
        .and_then(|d| d.to_zoned_datetime(jiff::tz::TimeZone::UTC))
        .map(|z| z.timestamp().as_second())
        .map_err(|_| CoreError::NotFound("sitemap"))
}

/// A file of the index, with the newest change among its addresses when known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexEntry {
    /// The file.
    pub file: SitemapFile,
    /// Unix seconds.
    pub lastmod: Option<i64>,
}

fn parts(total: i64) -> u32 {
    u32::try_from((total + i64::from(MAX_URLS) - 1) / i64::from(MAX_URLS))
        .unwrap_or(u32::MAX)
        .max(1)
}

impl Site {
    /// Every sitemap file, for `/sitemap.xml`: a month's articles only where it has some.
    pub async fn sitemap_index(&self) -> CoreResult<Vec<IndexEntry>> {
        let now = self.now();
        let mut files = Vec::new();
        for kind in [SitemapOf::Pages, SitemapOf::Archives] {
            let total = self
                .store
                .sitemap(kind, PageRequest::new(1, 1), now)
                .await?
                .total;
            if total == 0 {
                continue;
            }
            for part in 1..=parts(total) {
                files.push(IndexEntry {
                    file: match kind {
                        SitemapOf::Pages => SitemapFile::Pages { part },
                        _ => SitemapFile::Archives { part },
                    },
                    lastmod: None,
                });
            }
        }
        for month in self.store.sitemap_months(now).await? {
            let (Ok(year), Ok(number)) = (i16::try_from(month.year), i8::try_from(month.month))
            else {
                continue;
            };
            for part in 1..=parts(month.articles) {
                files.push(IndexEntry {
                    file: SitemapFile::Articles {
                        year,
                        month: number,
                        part,
                    },
                    lastmod: Some(month.lastmod),
                });
            }
        }
        Ok(files)
    }

    /// The addresses of one sitemap file; `NotFound` for a part past the end or an empty month.
    pub async fn sitemap_file(&self, file: SitemapFile) -> CoreResult<Vec<SitemapEntry>> {
        let (of, part) = file.query()?;
        let page = self
            .store
            .sitemap(of, PageRequest::new(part, MAX_URLS), self.now())
            .await?;
        if page.items.is_empty() {
            return Err(CoreError::NotFound("sitemap"));
        }
        Ok(page.items)
    }

    /// The stories of the last two days for the News sitemap, newest last, at most 1,000.
    pub async fn news_sitemap(&self) -> CoreResult<Vec<SitemapEntry>> {
        let now = self.now();
        let page = self
            .store
            .sitemap(
                SitemapOf::Articles {
                    from: now - NEWS_SECONDS,
                    to: now + 1,
                },
                PageRequest::new(1, NEWS_MAX),
                now,
            )
            .await?;
        Ok(page.items)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_read_back_and_nothing_else_does() {
        for file in [
            SitemapFile::Articles {
                year: 2026,
                month: 12,
                part: 1,
            },
            SitemapFile::Articles {
                year: 2026,
                month: 1,
                part: 3,
            },
            SitemapFile::Pages { part: 1 },
            SitemapFile::Archives { part: 2 },
        ] {
            let name = file.path();
            let name = name.strip_prefix("/sitemaps/").unwrap_or_default();
            assert_eq!(SitemapFile::parse(name), Some(file), "{name}");
        }
        for bad in [
            "articles-2026-13.xml",
            "articles-2026-1.xml",
            "articles-26-01.xml",
            "articles-2026-12-1.xml",
            "articles-2026-12-x.xml",
            "pages-0.xml",
            "pages-99999.xml",
            "other.xml",
            "pages.txt",
            "articles-2026-12-2",
        ] {
            assert_eq!(SitemapFile::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn december_ends_where_january_begins() {
        let december = SitemapFile::Articles {
            year: 2026,
            month: 12,
            part: 1,
        };
        let Ok((SitemapOf::Articles { from, to }, 1)) = december.query() else {
            panic!("a month");
        };
        assert_eq!(from, 1_796_083_200);
        assert_eq!(to, 1_798_761_600);
    }
}
