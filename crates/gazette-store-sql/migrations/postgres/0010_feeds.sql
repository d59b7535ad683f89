-- The id an article had in the feeds of the system it was imported from (WordPress's guid), kept
-- so that feed readers and aggregators do not show a moved site's stories again as new ones.
-- NULL for Gazette's own articles: their id is the site's `feeds.id_base` and the article's id.
ALTER TABLE articles ADD COLUMN feed_id TEXT;
-- Two articles never share one: an import finding its old id taken (WordPress gives a copied post
-- its original's guid) leaves the newcomer with Gazette's own.
CREATE UNIQUE INDEX articles_by_feed_id ON articles (feed_id) WHERE feed_id IS NOT NULL;
