//! Moving a site in: an export read on a blocking thread (parsed, converted and rendered there),
//! its records written by the store inside one transaction. The whole file lands or none of it
//! does; a dry run does everything and then rolls back. `wordpress` and `disqus` say what each
//! system's records become; this module holds what they share: the report, progress, and the
//! old addresses that keep answering.

/// Disqus exports: comments attached to the articles their threads were about.
mod disqus;
/// WordPress exports: authors, terms, posts and their comments, and their old addresses.
mod wordpress;

use crate::{CoreError, CoreResult, Site};
use gazette_domain::import::Outcome;
use std::collections::BTreeMap;
use std::fmt;

/// Records in flight between the parser and the writer: enough to keep both busy, few enough
/// that memory does not grow with the file.
const IN_FLIGHT: usize = 64;

/// How far an import has got, for a progress bar.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Progress {
    /// Items (posts, pages, attachments…) read.
    pub items: u64,
    /// Comments read.
    pub comments: u64,
}

/// What an import did: per kind of record, how many were created, updated and unchanged; what
/// was skipped and why; and notes worth an operator's eye (capped).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportReport {
    /// Whether this was a dry run (nothing written).
    pub dry_run: bool,
    /// `"articles"` → [created, updated, unchanged].
    pub counts: BTreeMap<&'static str, [u64; 3]>,
    /// What was found, beyond records written (e.g. threads matched) → how many.
    pub tallies: BTreeMap<&'static str, u64>,
    /// Reason → how many records were skipped for it.
    pub skipped: BTreeMap<String, u64>,
    /// Details (the first 50).
    pub notes: Vec<String>,
}

impl ImportReport {
    pub(crate) fn count(&mut self, what: &'static str, outcome: Outcome) {
        let counts = self.counts.entry(what).or_default();
        match outcome {
            Outcome::Created => counts[0] += 1,
            Outcome::Updated => counts[1] += 1,
            Outcome::Unchanged => counts[2] += 1,
        }
    }

    pub(crate) fn tally(&mut self, what: &'static str) {
        *self.tallies.entry(what).or_default() += 1;
    }

    pub(crate) fn skip(&mut self, reason: impl Into<String>) {
        *self.skipped.entry(reason.into()).or_default() += 1;
    }

    pub(crate) fn note(&mut self, note: String) {
        if self.notes.len() < 50 {
            self.notes.push(note);
        }
    }

    /// How many records of `what` ended as `outcome`.
    pub fn get(&self, what: &str, outcome: Outcome) -> u64 {
        let index = match outcome {
            Outcome::Created => 0,
            Outcome::Updated => 1,
            Outcome::Unchanged => 2,
        };
        self.counts.get(what).map_or(0, |c| c[index])
    }
}

impl fmt::Display for ImportReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let verb = if self.dry_run { "would be " } else { "" };
        for (what, [created, updated, unchanged]) in &self.counts {
            writeln!(
                f,
                "{what}: {created} {verb}created, {updated} {verb}updated, {unchanged} unchanged"
            )?;
        }
        for (what, count) in &self.tallies {
            writeln!(f, "{count} {what}")?;
        }
        for (reason, count) in &self.skipped {
            writeln!(f, "{count} {reason}")?;
        }
        for note in &self.notes {
            writeln!(f, "note: {note}")?;
        }
        if self.dry_run {
            writeln!(f, "dry run: nothing was written")?;
        }
        Ok(())
    }
}

/// The path (and query) of an absolute or relative URL, without its trailing slash.
pub fn path_of(link: &str) -> Option<String> {
    let link = link.trim();
    let rest = match link.find("://") {
        Some(at) => {
            let after = &link[at + 3..];
            &after[after.find('/').unwrap_or(after.len())..]
        }
        None => link,
    };
    let rest = rest.split('#').next().unwrap_or_default();
    if rest.is_empty() {
        return Some("/".into());
    }
    if !rest.starts_with('/') {
        return None;
    }
    Some(normal_path(rest))
}

