use crate::cli::ImportCommand;
use crate::setup;
use anyhow::Context;
use gazette_core::importing::Progress;
use gazette_core::{Config, Site};
use indicatif::{ProgressBar, ProgressStyle};
use std::io::Read;
use std::path::Path;

/// `gazette import wordpress|disqus FILE [--dry-run]`.
pub async fn import(config: Config, command: ImportCommand) -> anyhow::Result<()> {
    let (file, dry_run, disqus) = match command {
        ImportCommand::Wordpress { file, dry_run } => (file, dry_run, false),
        ImportCommand::Disqus { file, dry_run } => (file, dry_run, true),
        ImportCommand::Json { .. } => anyhow::bail!("import json is read by site_json"),
    };
    let (items, comments): (&[u8], &[u8]) = if disqus {
        (b"<thread ", b"<post ")
    } else {
        (b"<item>", b"<wp:comment>")
    };
    let totals = count_items(&file, items, comments)
        .with_context(|| format!("reading {}", file.display()))?;
    let input = std::io::BufReader::with_capacity(
        256 * 1024,
        std::fs::File::open(&file).with_context(|| format!("opening {}", file.display()))?,
    );
    let store = setup::open_store(&config.db).await?;
    let site = Site::open(store, config).await?;
    let bar = ProgressBar::new(totals.items);
    bar.set_style(
        ProgressStyle::with_template(if disqus {
            "{bar:30} {pos}/{len} threads, {msg} [{elapsed_precise}]"
        } else {
            "{bar:30} {pos}/{len} items, {msg} [{elapsed_precise}, {per_sec}]"
        })
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let total_comments = totals.comments;
    let shown = bar.clone();
    let show = move |done: Progress| {
        shown.set_position(done.items);
        shown.set_message(format!("{}/{total_comments} comments", done.comments));
    };
    let report = if disqus {
        site.import_disqus(input, dry_run, &show).await
    } else {
        site.import_wordpress(input, dry_run, &show).await
    };
    bar.finish_and_clear();
    // Folds SQLite's write-ahead log (as large as what was imported) back into the file.
    site.store().close().await;
    let report =
        report.with_context(|| format!("importing {}: nothing was written", file.display()))?;
    print!("{report}");
    Ok(())
}

/// How many items and comments a file holds, counted by their opening tags, for the progress
/// bar's totals (reading the file once, in chunks, without parsing it).
fn count_items(file: &Path, item: &[u8], comment: &[u8]) -> std::io::Result<Progress> {
    let mut reader = std::fs::File::open(file)?;
    let mut buffer = vec![0u8; 1 << 20];
    // The tail of the previous chunk, so a tag across two chunks is counted once.
    let keep = item.len().max(comment.len()) - 1;
    let mut filled = 0usize;
    let mut totals = Progress::default();
    loop {
        let read = reader.read(&mut buffer[filled..])?;
        if read == 0 {
            break;
        }
        let end = filled + read;
        let chunk = &buffer[..end];
        // A tag wholly inside the kept tail was counted with the chunk before.
        let new = |tag: &[u8]| {
            memchr::memmem::find_iter(chunk, tag)
                .filter(|at| at + tag.len() > filled)
                .count() as u64
        };
        totals.items += new(item);
        totals.comments += new(comment);
        let tail = end.min(keep);
        buffer.copy_within(end - tail..end, 0);
        filled = tail;
    }
    Ok(totals)
}
