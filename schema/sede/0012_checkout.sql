-- VetDesk sede store, migration 0012: checkout. Pending charges, sales and their lines, payments by
-- every Peruvian method, PagoEfectivo CIPs and their notifications, owner credit and payment plans,
-- and the cash drawer's sessions and movements.
--
-- Money is integer céntimos, IGV included in prices. Sales, lines, payments, plans and cash
-- movements are ledgers: the database refuses UPDATE and DELETE; a void or a return is a new sale
-- with opposite lines, stock and money rows. What a sale's state is (open, pending payment, paid,
-- voided) is derived from its rows, never stored.
--
-- Methods, kinds and states are text without CHECK lists: a newer sede's rows must still arrive.

-- Pending charges: what a vet, a dispense or reception added for an owner's pet until a sale takes
-- it. A worklist, not a ledger: reception changes quantities and removes lines before payment.
-- A charge is sold once `sale_id` is set (in the sale's transaction, only if still NULL) and
-- removed once `removed_at` is set. `stock_act_id` names the act that already took its stock
-- (a dispense): the sale then takes none.
CREATE TABLE charges (
    id               TEXT PRIMARY KEY,
    sede_id          TEXT NOT NULL,
    owner_id         TEXT NOT NULL,
    pet_id           TEXT,
    appointment_id   TEXT,
    consultation_id  TEXT,
    dispensation_id  TEXT,
    item_id          TEXT NOT NULL,
    quantity         INTEGER NOT NULL CHECK (quantity > 0),
    stock_act_id     TEXT,
    added_by         TEXT NOT NULL,
    added_at         TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    removed_by       TEXT,
    removed_at       TEXT,
    sale_id          TEXT
);
CREATE INDEX charges_pending ON charges(sede_id, owner_id) WHERE sale_id IS NULL AND removed_at IS NULL;
CREATE INDEX charges_sale ON charges(sale_id) WHERE sale_id IS NOT NULL;
CREATE UNIQUE INDEX charges_dispensation ON charges(dispensation_id) WHERE dispensation_id IS NOT NULL;

-- A sale (kind venta), or the opposite of one (anulacion: all of it; devolucion: some lines).
-- `number` is gapless per sede (taken in the sale's transaction). The totals are the sums of the
-- lines, kept with the sale so a receipt and a fiscal document read the same figures.
-- `fiscal_doc_type` is what the customer asked for (03 boleta, 01 factura): the SUNAT issue
-- numbers the document in the same transaction.
CREATE TABLE sales (
    id                   TEXT PRIMARY KEY,
    sede_id              TEXT NOT NULL,
    number               INTEGER NOT NULL,
    kind                 TEXT NOT NULL,
    reverses_sale_id     TEXT,
    owner_id             TEXT,
    customer_doc_type    TEXT,
    customer_doc_number  TEXT,
    customer_name        TEXT,
    fiscal_doc_type      TEXT,
    gravada              INTEGER NOT NULL,
    exonerada            INTEGER NOT NULL,
    inafecta             INTEGER NOT NULL,
    igv                  INTEGER NOT NULL,
    discount             INTEGER NOT NULL,
    total                INTEGER NOT NULL,
    reason               TEXT,
    authorized_by        TEXT,
    drawer               TEXT,
    user_id              TEXT NOT NULL,
    at                   TEXT NOT NULL,
    UNIQUE (sede_id, number)
);
CREATE INDEX sales_owner ON sales(owner_id, at) WHERE owner_id IS NOT NULL;
CREATE INDEX sales_reverses ON sales(reverses_sale_id) WHERE reverses_sale_id IS NOT NULL;
CREATE INDEX sales_at ON sales(sede_id, at);

-- A sale's lines. `quantity` is negative on a void or a return (`reverses_line_id` names the line).
-- `discount_percent_bp` is the percent typed, in basis points (1250 = 12.50 %); `discount` the
-- amount taken off the line, IGV included. `base + igv = total`.
CREATE TABLE sale_lines (
    id                   TEXT PRIMARY KEY,
    sale_id              TEXT NOT NULL,
    sede_id              TEXT NOT NULL,
    line_no              INTEGER NOT NULL,
    item_id              TEXT NOT NULL,
    description          TEXT NOT NULL,
    unit_code            TEXT NOT NULL,
    igv_affectation      TEXT NOT NULL,
    quantity             INTEGER NOT NULL CHECK (quantity <> 0),
    unit_price           INTEGER NOT NULL CHECK (unit_price >= 0),
    discount_percent_bp  INTEGER,
    discount             INTEGER NOT NULL DEFAULT 0,
    base                 INTEGER NOT NULL,
    igv                  INTEGER NOT NULL,
    total                INTEGER NOT NULL,
    charge_id            TEXT,
    pet_id               TEXT,
    reverses_line_id     TEXT,
    UNIQUE (sale_id, line_no)
);
CREATE INDEX sale_lines_reverses ON sale_lines(reverses_line_id) WHERE reverses_line_id IS NOT NULL;

-- A payment toward a sale, or an instalment of its plan; negative for a refund. Its id is made
-- before anything is charged, so a retry records nothing twice.
-- Method: efectivo, tarjeta, yape, plin, pagoefectivo, transferencia.
-- Cash: `tendered` and `change` (tendered - amount) and, on a sale paid wholly in cash, the
-- `rounding` given to the customer (down to S/ 0.10). A PagoEfectivo payment counts only once its
-- paid notification has arrived (pagoefectivo_events).
CREATE TABLE payments (
    id                TEXT PRIMARY KEY,
    sede_id           TEXT NOT NULL,
    sale_id           TEXT NOT NULL,
    instalment_id     TEXT,
    method            TEXT NOT NULL,
    amount            INTEGER NOT NULL,
    tendered          INTEGER,
    change            INTEGER,
    rounding          INTEGER NOT NULL DEFAULT 0,
    card_brand        TEXT,
    card_last4        TEXT,
    auth_code         TEXT,
    reference         TEXT,
    pos_terminal      TEXT,
    batch             TEXT,
    operation_number  TEXT,
    security_code     TEXT,
    bank              TEXT,
    cash_session_id   TEXT,
    authorized_by     TEXT,
    user_id           TEXT NOT NULL,
    at                TEXT NOT NULL
);
CREATE INDEX payments_sale ON payments(sale_id);
CREATE INDEX payments_instalment ON payments(instalment_id) WHERE instalment_id IS NOT NULL;
CREATE INDEX payments_operation ON payments(method, operation_number) WHERE operation_number IS NOT NULL;

-- The CIP PagoEfectivo generated for a payment (written when the API answered: from the sede when
-- the link is up, later when it was queued).
CREATE TABLE pagoefectivo_cips (
    id          TEXT PRIMARY KEY,
    sede_id     TEXT NOT NULL,
    payment_id  TEXT NOT NULL UNIQUE,
    cip         TEXT NOT NULL,
    amount      INTEGER NOT NULL,
    expires_at  TEXT NOT NULL,
    url         TEXT,
    at          TEXT NOT NULL
);
CREATE INDEX pagoefectivo_cips_cip ON pagoefectivo_cips(cip);

-- PagoEfectivo's notifications, verified and written by the central (central data): `event` is
-- cip.paid or cip.expired. The id is the central's, one per (cip, event): a repeat changes nothing.
CREATE TABLE pagoefectivo_events (
    id          TEXT PRIMARY KEY,
    cip         TEXT NOT NULL,
    payment_id  TEXT,
    sede_id     TEXT,
    event       TEXT NOT NULL,
    amount      INTEGER,
    operation   TEXT,
    at          TEXT NOT NULL
);
CREATE INDEX pagoefectivo_events_cip ON pagoefectivo_events(cip);

-- A balance left owing: authorised by a supervisor (no plan) or financed by a plan.
CREATE TABLE sale_credits (
    id             TEXT PRIMARY KEY,
    sede_id        TEXT NOT NULL,
    sale_id        TEXT NOT NULL UNIQUE,
    owner_id       TEXT NOT NULL,
    amount         INTEGER NOT NULL CHECK (amount > 0),
    plan           INTEGER NOT NULL DEFAULT 0,
    authorized_by  TEXT,
    user_id        TEXT NOT NULL,
    at             TEXT NOT NULL
);
CREATE INDEX sale_credits_owner ON sale_credits(owner_id);

-- A payment plan's instalments (their amounts add up to the credit exactly).
CREATE TABLE plan_instalments (
    id         TEXT PRIMARY KEY,
    sede_id    TEXT NOT NULL,
    credit_id  TEXT NOT NULL,
    sale_id    TEXT NOT NULL,
    owner_id   TEXT NOT NULL,
    n          INTEGER NOT NULL CHECK (n > 0),
    due_date   TEXT NOT NULL,
    amount     INTEGER NOT NULL CHECK (amount > 0),
    UNIQUE (credit_id, n)
);
CREATE INDEX plan_instalments_owner ON plan_instalments(owner_id, due_date);
CREATE INDEX plan_instalments_sale ON plan_instalments(sale_id);

-- A cash drawer's session: opened by a cashier with a float counted by denomination
-- (`denominations` is a JSON object: céntimos of the denomination → count). Closing is a later
-- migration's table; a session is open until it has a close.
CREATE TABLE cash_sessions (
    id             TEXT PRIMARY KEY,
    sede_id        TEXT NOT NULL,
    drawer         TEXT NOT NULL,
    opening_float  INTEGER NOT NULL CHECK (opening_float >= 0),
    denominations  TEXT NOT NULL,
    opened_by      TEXT NOT NULL,
    opened_at      TEXT NOT NULL
);
CREATE INDEX cash_sessions_drawer ON cash_sessions(sede_id, drawer, opened_at);

-- Cash in and out of a session: apertura (the float), cobro (cash tendered), vuelto (change given,
-- negative), devolucion (a refund, negative). `act_id` is the payment or the session it belongs to.
CREATE TABLE cash_movements (
    id          TEXT PRIMARY KEY,
    sede_id     TEXT NOT NULL,
    session_id  TEXT NOT NULL,
    act_id      TEXT NOT NULL,
    kind        TEXT NOT NULL,
    amount      INTEGER NOT NULL,
    sale_id     TEXT,
    payment_id  TEXT,
    user_id     TEXT NOT NULL,
    at          TEXT NOT NULL
);
CREATE INDEX cash_movements_session ON cash_movements(session_id);
CREATE INDEX cash_movements_act ON cash_movements(act_id);

-- The ledgers refuse UPDATE and DELETE, from any connection (the sqlite3 shell included).
CREATE TRIGGER sales_no_update BEFORE UPDATE ON sales WHEN NOT EXISTS (SELECT 1 FROM sync_ctx)
BEGIN SELECT RAISE(ABORT, 'Las ventas no se modifican: se anulan o se devuelven con una venta opuesta'); END;
CREATE TRIGGER sales_no_delete BEFORE DELETE ON sales
BEGIN SELECT RAISE(ABORT, 'Las ventas no se borran: se anulan con una venta opuesta'); END;
CREATE TRIGGER sale_lines_no_update BEFORE UPDATE ON sale_lines WHEN NOT EXISTS (SELECT 1 FROM sync_ctx)
BEGIN SELECT RAISE(ABORT, 'Las líneas de una venta no se modifican'); END;
CREATE TRIGGER sale_lines_no_delete BEFORE DELETE ON sale_lines
BEGIN SELECT RAISE(ABORT, 'Las líneas de una venta no se borran'); END;
CREATE TRIGGER payments_no_update BEFORE UPDATE ON payments WHEN NOT EXISTS (SELECT 1 FROM sync_ctx)
BEGIN SELECT RAISE(ABORT, 'Los pagos no se modifican: registre una devolución'); END;
CREATE TRIGGER payments_no_delete BEFORE DELETE ON payments
BEGIN SELECT RAISE(ABORT, 'Los pagos no se borran: registre una devolución'); END;
CREATE TRIGGER sale_credits_no_update BEFORE UPDATE ON sale_credits WHEN NOT EXISTS (SELECT 1 FROM sync_ctx)
BEGIN SELECT RAISE(ABORT, 'Los créditos no se modifican'); END;
CREATE TRIGGER sale_credits_no_delete BEFORE DELETE ON sale_credits
BEGIN SELECT RAISE(ABORT, 'Los créditos no se borran'); END;
CREATE TRIGGER plan_instalments_no_update BEFORE UPDATE ON plan_instalments WHEN NOT EXISTS (SELECT 1 FROM sync_ctx)
BEGIN SELECT RAISE(ABORT, 'Las cuotas no se modifican'); END;
CREATE TRIGGER plan_instalments_no_delete BEFORE DELETE ON plan_instalments
BEGIN SELECT RAISE(ABORT, 'Las cuotas no se borran'); END;
CREATE TRIGGER cash_movements_no_update BEFORE UPDATE ON cash_movements
BEGIN SELECT RAISE(ABORT, 'Los movimientos de caja no se modifican: registre uno opuesto'); END;
CREATE TRIGGER cash_movements_no_delete BEFORE DELETE ON cash_movements
BEGIN SELECT RAISE(ABORT, 'Los movimientos de caja no se borran: registre uno opuesto'); END;
CREATE TRIGGER pagoefectivo_cips_no_update BEFORE UPDATE ON pagoefectivo_cips WHEN NOT EXISTS (SELECT 1 FROM sync_ctx)
BEGIN SELECT RAISE(ABORT, 'Los CIP no se modifican'); END;
CREATE TRIGGER pagoefectivo_events_read_only_insert BEFORE INSERT ON pagoefectivo_events WHEN NOT EXISTS (SELECT 1 FROM sync_ctx)
BEGIN SELECT RAISE(ABORT, 'Las notificaciones de PagoEfectivo llegan de la central'); END;
CREATE TRIGGER pagoefectivo_events_read_only_update BEFORE UPDATE ON pagoefectivo_events WHEN NOT EXISTS (SELECT 1 FROM sync_ctx)
BEGIN SELECT RAISE(ABORT, 'Las notificaciones de PagoEfectivo llegan de la central'); END;

-- A fourth data class, `network`: rows written by their sede only (like `sede`) and delivered to
-- every sede. `synced_tables` is rebuilt to accept it (SQLite cannot alter a CHECK).
CREATE TABLE synced_tables_new (
    name        TEXT PRIMARY KEY,
    data_class  TEXT NOT NULL CHECK (data_class IN ('shared', 'sede', 'central', 'network'))
) WITHOUT ROWID;
INSERT INTO synced_tables_new (name, data_class) SELECT name, data_class FROM synced_tables;
DROP TABLE synced_tables;
ALTER TABLE synced_tables_new RENAME TO synced_tables;

-- Sales, their lines, payments, CIPs, credits and instalments are written by their sede only and
-- seen by every sede (class `network`): an owner's account and plan are paid at any sede. Charges
-- and the cash drawer stay at their sede.
INSERT INTO synced_tables (name, data_class) VALUES
    ('charges', 'sede'),
    ('sales', 'network'),
    ('sale_lines', 'network'),
    ('payments', 'network'),
    ('pagoefectivo_cips', 'network'),
    ('pagoefectivo_events', 'central'),
    ('sale_credits', 'network'),
    ('plan_instalments', 'network'),
    ('cash_sessions', 'sede'),
    ('cash_movements', 'sede');
