-- VetDesk central, migration 0002: the calendar feed (GET /v1/calendars/{sede}/{vet}.ics) reads
-- the log of a few tables (a sede's appointments and rooms, pets, owners) in cseq order.
CREATE INDEX changes_tbl ON changes (tbl, owner_sede, cseq);
