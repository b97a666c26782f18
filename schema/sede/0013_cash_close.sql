-- VetDesk sede, migration 0013: the cash close. A drawer's session gains manual movements (income,
-- expense, withdrawals to the safe, deposits, and their corrections), a close with the blind count
-- by denomination and the declared non-cash totals, notes, and a supervisor's sign-off. All are
-- append-only rows: the expected cash is always derived from the session's movements, never stored.

-- Manual movements: `concept` (for an expense: proveedor, compra_menor, caja_chica, otro), the
-- `reason` written by the cashier, the `document` (receipt number), the supervisor who authorised a
-- withdrawal, and `reverses_id`: the movement a correction cancels (an opposite amount, once).
ALTER TABLE cash_movements ADD COLUMN concept TEXT;
ALTER TABLE cash_movements ADD COLUMN reason TEXT;
ALTER TABLE cash_movements ADD COLUMN document TEXT;
ALTER TABLE cash_movements ADD COLUMN authorized_by TEXT;
ALTER TABLE cash_movements ADD COLUMN reverses_id TEXT;
CREATE UNIQUE INDEX cash_movements_reverses ON cash_movements(reverses_id) WHERE reverses_id IS NOT NULL;

-- A session's payments by method (the close compares them with the declared totals).
CREATE INDEX payments_cash_session ON payments(cash_session_id) WHERE cash_session_id IS NOT NULL;

-- The close of a session: one per session, written in one transaction with everything it needs.
-- `counted` is the cash counted (`denominations`: céntimos → count); `first_count` and
-- `first_denominations` keep the first count when the cashier recounted. `declared_*` are the
-- non-cash totals the cashier declared (the card batch total from the POS terminal's close, Yape,
-- Plin, transfers, PagoEfectivo). `level` is the deviation level decided at the close with the
-- sede's thresholds of that moment: aceptado, nota (a note is needed) or supervisor (a supervisor's
-- sign-off is needed).
CREATE TABLE cash_closes (
    id                      TEXT PRIMARY KEY,
    sede_id                 TEXT NOT NULL,
    session_id              TEXT NOT NULL UNIQUE,
    counted                 INTEGER NOT NULL CHECK (counted >= 0),
    denominations           TEXT NOT NULL,
    first_count             INTEGER CHECK (first_count IS NULL OR first_count >= 0),
    first_denominations     TEXT,
    declared_tarjeta        INTEGER NOT NULL DEFAULT 0 CHECK (declared_tarjeta >= 0),
    declared_yape           INTEGER NOT NULL DEFAULT 0 CHECK (declared_yape >= 0),
    declared_plin           INTEGER NOT NULL DEFAULT 0 CHECK (declared_plin >= 0),
    declared_transferencia  INTEGER NOT NULL DEFAULT 0 CHECK (declared_transferencia >= 0),
    declared_pagoefectivo   INTEGER NOT NULL DEFAULT 0 CHECK (declared_pagoefectivo >= 0),
    level                   TEXT NOT NULL CHECK (level IN ('aceptado', 'nota', 'supervisor')),
    closed_by               TEXT NOT NULL,
    closed_at               TEXT NOT NULL
);

-- Notes on a close (the cashier's explanation of a deviation, or any later remark).
CREATE TABLE cash_close_notes (
    id        TEXT PRIMARY KEY,
    sede_id   TEXT NOT NULL,
    close_id  TEXT NOT NULL,
    note      TEXT NOT NULL CHECK (length(note) > 0),
    user_id   TEXT NOT NULL,
    at        TEXT NOT NULL
);
CREATE INDEX cash_close_notes_close ON cash_close_notes(close_id);

-- A supervisor's sign-off of a close, with their note; one per close.
CREATE TABLE cash_signoffs (
    id             TEXT PRIMARY KEY,
    sede_id        TEXT NOT NULL,
    close_id       TEXT NOT NULL UNIQUE,
    supervisor_id  TEXT NOT NULL,
    note           TEXT NOT NULL CHECK (length(note) > 0),
    at             TEXT NOT NULL
);

CREATE TRIGGER cash_closes_no_update BEFORE UPDATE ON cash_closes WHEN NOT EXISTS (SELECT 1 FROM sync_ctx)
BEGIN SELECT RAISE(ABORT, 'Los cierres de caja no se modifican'); END;
CREATE TRIGGER cash_closes_no_delete BEFORE DELETE ON cash_closes
BEGIN SELECT RAISE(ABORT, 'Los cierres de caja no se borran'); END;
CREATE TRIGGER cash_close_notes_no_update BEFORE UPDATE ON cash_close_notes WHEN NOT EXISTS (SELECT 1 FROM sync_ctx)
BEGIN SELECT RAISE(ABORT, 'Las notas del cierre no se modifican: agregue otra'); END;
CREATE TRIGGER cash_close_notes_no_delete BEFORE DELETE ON cash_close_notes
BEGIN SELECT RAISE(ABORT, 'Las notas del cierre no se borran'); END;
CREATE TRIGGER cash_signoffs_no_update BEFORE UPDATE ON cash_signoffs WHEN NOT EXISTS (SELECT 1 FROM sync_ctx)
BEGIN SELECT RAISE(ABORT, 'Las firmas del supervisor no se modifican'); END;
CREATE TRIGGER cash_signoffs_no_delete BEFORE DELETE ON cash_signoffs
BEGIN SELECT RAISE(ABORT, 'Las firmas del supervisor no se borran'); END;
CREATE TRIGGER cash_sessions_no_update BEFORE UPDATE ON cash_sessions WHEN NOT EXISTS (SELECT 1 FROM sync_ctx)
BEGIN SELECT RAISE(ABORT, 'Las aperturas de caja no se modifican'); END;
CREATE TRIGGER cash_sessions_no_delete BEFORE DELETE ON cash_sessions
BEGIN SELECT RAISE(ABORT, 'Las aperturas de caja no se borran'); END;

-- A closed session takes no more movements, from any connection: its figures are final.
CREATE TRIGGER cash_movements_closed_session BEFORE INSERT ON cash_movements
WHEN NOT EXISTS (SELECT 1 FROM sync_ctx) AND EXISTS (SELECT 1 FROM cash_closes WHERE session_id = NEW.session_id)
BEGIN SELECT RAISE(ABORT, 'La caja ya está cerrada: no admite más movimientos'); END;

INSERT INTO synced_tables (name, data_class) VALUES
    ('cash_closes', 'sede'),
    ('cash_close_notes', 'sede'),
    ('cash_signoffs', 'sede');
