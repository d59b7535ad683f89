-- Several authors per article ("By A and B"). The PostgreSQL twin is in migrations/postgres.

-- The authors after the first: `articles.author_id` stays the first (whose article it is in the
-- newsroom); these follow it in the byline, in `position` order, and find the article in their
-- own archive and feed.
CREATE TABLE article_authors (
    article_id BIGINT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    user_id    BIGINT NOT NULL REFERENCES users (id),
    position   BIGINT NOT NULL,
    PRIMARY KEY (article_id, user_id)
);
CREATE INDEX article_authors_by_user ON article_authors (user_id, article_id);
