use crate::cli::ImportCommand;
use crate::setup;
use anyhow::Context;
use gazette_core::importing::Progress;
use gazette_core::{Config, Site};
use indicatif::{ProgressBar, ProgressStyle};
use std::io::Read;
use std::path::Path;

/// `gazette import wordpress FILE [--dry-run]`.
pub async fn import(config: Config, command: ImportCommand) -> anyhow::Result<()> {
    let ImportCommand::Wordpress { file, dry_run } = command;
    let totals = count_items(&file).with_context(|| format!("reading {}", file.display()))?;
    let input = std::io::BufReader::with_capacity(
        256 * 1024,
        std::fs::File::open(&file).with_context(|| format!("opening {}", file.display()))?,
    );
    let store = setup::open_store(&config.db).await?;
    let site = Site::open(store, config).await?;
    let bar = ProgressBar::new(totals.items);
    bar.set_style(
        ProgressStyle::with_template(
            "{bar:30} {pos}/{len} items, {msg} [{elapsed_precise}, {per_sec}]",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let total_comments = totals.comments;
    let shown = bar.clone();
    let report = site
        .import_wordpress(input, dry_run, &move |done: Progress| {
            shown.set_position(done.items);
            shown.set_message(format!("{}/{total_comments} comments", done.comments));
        })
        .await;
    bar.finish_and_clear();
    let report =
        report.with_context(|| format!("importing {}: nothing was written", file.display()))?;
    print!("{report}");
    Ok(())
}

/// How many items and comments a file holds, counted by their opening tags, for the progress
/// bar's totals (reading the file once, in chunks, without parsing it).
fn count_items(file: &Path) -> std::io::Result<Progress> {
    const ITEM: &[u8] = b"<item>";
    const COMMENT: &[u8] = b"<wp:comment>";
    let mut reader = std::fs::File::open(file)?;
    let mut buffer = vec![0u8; 1 << 20];
    // The tail of the previous chunk, so a tag across two chunks is counted once.
    let keep = COMMENT.len() - 1;
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
        totals.items += new(ITEM);
        totals.comments += new(COMMENT);
        let tail = end.min(keep);
        buffer.copy_within(end - tail..end, 0);
        filled = tail;
    }
    Ok(totals)
}