/// A requested path as redirects are keyed: without a trailing slash (except the root's),
/// the query kept.
pub fn normal_path(path: &str) -> String {
    let (path, query) = match path.split_once('?') {
        Some((path, query)) => (path, Some(query)),
        None => (path, None),
    };
    let trimmed = path.trim_end_matches('/');
    let path = if trimmed.is_empty() { "/" } else { trimmed };
    match query {
        Some(query) if !query.is_empty() => format!("{path}?{query}"),
        _ => path.to_owned(),
    }
}

pub(crate) fn bad_file(error: gazette_import::ImportError) -> CoreError {
    match error {
        gazette_import::ImportError::Io(error) => {
            CoreError::BadInput(format!("reading the file: {error}"))
        }
        other => CoreError::BadInput(other.to_string()),
    }
}

/// A display name without control characters, or the slug when nothing is left.
pub(crate) fn clean_name(name: &str, slug: &str) -> String {
    let name: String = name.chars().filter(|c| !c.is_control()).collect();
    match name.trim() {
        "" => slug.to_owned(),
        name => name.to_owned(),
    }
}

/// Query parameters WordPress answered on its front page with a single item or archive.
const OLD_QUERIES: [&str; 5] = ["p", "page_id", "cat", "tag", "attachment_id"];

impl Site {
    /// Where an address that Gazette does not serve has moved: a redirect an import stored (its
    /// permalink, `/?p=ID`), the same address without its trailing slash, an old feed's page,
    /// or a nested category's own archive. `None`: it is simply not here. Costs at most two
    /// reads of the redirects table's key.
    pub async fn moved_to(&self, path: &str) -> CoreResult<Option<String>> {
        let key = normal_path(path);
        if let Some(target) = self.stored_redirect(&key).await? {
            return Ok(Some(target));
        }
        if let Some(base) = key.strip_suffix("/feed") {
            // Until Gazette has feeds, an old feed's address leads to the page it was the feed of.
            let base = if base.is_empty() || base == "/comments" {
                "/"
            } else {
                base
            };
            if let Some(target) = self.stored_redirect(base).await? {
                return Ok(Some(target));
            }
            return Ok(Some(base.to_owned()));
        }
        // `/category/parent/child`: WordPress nests category archives; Gazette's are flat.
        if let Some(rest) = key.strip_prefix("/category/")
            && let Some((_, last)) = rest.rsplit_once('/')
            && !last.is_empty()
        {
            return Ok(Some(format!("/category/{last}")));
        }
        let (bare, _) = path.split_once('?').unwrap_or((path, ""));
        // `/tag/iran/`: WordPress's archives end in a slash, Gazette's do not.
        let gazette_route = ["/articles/", "/category/", "/tag/", "/author/"]
            .iter()
            .any(|prefix| key.starts_with(prefix));
        if gazette_route && bare.len() > 1 && bare.ends_with('/') && key != path {
            return Ok(Some(key));
        }
        Ok(None)
    }

    /// For the front page: the target of an old `/?p=ID` (or `page_id`, `cat`, `tag`) address.
    pub async fn moved_query(&self, query: &str) -> CoreResult<Option<String>> {
        for pair in query.split('&') {
            if let Some((name, value)) = pair.split_once('=')
                && OLD_QUERIES.contains(&name)
                && !value.is_empty()
                && value.len() <= 200
            {
                return self.stored_redirect(&format!("/?{name}={value}")).await;
            }
        }
        Ok(None)
    }

    async fn stored_redirect(&self, key: &str) -> CoreResult<Option<String>> {
        match self.store.redirect(key).await {
            Ok(target) => Ok(Some(target)),
            Err(gazette_store::StoreError::NotFound(_)) => Ok(None),
            Err(error) => Err(error.into()),
        }
    }
}
