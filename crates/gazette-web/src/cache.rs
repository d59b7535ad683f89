//! Rendered public pages kept in memory, so a page read by thousands costs one render.
//!
//! An entry remembers the generations (`core::freshness`) it was rendered under; a write that
//! changes what the page shows bumps one of them before it is acknowledged, so the next request
//! renders again — on this node at once. Pages that differ per reader (a commenter's own held
//! comment, their saved details, a reply form) are never cached. Entries are compressed once when
//! stored, carry an ETag for conditional requests, and are bounded in total size and age.

use axum::http::header::{
    ACCEPT_ENCODING, CACHE_CONTROL, CONTENT_ENCODING, CONTENT_TYPE, ETAG, IF_MODIFIED_SINCE,
    IF_NONE_MATCH, LAST_MODIFIED, VARY,
};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use flate2::Compression;
use flate2::write::GzEncoder;
use gazette_core::Site;
use gazette_core::freshness::{Shows, Stamp};
use sha2::{Digest, Sha256};
use std::io::Write;
use std::sync::Arc;
use std::time::Duration;

/// One rendered page.
#[derive(Debug)]
pub struct CachedPage {
    shows: Shows,
    stamp: Stamp,
    content_type: &'static str,
    body: Bytes,
    /// Compressed on first demand: a page nobody asks for gzipped never pays for it.
    gzip: std::sync::OnceLock<Option<Bytes>>,
    etag: HeaderValue,
    /// When it was rendered (feeds), for `Last-Modified`.
    modified: Option<(i64, HeaderValue)>,
}

/// A rendered page or document, before it is cached.
#[derive(Debug)]
pub struct Rendered {
    content_type: &'static str,
    body: String,
    modified: Option<i64>,
}

impl Rendered {
    /// An HTML page.
    pub fn html(body: String) -> Self {
        Self::new(HTML, body)
    }

    /// A document of any type.
    pub fn new(content_type: &'static str, body: String) -> Self {
        Self {
            content_type,
            body,
            modified: None,
        }
    }

    /// Answered with `Last-Modified` (unix seconds: when it was rendered), and 304 to a later
    /// `If-Modified-Since` while it stays true (when the client sent no `If-None-Match`).
    pub fn modified_at(mut self, seconds: i64) -> Self {
        self.modified = Some(seconds);
        self
    }
}

/// The cache. Cheap to clone.
#[derive(Clone)]
pub struct PageCache {
    entries: Option<moka::sync::Cache<String, Arc<CachedPage>>>,
    /// Pages answered from the cache.
    pub hits: prometheus_client::metrics::counter::Counter,
    /// Cacheable pages that had to be rendered (absent or stale).
    pub misses: prometheus_client::metrics::counter::Counter,
}

impl std::fmt::Debug for PageCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PageCache")
            .field("entries", &self.entries.as_ref().map(|e| e.entry_count()))
            .finish()
    }
}

/// HTML content type.
pub const HTML: &str = "text/html; charset=utf-8";
/// JSON content type.
pub const JSON: &str = "application/json";
/// RSS content type.
pub const RSS: &str = "application/rss+xml; charset=utf-8";
/// Atom content type.
pub const ATOM: &str = "application/atom+xml; charset=utf-8";
/// XML content type (sitemaps).
pub const XML: &str = "application/xml; charset=utf-8";

impl PageCache {
    /// A cache holding at most `max_bytes` of pages, each for at most `max_age`; 0 bytes disables it.
    pub fn new(max_bytes: u64, max_age: Duration) -> Self {
        let entries = (max_bytes > 0).then(|| {
            moka::sync::Cache::builder()
                .max_capacity(max_bytes)
                .weigher(|key: &String, page: &Arc<CachedPage>| {
                    // Room for the compressed copy too (about a quarter of the page), made on demand.
                    let bytes = key.len() + page.body.len() * 5 / 4 + 128;
                    u32::try_from(bytes).unwrap_or(u32::MAX)
                })
                .time_to_live(max_age)
                .build()
        });
        Self {
            entries,
            hits: Default::default(),
            misses: Default::default(),
        }
    }

    /// The cached page for `key` if it is still true, answered for these request headers.
    pub async fn get(
        &self,
        site: &Site,
        key: &str,
        request: &HeaderMap,
    ) -> Result<Option<Response>, gazette_core::CoreError> {
        let Some(entries) = &self.entries else {
            return Ok(None);
        };
        let Some(page) = entries.get(key) else {
            self.misses.inc();
            return Ok(None);
        };
        if site.stamp(page.shows).await? != page.stamp {
            entries.invalidate(key);
            self.misses.inc();
            return Ok(None);
        }
        self.hits.inc();
        let changed_at = site.freshness().changed_at(page.shows);
        Ok(Some(page.respond(request, Some(changed_at))))
    }

