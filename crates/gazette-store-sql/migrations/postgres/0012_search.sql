-- The search index of articles: each article's headline and body as plain text, and the
-- tsvector of both (the headline weighted A, the body B) in the configuration named by the
-- `search.language` setting, written in the same transaction as the article. Every article is
-- indexed, whatever its status; a search joins `articles` and keeps the public ones.
-- SQLite keeps the same text in an FTS5 table of the same name.
CREATE TABLE article_search (
    article_id BIGINT PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,
    title      TEXT NOT NULL,
    body       TEXT NOT NULL,
    document   TSVECTOR NOT NULL
);
CREATE INDEX article_search_document ON article_search USING GIN (document);
