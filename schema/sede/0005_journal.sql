-- VetDesk sede store, migration 0005: a cheaper journal row (issue 2's capture benchmark).
--
-- * `op IN ('I', 'U', 'D')` made SQLite build a temporary index for the IN list on every journaled
--   change; three comparisons say the same for nothing.
-- * `journal_tx` is gone: pushes close a batch on a transaction boundary by reading on in `seq`
--   order (a transaction's entries are consecutive), so the index only cost every change a write.
--
-- The journal triggers are dropped before every migration and generated again after it, so the
-- table can be rebuilt here. AUTOINCREMENT stays (DESIGN.md §4): a seq is never handed out twice.
CREATE TABLE journal_rebuilt (
    seq      INTEGER PRIMARY KEY AUTOINCREMENT,
    tx_id    INTEGER NOT NULL,
    hlc      INTEGER NOT NULL,
    tbl      TEXT NOT NULL,
    row_id   TEXT NOT NULL,
    op       TEXT NOT NULL CHECK (op = 'I' OR op = 'U' OR op = 'D'),
    cols     TEXT,
    user_id  TEXT
);
INSERT INTO journal_rebuilt (seq, tx_id, hlc, tbl, row_id, op, cols, user_id)
    SELECT seq, tx_id, hlc, tbl, row_id, op, cols, user_id FROM journal ORDER BY seq;
DROP TABLE journal;
ALTER TABLE journal_rebuilt RENAME TO journal;
CREATE INDEX journal_row ON journal(tbl, row_id);