    /// Answers with a page rendered under `stamp` (taken before its data was read) and keeps it,
    /// unless `keep` is false (something changed while it rendered).
    pub fn put(
        &self,
        key: String,
        shows: Shows,
        stamp: Stamp,
        keep: bool,
        rendered: Rendered,
        request: &HeaderMap,
    ) -> Response {
        let page = Arc::new(CachedPage::new(shows, stamp, rendered));
        // Just rendered: the client's date is not compared (its ETag still is).
        let response = page.respond(request, None);
        if let Some(entries) = &self.entries
            && keep
        {
            entries.insert(key, page);
        }
        response
    }

    /// Number of pages held (for metrics and tests).
    pub fn len(&self) -> u64 {
        self.entries.as_ref().map_or(0, |e| {
            e.run_pending_tasks();
            e.entry_count()
        })
    }

    /// Whether nothing is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl CachedPage {
    fn new(shows: Shows, stamp: Stamp, rendered: Rendered) -> Self {
        let digest = Sha256::digest(rendered.body.as_bytes());
        let etag = HeaderValue::from_str(&format!("\"{}\"", hex::encode(&digest[..12])))
            .unwrap_or_else(|_| HeaderValue::from_static("\"0\""));
        let modified = rendered.modified.and_then(|seconds| {
            let at = jiff::Timestamp::from_second(seconds).ok()?;
            let text = jiff::fmt::rfc2822::DateTimePrinter::new()
                .timestamp_to_rfc9110_string(&at)
                .ok()?;
            Some((seconds, HeaderValue::from_str(&text).ok()?))
        });
        Self {
            shows,
            stamp,
            content_type: rendered.content_type,
            body: Bytes::from(rendered.body),
            gzip: std::sync::OnceLock::new(),
            etag,
            modified,
        }
    }

    /// Whether the client's copy is this one: by ETag when it sent one, else by date — a copy
    /// taken in a later second than the last change that could alter this page (`changed_at`)
    /// is this one. (Equal seconds are not enough: two versions can share one.)
    fn not_modified(&self, request: &HeaderMap, changed_at: Option<i64>) -> bool {
        if let Some(tags) = request.get(IF_NONE_MATCH) {
            return tags.to_str().is_ok_and(|tags| {
                tags.split(',')
                    .any(|t| t.trim() == self.etag.to_str().unwrap_or("") || t.trim() == "*")
            });
        }
        let (Some(_), Some(changed_at)) = (&self.modified, changed_at) else {
            return false;
        };
        request
            .get(IF_MODIFIED_SINCE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                jiff::fmt::rfc2822::DateTimeParser::new()
                    .parse_timestamp(v)
                    .ok()
            })
            .is_some_and(|since| since.as_second() > changed_at)
    }

    fn respond(&self, request: &HeaderMap, changed_at: Option<i64>) -> Response {
        let not_modified = self.not_modified(request, changed_at);
        let mut response = if not_modified {
            StatusCode::NOT_MODIFIED.into_response()
        } else {
            let wants_gzip = request
                .get(ACCEPT_ENCODING)
                .and_then(|v| v.to_str().ok())
                .is_some_and(accepts_gzip);
            let compressed = if wants_gzip && self.body.len() > 1024 {
                self.gzip.get_or_init(|| gzip(&self.body)).as_ref()
            } else {
                None
            };
            match (compressed, wants_gzip) {
                (Some(gzip), true) => {
                    let mut r = gzip.clone().into_response();
                    r.headers_mut()
                        .insert(CONTENT_ENCODING, HeaderValue::from_static("gzip"));
                    r
                }
                _ => self.body.clone().into_response(),
            }
        };
        let headers = response.headers_mut();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static(self.content_type));
        headers.insert(ETAG, self.etag.clone());
        if let Some((_, date)) = &self.modified {
            headers.insert(LAST_MODIFIED, date.clone());
        }
        // Shared caches may keep it but must ask again each time (a 304 is cheap).
        headers.insert(CACHE_CONTROL, HeaderValue::from_static("public, no-cache"));
        headers.insert(VARY, HeaderValue::from_static("Accept-Encoding"));
        response
    }
}

fn accepts_gzip(header: &str) -> bool {
    header.split(',').any(|part| {
        let mut pieces = part.split(';');
        let name = pieces.next().unwrap_or("").trim();
        let refused = pieces.any(|p| {
            matches!(
                p.trim().replace(' ', "").as_str(),
                "q=0" | "q=0.0" | "q=0.00" | "q=0.000"
            )
        });
        (name.eq_ignore_ascii_case("gzip") || name == "*") && !refused
    })
}

fn gzip(bytes: &[u8]) -> Option<Bytes> {
    let mut encoder = GzEncoder::new(Vec::with_capacity(bytes.len() / 4), Compression::default());
    encoder.write_all(bytes).ok()?;
    encoder.finish().ok().map(Bytes::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gzip_is_offered_unless_refused() {
        assert!(accepts_gzip("gzip, deflate, br"));
        assert!(accepts_gzip("br;q=1.0, gzip;q=0.8"));
        assert!(accepts_gzip("*"));
        assert!(!accepts_gzip("gzip;q=0"));
        assert!(!accepts_gzip("br"));
    }
}
