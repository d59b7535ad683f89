-- Background jobs, claimed by whichever process gets to them first and run once. A job with a
-- dedupe_key exists at most once, so several nodes queueing the same periodic job make one.
-- Finished jobs stay (done_at set) until pruned, keeping their key taken meanwhile.
CREATE TABLE jobs (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    kind         TEXT NOT NULL,
    dedupe_key   TEXT UNIQUE,
    payload      TEXT NOT NULL,
    run_at       INTEGER NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    locked_until INTEGER,
    done_at      INTEGER,
    last_error   TEXT,
    created_at   INTEGER NOT NULL
);
CREATE INDEX jobs_due ON jobs (run_at, id) WHERE done_at IS NULL;
