-- Changes to what readers see, so that every process on the site (other nodes, the CLI) can
-- drop cached pages: a row per approved-comment change (with its article) or site-wide change
-- (article NULL). Processes poll for rows after the last one they applied; old rows are pruned.
CREATE TABLE changes (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    article_id BIGINT,
    at         BIGINT NOT NULL
);
CREATE INDEX changes_by_time ON changes (at);
