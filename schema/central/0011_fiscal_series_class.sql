-- VetDesk central, migration 0011: the SUNAT series and código de anexo of each sede (sede
-- migration 0015) are central data, written here by `vetcentral fiscal series set` and kept in the
-- log and the read model only; every sede receives them by pull.
INSERT INTO data_classes (tbl, data_class) VALUES ('fiscal_series', 'central');
