//! Moving a site in: an export read on a blocking thread (parsed, converted and rendered there),
//! its records written by the store inside one transaction. The whole file lands or none of it
//! does; a dry run does everything and then rolls back. `wordpress` and `disqus` say what each
//! system's records become; this module holds what they share: the report, progress, and the
//! old addresses that keep answering.

/// Disqus exports: comments attached to the articles their threads were about.
mod disqus;
/// Imports uploaded in the newsroom, run as jobs.
pub mod runs;
/// WordPress exports: authors, terms, posts and their comments, and their old addresses.
mod wordpress;

use crate::{CoreError, CoreResult, Site};
use gazette_domain::import::Outcome;
use std::collections::BTreeMap;
use std::fmt;

pub use crate::redirects::{normal_path, path_of};

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

impl Site {
    /// Ends an import once the writer has read everything: the reader's verdict first (a bad
    /// file writes nothing), then the commit — or, on a dry run, nothing at all (the dropped
    /// transaction rolls back).
    pub(crate) async fn finish_import(
        &self,
        reader: tokio::task::JoinHandle<CoreResult<()>>,
        tx: Box<dyn gazette_store::ImportTx>,
        report: ImportReport,
    ) -> CoreResult<ImportReport> {
        match reader.await {
            Ok(Ok(())) => {}
            Ok(Err(error)) => return Err(error),
            Err(error) => {
                return Err(CoreError::Storage(format!(
                    "the import's reader failed: {error}"
                )));
            }
        }
        if !report.dry_run {
            tx.commit(self.now()).await?;
            self.apply_changes().await?;
            let articles =
                report.get("articles", Outcome::Created) + report.get("articles", Outcome::Updated);
            if articles > 0 {
                self.queue_site_websub().await?;
            }
        }
        Ok(report)
    }
}

/// An address from an export, as the site stores addresses: parsed, IPv4-mapped ones as
/// IPv4 (so limits and bans match them); anything unreadable is dropped.
pub(crate) fn imported_ip(raw: &str) -> Option<String> {
    raw.trim()
        .parse::<std::net::IpAddr>()
        .ok()
        .map(|ip| ip.to_canonical().to_string())
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
