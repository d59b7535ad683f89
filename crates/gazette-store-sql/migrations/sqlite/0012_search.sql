-- The search index of articles: each article's headline and body as plain text (rowid = the
-- article's id), written in the same transaction as the article. Every article is indexed,
-- whatever its status; a search joins `articles` and keeps the public ones.
--
-- The tokenizer follows the site's language (English stems with Porter; others word by word):
-- when `search.language` changes, the store creates this table again and Gazette fills it.
-- PostgreSQL keeps the same text beside a tsvector in a table of the same name.
CREATE VIRTUAL TABLE article_search USING fts5 (
    title,
    body,
    tokenize = 'porter unicode61 remove_diacritics 2'
);

-- A virtual table has no foreign keys: an article deleted for good leaves the index with it.
CREATE TRIGGER article_search_forget AFTER DELETE ON articles BEGIN
    DELETE FROM article_search WHERE rowid = old.id;
END;
