-- Corrections appended to published articles, shown at their foot in order, in feeds and in
-- the structured data, and listed on /corrections. Plain text, as the editor wrote it.
CREATE TABLE corrections (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    body       TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    created_by BIGINT
);
CREATE INDEX corrections_by_article ON corrections (article_id, created_at);
CREATE INDEX corrections_recent ON corrections (created_at DESC, id DESC);
