-- Imports started in the newsroom (/admin/import). The PostgreSQL twin is in migrations/postgres.

-- One upload and what became of it. The job that runs it (kind 'import') names its id; whichever
-- node's job runner claims the job reads the file from import_chunks, so any node may run it.
CREATE TABLE imports (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    -- 'wordpress' or 'disqus'.
    kind          TEXT NOT NULL CHECK (kind IN ('wordpress', 'disqus')),
    file_name     TEXT NOT NULL,
    size          BIGINT NOT NULL DEFAULT 0,
    dry_run       BOOLEAN NOT NULL,
    -- uploading → queued → running → done or failed.
    status        TEXT NOT NULL CHECK (status IN ('uploading', 'queued', 'running', 'done', 'failed')),
    items_done    BIGINT NOT NULL DEFAULT 0,
    comments_done BIGINT NOT NULL DEFAULT 0,
    -- The import's report, or why it failed.
    report        TEXT NOT NULL DEFAULT '',
    created_by    TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    finished_at   BIGINT
);
CREATE INDEX imports_recent ON imports (created_at DESC, id DESC);

-- The uploaded file in pieces of 1 MiB, deleted once the import has run.
CREATE TABLE import_chunks (
    import_id BIGINT NOT NULL,
    seq       BIGINT NOT NULL,
    data      BLOB NOT NULL,
    PRIMARY KEY (import_id, seq)
);
