-- VetDesk sede store, migration 0015: the SUNAT series and establishment code (código de anexo)
-- assigned to each sede at the central (`vetcentral fiscal series set`, central data, read-only
-- here). Assignments are a history: a reassignment is a new row and a sede issues in its newest
-- one, which takes precedence over the series kept in the local fiscal settings.
CREATE TABLE fiscal_series (
    id                   TEXT PRIMARY KEY,
    sede_id              TEXT NOT NULL,
    annex_code           TEXT NOT NULL,
    boleta_series        TEXT NOT NULL,
    factura_series       TEXT NOT NULL,
    boleta_note_series   TEXT NOT NULL,
    factura_note_series  TEXT NOT NULL,
    assigned_at          TEXT NOT NULL
);
CREATE INDEX fiscal_series_sede ON fiscal_series(sede_id, id);

-- The assignments are read-only at a sede: they change only by what is pulled from the central.
CREATE TRIGGER fiscal_series_read_only_insert BEFORE INSERT ON fiscal_series WHEN NOT EXISTS (SELECT 1 FROM sync_ctx)
BEGIN SELECT RAISE(ABORT, 'Las series SUNAT las asigna la central'); END;
CREATE TRIGGER fiscal_series_read_only_update BEFORE UPDATE ON fiscal_series WHEN NOT EXISTS (SELECT 1 FROM sync_ctx)
BEGIN SELECT RAISE(ABORT, 'Las series SUNAT las asigna la central'); END;
CREATE TRIGGER fiscal_series_read_only_delete BEFORE DELETE ON fiscal_series WHEN NOT EXISTS (SELECT 1 FROM sync_ctx)
BEGIN SELECT RAISE(ABORT, 'Las series SUNAT las asigna la central'); END;

INSERT INTO synced_tables (name, data_class) VALUES ('fiscal_series', 'central');
