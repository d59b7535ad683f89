//! Imports started in the newsroom: the upload is stored in pieces, a job (kind `import`) runs
//! it on whichever node claims it, and its progress and report are kept for the admin's page.
//! The import itself is the command line's: one transaction, whole or nothing.

use super::Progress;
use crate::auth::Staff;
use crate::{CoreError, CoreResult, Site};
use gazette_domain::Permission;
use gazette_domain::import::{ImportRun, NewImportRun};
use gazette_store::{Job, Store};
use std::sync::Arc;

/// The job kind that runs an uploaded import.
pub const IMPORT: &str = "import";
/// Bytes per stored piece of an upload.
pub const CHUNK_BYTES: usize = 1 << 20;
/// How long a claimed import is its node's alone; renewed while it runs.
const LEASE_SECONDS: i64 = 300;
/// How often a running import renews its lease and records its progress.
const HEARTBEAT: std::time::Duration = std::time::Duration::from_secs(10);

/// Imports running on this node, by run id, with how far they have got.
pub(crate) type RunningImports = Arc<std::sync::Mutex<std::collections::HashMap<i64, Progress>>>;

/// Reads an upload's pieces in order, fetched by an async task (the parser runs on a blocking
/// thread and reads through `std::io::Read`).
struct Pieces {
    receiver: tokio::sync::mpsc::Receiver<std::io::Result<Vec<u8>>>,
    piece: Vec<u8>,
    at: usize,
}

impl Pieces {
    fn new(store: Arc<dyn Store>, id: i64) -> Self {
        let (sender, receiver) = tokio::sync::mpsc::channel(2);
        tokio::spawn(async move {
            for seq in 0.. {
                let piece = match store.import_chunk(id, seq).await {
                    Ok(Some(data)) => Ok(data),
                    Ok(None) => break,
                    Err(error) => Err(std::io::Error::other(error.to_string())),
                };
                let failed = piece.is_err();
                if sender.send(piece).await.is_err() || failed {
                    break;
                }
            }
        });
        Self {
            receiver,
            piece: Vec::new(),
            at: 0,
        }
    }
}

