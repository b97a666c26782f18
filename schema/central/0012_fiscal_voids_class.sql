-- VetDesk central, migration 0012: the class of a sede's bajas of SUNAT documents (sede migration
-- 0017), sede-owned like its documents and summaries.
INSERT INTO data_classes (tbl, data_class) VALUES ('fiscal_voids', 'sede');
