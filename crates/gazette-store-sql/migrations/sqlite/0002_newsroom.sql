-- The newsroom: staff sessions, password resets, login throttling, moderation history, bans,
-- old slugs, and the spam classifier's counts. The PostgreSQL twin is in gazette-store-postgres.

-- A staff login. The cookie holds a random token; only its SHA-256 is stored, so a copy of the
-- database does not let anyone log in.
CREATE TABLE sessions (
    token_hash   TEXT PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- Compared with the token every admin form carries.
    csrf_token   TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL
);
CREATE INDEX sessions_by_user ON sessions (user_id);

-- Single-use password reset links; the token itself is only in the link.
CREATE TABLE password_resets (
    token_hash TEXT PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    expires_at BIGINT NOT NULL,
    used_at    BIGINT
);

-- Failed logins, by account and by address, for throttling across every node.
CREATE TABLE login_failures (
    id     INTEGER PRIMARY KEY AUTOINCREMENT,
    bucket TEXT NOT NULL,
    at     BIGINT NOT NULL
);
CREATE INDEX login_failures_by_bucket ON login_failures (bucket, at);

-- Who did what to which comment (or article, or setting), with the status before and after.
CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    at          BIGINT NOT NULL,
    actor_id    INTEGER REFERENCES users (id) ON DELETE SET NULL,
    actor_name  TEXT NOT NULL,
    action      TEXT NOT NULL,
    comment_id  BIGINT,
    article_id  BIGINT,
    before_status TEXT,
    after_status  TEXT,
    detail      TEXT NOT NULL
);
CREATE INDEX audit_log_recent ON audit_log (at DESC, id DESC);

-- Banned commenters, by exact (lower-cased) email or by address.
CREATE TABLE bans (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    kind         TEXT NOT NULL CHECK (kind IN ('email', 'ip')),
    value        TEXT NOT NULL,
    reason       TEXT NOT NULL,
    hide_history BOOLEAN NOT NULL,
    created_at   BIGINT NOT NULL,
    created_by   TEXT NOT NULL,
    UNIQUE (kind, value)
);

-- Slugs an article had before; they answer with a 301 to the current one.
CREATE TABLE slug_redirects (
    old_slug   TEXT PRIMARY KEY,
    article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE
);

-- The spam classifier: how often each token appeared in comments judged spam and not spam.
CREATE TABLE classifier_tokens (
    token TEXT PRIMARY KEY,
    spam  BIGINT NOT NULL,
    ham   BIGINT NOT NULL
);

-- Articles remember when an editor last changed them, and who.
ALTER TABLE articles ADD COLUMN updated_by BIGINT;

-- Rate limits count recent comments by address and by /24 (IPv4) or /64 (IPv6) network.
ALTER TABLE comments ADD COLUMN ip_network TEXT;
-- Which way this comment last trained the classifier ('spam', 'ham' or NULL), so a moderator
-- changing their mind moves its tokens rather than counting them twice.
ALTER TABLE comments ADD COLUMN trained_as TEXT;
-- Staff replies are published at once and shown as staff.
ALTER TABLE comments ADD COLUMN staff_user_id BIGINT;
CREATE INDEX comments_by_ip ON comments (ip, created_at);
CREATE INDEX comments_by_network ON comments (ip_network, created_at);
CREATE INDEX comments_duplicates ON comments (article_id, author_email);