impl std::io::Read for Pieces {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.at == self.piece.len() {
            match self.receiver.blocking_recv() {
                Some(piece) => {
                    self.piece = piece?;
                    self.at = 0;
                }
                None => return Ok(0),
            }
        }
        let n = buf.len().min(self.piece.len() - self.at);
        buf[..n].copy_from_slice(&self.piece[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

impl Site {
    /// Starts an upload of an export of `kind` (`wordpress` or `disqus`). Admins only.
    pub async fn start_import_upload(
        &self,
        staff: &Staff,
        kind: &str,
        file_name: &str,
        dry_run: bool,
    ) -> CoreResult<i64> {
        staff.require(Permission::ManageSettings)?;
        if !matches!(kind, "wordpress" | "disqus") {
            return Err(CoreError::BadInput(
                "Choose what the file is: a WordPress export or a Disqus export.".into(),
            ));
        }
        let file_name: String = file_name
            .chars()
            .filter(|c| !c.is_control())
            .take(200)
            .collect();
        Ok(self
            .store
            .create_import_run(NewImportRun {
                kind: kind.to_owned(),
                file_name: if file_name.trim().is_empty() {
                    "export.xml".to_owned()
                } else {
                    file_name
                },
                dry_run,
                created_by: staff.user.display_name.clone(),
                created_at: self.now(),
            })
            .await?)
    }

    /// Stores the next piece of an upload.
    pub async fn add_import_piece(&self, id: i64, seq: i64, data: &[u8]) -> CoreResult<()> {
        Ok(self.store.add_import_chunk(id, seq, data).await?)
    }

    /// The upload is complete: its import is queued as a job.
    pub async fn queue_import_upload(&self, id: i64, size: i64) -> CoreResult<()> {
        if size == 0 {
            self.store.delete_import_run(id).await?;
            return Err(CoreError::BadInput("The file is empty.".into()));
        }
        self.store.queue_import_run(id, size, self.now()).await?;
        Ok(())
    }

    /// An upload that did not complete (too large, the browser gone): deleted with its pieces.
    pub async fn abandon_import_upload(&self, id: i64) -> CoreResult<()> {
        Ok(self.store.delete_import_run(id).await?)
    }

    /// The latest imports, with the progress of those running on this node.
    pub async fn import_runs(&self, staff: &Staff) -> CoreResult<Vec<ImportRun>> {
        staff.require(Permission::ManageSettings)?;
        let mut runs = self.store.import_runs(50).await?;
        for run in &mut runs {
            self.with_live_progress(run);
        }
        Ok(runs)
    }

    /// One import, with its progress if it is running on this node.
    pub async fn import_run(&self, staff: &Staff, id: i64) -> CoreResult<ImportRun> {
        staff.require(Permission::ManageSettings)?;
        let mut run = self.store.import_run(id).await?;
        self.with_live_progress(&mut run);
        Ok(run)
    }

    fn with_live_progress(&self, run: &mut ImportRun) {
        if run.status == "running"
            && let Ok(running) = self.imports.lock()
            && let Some(done) = running.get(&run.id)
        {
            run.items_done = i64::try_from(done.items).unwrap_or(i64::MAX);
            run.comments_done = i64::try_from(done.comments).unwrap_or(i64::MAX);
        }
    }

    /// Takes a claimed `import` job: runs it on a task of its own (so the node's upkeep goes on),
    /// one import at a time per node; a second waits for the first.
    pub(crate) async fn start_import_job(&self, job: Job) -> CoreResult<()> {
        let Ok(id) = job.payload.parse::<i64>() else {
            self.store.finish_job(job.id, self.now()).await?;
            return Ok(());
        };
        let busy = match self.imports.lock() {
            Ok(mut running) if running.is_empty() => {
                running.insert(id, Progress::default());
                false
            }
            _ => true,
        };
        if busy {
            self.store
                .fail_job(
                    job.id,
                    "another import is running on this node",
                    self.now() + 30,
                )
                .await?;
            return Ok(());
        }
        let site = self.clone();
        tokio::spawn(async move {
            if let Err(error) = site.run_import(&job, id).await {
                tracing::warn!(import = id, %error, "import job failed; it will be retried");
                let _ = site
                    .store
                    .fail_job(job.id, &error.to_string(), site.now() + 60)
                    .await;
            }
            if let Ok(mut running) = site.imports.lock() {
                running.remove(&id);
            }
        });
        Ok(())
    }

    async fn run_import(&self, job: &Job, id: i64) -> CoreResult<()> {
        let mut run = match self.store.import_run(id).await {
            Ok(run) => run,
            Err(gazette_store::StoreError::NotFound(_)) => {
                self.store.finish_job(job.id, self.now()).await?;
                return Ok(());
            }
            Err(other) => return Err(other.into()),
        };
        if matches!(run.status.as_str(), "done" | "failed") {
            self.store.finish_job(job.id, self.now()).await?;
            return Ok(());
        }
        run.status = "running".into();
        self.store.update_import_run(&run).await?;
        let heartbeat = {
            let site = self.clone();
            let mut progress = run.clone();
            let job_id = job.id;
            tokio::spawn(async move {
                loop {
                    tokio::time::sleep(HEARTBEAT).await;
                    let _ = site
                        .store
                        .renew_job(job_id, site.now() + LEASE_SECONDS)
                        .await;
                    site.with_live_progress(&mut progress);
                    let _ = site.store.update_import_run(&progress).await;
                }
            })
        };
        let input =
            std::io::BufReader::with_capacity(CHUNK_BYTES, Pieces::new(self.store.clone(), id));
        let imports = self.imports.clone();
        let show = move |done: Progress| {
            if let Ok(mut running) = imports.lock() {
                running.insert(id, done);
            }
        };
        let result = match run.kind.as_str() {
            "disqus" => self.import_disqus(input, run.dry_run, &show).await,
            _ => self.import_wordpress(input, run.dry_run, &show).await,
        };
        heartbeat.abort();
        let _ = heartbeat.await;
        self.with_live_progress(&mut run);
        // This node is free for the next import as soon as this one's outcome is written.
        if let Ok(mut running) = self.imports.lock() {
            running.remove(&id);
        }
        run.finished_at = Some(self.now());
        match result {
            Ok(report) => {
                run.status = "done".into();
                run.report = report.to_string();
            }
            Err(CoreError::Storage(message)) if job.attempts < 3 && !message.contains("import") => {
                // The database failed, not the file: given back, to run again.
                run.status = "queued".into();
                run.finished_at = None;
                self.store.update_import_run(&run).await?;
                return Err(CoreError::Storage(message));
            }
            Err(error) => {
                run.status = "failed".into();
                run.report = format!("{error}\nNothing was written.");
            }
        }
        self.store.update_import_run(&run).await?;
        self.store.finish_job(job.id, self.now()).await?;
        tracing::info!(import = id, status = %run.status, "import finished");
        Ok(())
    }
}
