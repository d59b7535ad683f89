-- Images uploaded in the newsroom, stored so that every node serves them. The PostgreSQL twin is
-- in migrations/postgres.

-- What news photos carry beside the picture, and an upload's own size and stored widths.
ALTER TABLE media ADD COLUMN caption TEXT NOT NULL DEFAULT '';
ALTER TABLE media ADD COLUMN credit TEXT NOT NULL DEFAULT '';
-- Pixels, upright; NULL for a file known only by its address (an import's).
ALTER TABLE media ADD COLUMN width BIGINT;
ALTER TABLE media ADD COLUMN height BIGINT;
-- The widths of the stored variants, smallest first ('480,960,1600'); '' when Gazette holds no
-- file of it.
ALTER TABLE media ADD COLUMN variants TEXT NOT NULL DEFAULT '';
-- The staff account that uploaded it (authors may edit and delete their own uploads).
ALTER TABLE media ADD COLUMN uploaded_by BIGINT;
CREATE INDEX media_recent ON media (created_at DESC, id DESC);

-- One stored size of an uploaded image. The bytes are here (any node serves them) unless the
-- site keeps files in `[media] dir`, where the file is named by its hash.
CREATE TABLE media_files (
    media_id  BIGINT NOT NULL REFERENCES media (id) ON DELETE CASCADE,
    width     BIGINT NOT NULL,
    height    BIGINT NOT NULL,
    mime_type TEXT NOT NULL,
    -- SHA-256 of the bytes, hex: the ETag, and the file's name in `[media] dir`.
    sha256    TEXT NOT NULL,
    size      BIGINT NOT NULL,
    data      BLOB,
    PRIMARY KEY (media_id, width)
);
