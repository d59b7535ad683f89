-- Moving in from another system. Rows an import created remember where they came from (the
-- source names the exporting site, e.g. 'wordpress https://example.com'), so importing the same
-- export again finds them and updates them instead of creating them twice.
CREATE TABLE imported (
    source      TEXT NOT NULL,
    -- 'user', 'term', 'article' or 'comment'.
    kind        TEXT NOT NULL,
    original_id TEXT NOT NULL,
    local_id    BIGINT NOT NULL,
    PRIMARY KEY (source, kind, original_id)
);

-- Old addresses and where they are now: an imported site's permalinks, '/?p=12', its archives.
-- Looked up only where Gazette would otherwise answer 404 (one read of the primary key).
CREATE TABLE redirects (
    -- The path as requested, with its query string when it matters ('/?p=12'), without a
    -- trailing slash ('/2019/07/17/slug').
    path       TEXT PRIMARY KEY,
    target     TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

-- Categories filed under another, as WordPress has them.
ALTER TABLE terms ADD COLUMN parent_id BIGINT;
ALTER TABLE terms ADD COLUMN description TEXT NOT NULL DEFAULT '';
