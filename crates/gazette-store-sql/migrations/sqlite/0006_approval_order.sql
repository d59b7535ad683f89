-- The order in which comments were approved, for live streams: a stream sends the approved
-- comments numbered after the last number it sent, so its cost does not grow with the thread.
-- Set to MAX + 1 when a comment becomes approved, kept while it stays approved. Two approvals
-- committing at once may share a number or commit out of order; streams look back a window and
-- remember what they sent, so neither loses a comment.
ALTER TABLE comments ADD COLUMN approved_seq INTEGER;
UPDATE comments SET approved_seq = id WHERE status = 'approved';
-- Partial: comments never approved (most of a busy queue) cost these indexes nothing.
CREATE INDEX comments_by_approval ON comments (approved_seq) WHERE approved_seq IS NOT NULL;
CREATE INDEX comments_approvals ON comments (article_id, approved_seq) WHERE approved_seq IS NOT NULL;
