-- A search joins each match to its article for three columns only (is it public, and when):
-- this index holds them, so that no article row (its body, kilobytes long) is read to decide.
CREATE INDEX articles_visibility ON articles (id, status, published_at);
