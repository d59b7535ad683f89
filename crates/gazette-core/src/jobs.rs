//! Background jobs: work that must happen once for the whole site, however many nodes run it.
//! Every serving process queues the periodic ones (a dedupe key per period makes one job of
//! them) and runs what is due; the store hands each job to one worker (`FOR UPDATE SKIP LOCKED`
//! on PostgreSQL), leased so that a worker that dies gives it back.

use crate::{CoreError, CoreResult, Site};
use gazette_store::Job;

/// Deletes expired sessions, password resets, old login failures, change-log rows, finished jobs.
pub const PRUNE: &str = "prune";
/// How long a claimed job is its worker's alone.
const LEASE_SECONDS: i64 = 300;
/// How often the prune job runs, in seconds.
const PRUNE_PERIOD: i64 = 3600;

impl Site {
    /// Queues the periodic jobs of the current period. Every node calls this; one job results.
    pub async fn queue_periodic_jobs(&self) -> CoreResult<()> {
        let now = self.now();
        let period = now / PRUNE_PERIOD;
        self.store
            .enqueue_job(PRUNE, Some(&format!("{PRUNE}:{period}")), "", now, now)
            .await?;
        Ok(())
    }

    /// Claims and runs due jobs, at most `max`; returns how many ran. A job that fails is given
    /// back to run again later (a minute per attempt so far, at most an hour).
    pub async fn run_due_jobs(&self, max: usize) -> CoreResult<usize> {
        let mut ran = 0;
        while ran < max {
            let now = self.now();
            let Some(job) = self.store.claim_job(now, now + LEASE_SECONDS).await? else {
                break;
            };
            ran += 1;
            if job.kind == crate::importing::runs::IMPORT {
                // Minutes long: on a task of its own, so that upkeep goes on meanwhile.
                self.start_import_job(job).await?;
                continue;
            }
            match self.run_job(&job).await {
                Ok(()) => self.store.finish_job(job.id, self.now()).await?,
                Err(error) => {
                    let retry_at = self.now() + 60 * job.attempts.clamp(1, 60);
                    tracing::warn!(job = job.id, kind = %job.kind, attempts = job.attempts, %error, "job failed; will retry");
                    self.store
                        .fail_job(job.id, &error.to_string(), retry_at)
                        .await?;
                }
            }
        }
        Ok(ran)
    }

    /// Jobs due and not finished: the queue's depth.
    pub async fn pending_jobs(&self) -> CoreResult<i64> {
        Ok(self.store.pending_jobs(self.now()).await?)
    }

    async fn run_job(&self, job: &Job) -> CoreResult<()> {
        match job.kind.as_str() {
            PRUNE => {
                let deleted = self.store.prune_expired(self.now()).await?;
                tracing::info!(deleted, "pruned expired sessions, resets and logs");
                Ok(())
            }
            crate::websub::WEBSUB => self.run_websub(job).await,
            other => Err(CoreError::BadInput(format!(
                "no handler for jobs of kind {other:?}"
            ))),
        }
    }
}
