-- VetDesk sede store, migration 0007: what a writer had seen, and a clock found ahead (issue 9).

-- For each column a journaled update or delete overwrote, the HLC of the version the writer held
-- for it at that moment (`{"phone": 123…}`; a delete gives the row's newest under key "*"). A
-- receiver logs a conflict only when neither writer had seen the other's version.
ALTER TABLE journal ADD COLUMN prev TEXT;

-- The same for versions pulled from central: what the writer of that version had seen of it.
ALTER TABLE col_versions ADD COLUMN prev INTEGER;

-- How far this sede's clock runs ahead of central's (ms), as last seen by a sync; NULL when right.
ALTER TABLE sync_state ADD COLUMN clock_ahead_ms INTEGER;

-- A conflict met again (a page pulled twice after central was restored) is logged once.
CREATE INDEX conflict_log_row ON conflict_log (tbl, row_id, col);
