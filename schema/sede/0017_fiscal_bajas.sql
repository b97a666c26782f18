-- VetDesk sede store, migration 0017: voiding a document by baja instead of a nota de crédito.
-- When a sale is voided (anulación) within SUNAT's limit, its factura (or a note on one) may be
-- voided by a comunicación de baja (RA) and its boleta through a resumen diario with
-- ConditionCode 3, instead of issuing a nota de crédito. The anulación records here that its
-- document goes by baja; the RA or RC that carries it is written once SUNAT has accepted the
-- document (fiscal_summaries / fiscal_summary_lines, condition '3').
--
-- A ledger like the documents: one row per voided document, never updated or deleted.
CREATE TABLE fiscal_voids (
    id           TEXT PRIMARY KEY,
    sede_id      TEXT NOT NULL,
    -- The document voided (fiscal_documents.id) and the anulación sale that voids it.
    document_id  TEXT NOT NULL UNIQUE,
    sale_id      TEXT NOT NULL UNIQUE,
    -- SUNAT's VoidReasonDescription: 3 to 100 characters.
    reason       TEXT NOT NULL,
    user_id      TEXT,
    at           TEXT NOT NULL
);

CREATE TRIGGER fiscal_voids_no_update BEFORE UPDATE ON fiscal_voids WHEN NOT EXISTS (SELECT 1 FROM sync_ctx)
BEGIN SELECT RAISE(ABORT, 'Las bajas de comprobantes no se modifican'); END;
CREATE TRIGGER fiscal_voids_no_delete BEFORE DELETE ON fiscal_voids
BEGIN SELECT RAISE(ABORT, 'Las bajas de comprobantes no se borran'); END;

INSERT INTO synced_tables (name, data_class) VALUES ('fiscal_voids', 'sede');
