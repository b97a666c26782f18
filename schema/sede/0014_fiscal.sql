-- VetDesk sede store, migration 0014: SUNAT electronic documents. A sale ends in its boleta (03)
-- or factura (01); a void or a return in a nota de crédito (07). The document is numbered, written
-- as UBL 2.1 and signed in the transaction of the act that settles the sale, so an offline sale
-- has its number at once and the numbers of a series have no gaps.
--
-- Documents and their sending history are ledgers: the database refuses UPDATE and DELETE. What a
-- document's state is (por enviar, enviado, aceptado, observado, rechazado, por corregir) is read
-- from its latest event, never stored on it.

-- The customer's fiscal address, asked for a factura (a company's domicilio fiscal).
ALTER TABLE sales ADD COLUMN customer_address TEXT;

-- One signed document. `xml` is the signed UBL as sent (UTF-8); `digest` its DigestValue (the
-- «hash» printed with the QR). `reference_id` names the document a nota de crédito modifies.
-- Numbers are gapless per (type, series): taken as max + 1 in the issuing transaction.
CREATE TABLE fiscal_documents (
    id                   TEXT PRIMARY KEY,
    sede_id              TEXT NOT NULL,
    sale_id              TEXT NOT NULL,
    doc_type             TEXT NOT NULL,
    series               TEXT NOT NULL,
    number               INTEGER NOT NULL CHECK (number > 0),
    issue_date           TEXT NOT NULL,
    issued_at            TEXT NOT NULL,
    customer_doc_type    TEXT NOT NULL,
    customer_doc_number  TEXT NOT NULL,
    customer_name        TEXT NOT NULL,
    payment_terms        TEXT NOT NULL DEFAULT 'contado',
    igv                  INTEGER NOT NULL,
    total                INTEGER NOT NULL,
    reference_id         TEXT,
    file_name            TEXT NOT NULL,
    digest               TEXT NOT NULL,
    xml                  TEXT NOT NULL,
    UNIQUE (doc_type, series, number)
);
CREATE UNIQUE INDEX fiscal_documents_sale ON fiscal_documents(sale_id);
CREATE INDEX fiscal_documents_day ON fiscal_documents(sede_id, issue_date);

-- A resumen diario (RC) or a comunicación de baja (RA): which documents it carries and how.
CREATE TABLE fiscal_summaries (
    id              TEXT PRIMARY KEY,
    sede_id         TEXT NOT NULL,
    kind            TEXT NOT NULL,
    summary_id      TEXT NOT NULL,
    reference_date  TEXT NOT NULL,
    issue_date      TEXT NOT NULL,
    file_name       TEXT NOT NULL UNIQUE,
    xml             TEXT NOT NULL,
    created_at      TEXT NOT NULL
);
CREATE TABLE fiscal_summary_lines (
    id           TEXT PRIMARY KEY,
    sede_id      TEXT NOT NULL,
    summary_id   TEXT NOT NULL,
    document_id  TEXT NOT NULL,
    condition    TEXT NOT NULL,
    reason       TEXT,
    UNIQUE (summary_id, document_id)
);
CREATE INDEX fiscal_summary_lines_document ON fiscal_summary_lines(document_id);

-- What happened when sending: `subject_id` is a document or a summary. Kinds: envio (an attempt
-- is about to be made: written before the call), cdr (SUNAT's answer: `code` 0 accepted, ≥ 4000
-- accepted with observations in `notes`, 2000–3999 rejected), ticket (a summary's ticket),
-- error (a fault to fix, 100–1999, or a transport failure, code NULL). `cdr` is the CDR's ZIP in base64 (the journal carries text, not blobs).
CREATE TABLE fiscal_events (
    id          TEXT PRIMARY KEY,
    sede_id     TEXT NOT NULL,
    subject_id  TEXT NOT NULL,
    kind        TEXT NOT NULL,
    code        INTEGER,
    message     TEXT,
    notes       TEXT,
    ticket      TEXT,
    cdr         TEXT,
    at          TEXT NOT NULL
);
CREATE INDEX fiscal_events_subject ON fiscal_events(subject_id, at);

CREATE TRIGGER fiscal_documents_no_update BEFORE UPDATE ON fiscal_documents WHEN NOT EXISTS (SELECT 1 FROM sync_ctx)
BEGIN SELECT RAISE(ABORT, 'Los comprobantes electrónicos no se modifican: emita una nota de crédito'); END;
CREATE TRIGGER fiscal_documents_no_delete BEFORE DELETE ON fiscal_documents
BEGIN SELECT RAISE(ABORT, 'Los comprobantes electrónicos no se borran'); END;
CREATE TRIGGER fiscal_summaries_no_update BEFORE UPDATE ON fiscal_summaries WHEN NOT EXISTS (SELECT 1 FROM sync_ctx)
BEGIN SELECT RAISE(ABORT, 'Los resúmenes enviados a SUNAT no se modifican'); END;
CREATE TRIGGER fiscal_summaries_no_delete BEFORE DELETE ON fiscal_summaries
BEGIN SELECT RAISE(ABORT, 'Los resúmenes enviados a SUNAT no se borran'); END;
CREATE TRIGGER fiscal_summary_lines_no_update BEFORE UPDATE ON fiscal_summary_lines WHEN NOT EXISTS (SELECT 1 FROM sync_ctx)
BEGIN SELECT RAISE(ABORT, 'Los resúmenes enviados a SUNAT no se modifican'); END;
CREATE TRIGGER fiscal_summary_lines_no_delete BEFORE DELETE ON fiscal_summary_lines
BEGIN SELECT RAISE(ABORT, 'Los resúmenes enviados a SUNAT no se borran'); END;
CREATE TRIGGER fiscal_events_no_update BEFORE UPDATE ON fiscal_events WHEN NOT EXISTS (SELECT 1 FROM sync_ctx)
BEGIN SELECT RAISE(ABORT, 'El historial de envíos a SUNAT no se modifica'); END;
CREATE TRIGGER fiscal_events_no_delete BEFORE DELETE ON fiscal_events
BEGIN SELECT RAISE(ABORT, 'El historial de envíos a SUNAT no se borra'); END;

INSERT INTO synced_tables (name, data_class) VALUES
    ('fiscal_documents', 'sede'),
    ('fiscal_summaries', 'sede'),
    ('fiscal_summary_lines', 'sede'),
    ('fiscal_events', 'sede');
