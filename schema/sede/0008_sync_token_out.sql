-- VetDesk sede store, migration 0008: the sede's sync token leaves the database.
--
-- Every terminal of a sede reads sede.db; the token now lives in a file only the sync daemon's
-- user can read (SyncTokenFile). VetStore writes the stored token to that file just before this
-- migration runs. The token is first overwritten in place with as many '0' bytes (same record
-- size, so SQLite rewrites the same bytes), so no copy of it is left in the file's pages.
UPDATE sync_config SET token = replace(hex(zeroblob(length(CAST(token AS BLOB)))), '00', '0');
ALTER TABLE sync_config DROP COLUMN token;
