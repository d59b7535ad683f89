-- Gazette's first schema. The PostgreSQL twin lives in gazette-store-postgres/migrations and must
-- keep the same tables and columns (a test compares them). Times are unix seconds in 64-bit integers
-- so both databases store and compare them the same way.

-- Site settings and per-site secrets (keyed-hash key, cookie signing key), shared by every node.
CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE users (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    username      TEXT NOT NULL UNIQUE,
    display_name  TEXT NOT NULL,
    slug          TEXT NOT NULL UNIQUE,
    email         TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('admin', 'editor', 'author', 'moderator')),
    -- NULL for an account that cannot log in, such as the author of the welcome article.
    password_hash TEXT,
    created_at    BIGINT NOT NULL
);

-- Categories and tags in one table; the kind keeps their slugs apart.
CREATE TABLE terms (
    id   INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL CHECK (kind IN ('category', 'tag')),
    name TEXT NOT NULL,
    slug TEXT NOT NULL,
    UNIQUE (kind, slug)
);

CREATE TABLE articles (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    slug          TEXT NOT NULL UNIQUE,
    title         TEXT NOT NULL,
    body_markdown TEXT NOT NULL,
    -- Rendered and sanitised when written, so reading an article never renders Markdown.
    body_html     TEXT NOT NULL,
    excerpt       TEXT NOT NULL,
    author_id     INTEGER NOT NULL REFERENCES users (id),
    status        TEXT NOT NULL CHECK (status IN ('draft', 'published', 'trash')),
    comments_open BOOLEAN NOT NULL,
    -- A published article with a future time is scheduled.
    published_at  BIGINT,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    -- Approved comments, maintained in the same transaction as every comment write.
    comment_count BIGINT NOT NULL DEFAULT 0,
    -- Bumped by every edit, for optimistic concurrency in the editor.
    version       BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX articles_public ON articles (status, published_at DESC, id DESC);
CREATE INDEX articles_by_author ON articles (author_id, status, published_at DESC);

CREATE TABLE article_terms (
    article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    term_id    INTEGER NOT NULL REFERENCES terms (id),
    sort_order BIGINT NOT NULL,
    PRIMARY KEY (article_id, term_id)
);
CREATE INDEX article_terms_by_term ON article_terms (term_id, article_id);

CREATE TABLE comments (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    article_id    INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    parent_id     INTEGER REFERENCES comments (id),
    -- Zero-padded ids joined by dots; ordering by it gives thread order (BINARY collation).
    path          TEXT NOT NULL,
    depth         BIGINT NOT NULL,
    author_name   TEXT NOT NULL,
    -- Lower-cased. Never leaves the store except in staff reads.
    author_email  TEXT NOT NULL,
    author_url    TEXT,
    -- Hex of a per-site keyed hash of the email, drawn as the identicon.
    avatar        TEXT NOT NULL,
    body_markdown TEXT NOT NULL,
    body_html     TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('held', 'approved', 'spam', 'trash')),
    held_reason   TEXT,
    ip            TEXT,
    user_agent    TEXT,
    created_at    BIGINT NOT NULL
);
-- The article page: one range scan per page of a thread.
CREATE INDEX comments_thread ON comments (article_id, status, path);
-- "Has this commenter an approved comment?"
CREATE INDEX comments_by_email ON comments (author_email, status);
-- Moderation queues, newest first.
CREATE INDEX comments_by_status ON comments (status, created_at DESC, id DESC);
