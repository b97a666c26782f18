-- VetDesk sede store, migration 0006: prefix indexes for 4, 5 and 6 letters in `patient_search`.
--
-- Search-as-you-type matches the word being typed as a prefix. FTS5 answers prefixes longer than
-- its prefix indexes by merging the doclist of every term they start, so 4-6 letter prefixes of
-- common names (`garc`, `flor`, `nunez`, `garcia`) took 4-10 ms on a million pets; with these
-- indexes, about 1 ms. The index grows by about 60 %. The rows are copied as they are and the
-- search triggers (0002) keep writing to the table by name.
CREATE TEMP TABLE patient_search_rows AS SELECT rowid AS rid, pet, owner, doc, phone, chip FROM patient_search;
DROP TABLE patient_search;
CREATE VIRTUAL TABLE patient_search USING fts5(
    pet, owner, doc, phone, chip,
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '1 2 3 4 5 6'
);
INSERT INTO patient_search (rowid, pet, owner, doc, phone, chip)
    SELECT rid, pet, owner, doc, phone, chip FROM patient_search_rows ORDER BY rid;
INSERT INTO patient_search (patient_search) VALUES ('optimize');
DROP TABLE patient_search_rows;
