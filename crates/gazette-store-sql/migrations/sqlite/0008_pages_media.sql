-- Static pages, media records and body formats. The PostgreSQL twin is in migrations/postgres.

-- A static page: '/about', '/contact'. Not an article: never on the front page, in an archive
-- or a feed of articles, and without a discussion. A parent page is shown as a breadcrumb.
CREATE TABLE pages (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    slug        TEXT NOT NULL UNIQUE,
    title       TEXT NOT NULL,
    -- What the editor shows: Markdown, or HTML as an import brought it.
    body_source TEXT NOT NULL,
    body_format TEXT NOT NULL CHECK (body_format IN ('markdown', 'html')),
    -- Rendered and sanitised when written, like an article's.
    body_html   TEXT NOT NULL,
    parent_id   BIGINT,
    author_id   INTEGER NOT NULL REFERENCES users (id),
    status      TEXT NOT NULL CHECK (status IN ('draft', 'published', 'trash')),
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    version     BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX pages_by_parent ON pages (parent_id);

-- Images and files an article uses. The file stays where it is (an imported site's uploads):
-- Gazette keeps its address and what describes it.
CREATE TABLE media (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    url        TEXT NOT NULL,
    title      TEXT NOT NULL,
    alt_text   TEXT NOT NULL,
    mime_type  TEXT NOT NULL,
    -- The article it was uploaded to, if any.
    article_id BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX media_by_article ON media (article_id);

-- 'markdown' (written in the editor) or 'html' (imported, kept as the old site showed it).
ALTER TABLE articles ADD COLUMN body_format TEXT NOT NULL DEFAULT 'markdown';
-- The image shown at the top of the article, in lists and in social cards.
ALTER TABLE articles ADD COLUMN featured_media_id BIGINT;
