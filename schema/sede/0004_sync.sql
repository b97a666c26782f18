-- VetDesk sede store, migration 0004: sync configuration and per-column versions (DESIGN.md §4).

-- Where this sede's central lives and the token it authenticates with (never synced).
CREATE TABLE sync_config (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    central_url  TEXT NOT NULL,
    token        TEXT NOT NULL,
    cacert       TEXT,
    -- What the last attempt found: 'up' or 'down', when, and the error if down.
    link         TEXT,
    link_at      TEXT,
    link_error   TEXT
);

-- The version (HLC, writer sede) of each column of shared rows last written by a change pulled
-- from central. Versions of local writes are read from the journal itself, so local writes cost
-- nothing extra. col '*' is a delete's tombstone.
CREATE TABLE col_versions (
    tbl     TEXT NOT NULL,
    row_id  TEXT NOT NULL,
    col     TEXT NOT NULL,
    hlc     INTEGER NOT NULL,
    sede    TEXT NOT NULL,
    PRIMARY KEY (tbl, row_id, col)
) WITHOUT ROWID;

-- The local versions of one row: its journal entries.
CREATE INDEX journal_row ON journal(tbl, row_id);

-- The HLC of the change at pull_cursor, sent back with the next pull: if central no longer has
-- that change there (it was restored from a backup), it says so and the sede pulls from zero.
ALTER TABLE sync_state ADD COLUMN pull_check INTEGER;

-- pushed_seq when the current epoch began: if central has no record of this epoch (it was
-- restored from before the epoch's first push), everything after this goes again.
ALTER TABLE sync_state ADD COLUMN epoch_base INTEGER NOT NULL DEFAULT 0;
