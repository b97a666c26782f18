-- VetDesk sede store, migration 0011: the catalog (central data, read-only here) and the pharmacy:
-- a stock ledger per sede with lots and expiry, levels and replenishment requests to the
-- warehouse, transfers between sedes, stocktakes and dispensing against prescriptions.
--
-- Kinds and reasons are text without CHECK lists: a newer sede may send a kind this version does
-- not know, and the row must still arrive (VetCore reads it as `.unknown`). Invariants that hold
-- for every version (a movement moves something; levels are not negative) are checked.
-- Quantities are integers in the item's base unit (tablet, ml, unit). Money is integer céntimos,
-- IGV included. Dates without time (`effective_from`, `expiry`) are `YYYY-MM-DD` in Lima.

-- The catalog: every product and service a clinic charges (central data, written at the central).
CREATE TABLE catalog_items (
    id              TEXT PRIMARY KEY,
    sku             TEXT NOT NULL UNIQUE,
    name            TEXT NOT NULL,
    -- medicamento, vacuna, antiparasitario, insumo, alimento, accesorio (products);
    -- consulta, vacunacion, cirugia, hospitalizacion, analisis, bano_corte, otro_servicio (services).
    kind            TEXT NOT NULL,
    category        TEXT NOT NULL,
    -- SUNAT catálogo 03 (`NIU` units, `ZZ` services, …) and catálogo 07 (`10`, `20`, `30`).
    unit_code       TEXT NOT NULL,
    igv_affectation TEXT NOT NULL,
    -- How it is sold and counted: «Caja x 100 tabletas», base unit «tableta».
    presentation    TEXT NOT NULL DEFAULT '',
    base_unit       TEXT NOT NULL DEFAULT 'unidad',
    -- A pack that may be opened (desarme) into `pack_units` of the item `unit_item_id`, same lot and expiry.
    unit_item_id    TEXT,
    pack_units      INTEGER CHECK (pack_units IS NULL OR pack_units > 1),
    tracks_lots     INTEGER NOT NULL DEFAULT 0,
    controlled      INTEGER NOT NULL DEFAULT 0,
    prescription    INTEGER NOT NULL DEFAULT 0,
    active          INTEGER NOT NULL DEFAULT 1,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE INDEX catalog_items_name ON catalog_items(name COLLATE NOCASE);
CREATE INDEX catalog_items_category ON catalog_items(category, name);

CREATE TABLE catalog_barcodes (
    id       TEXT PRIMARY KEY,
    item_id  TEXT NOT NULL,
    code     TEXT NOT NULL UNIQUE
);
CREATE INDEX catalog_barcodes_item ON catalog_barcodes(item_id);

-- Prices, IGV included, per sale unit of the item. A price is never overwritten: a change is a new
-- row effective from a date. `sede_id` NULL is the network price; a sede's row overrides it there.
CREATE TABLE catalog_prices (
    id              TEXT PRIMARY KEY,
    item_id         TEXT NOT NULL,
    sede_id         TEXT,
    price           INTEGER NOT NULL CHECK (price >= 0),
    effective_from  TEXT NOT NULL,
    created_at      TEXT NOT NULL
);
CREATE INDEX catalog_prices_item ON catalog_prices(item_id, sede_id, effective_from);

-- The catalog is read-only at a sede: it changes only by what is pulled from the central.
CREATE TRIGGER catalog_items_read_only_insert BEFORE INSERT ON catalog_items WHEN NOT EXISTS (SELECT 1 FROM sync_ctx)
BEGIN SELECT RAISE(ABORT, 'El catálogo se modifica en la central'); END;
CREATE TRIGGER catalog_items_read_only_update BEFORE UPDATE ON catalog_items WHEN NOT EXISTS (SELECT 1 FROM sync_ctx)
BEGIN SELECT RAISE(ABORT, 'El catálogo se modifica en la central'); END;
CREATE TRIGGER catalog_items_read_only_delete BEFORE DELETE ON catalog_items WHEN NOT EXISTS (SELECT 1 FROM sync_ctx)
BEGIN SELECT RAISE(ABORT, 'El catálogo se modifica en la central'); END;
CREATE TRIGGER catalog_barcodes_read_only_insert BEFORE INSERT ON catalog_barcodes WHEN NOT EXISTS (SELECT 1 FROM sync_ctx)
BEGIN SELECT RAISE(ABORT, 'El catálogo se modifica en la central'); END;
CREATE TRIGGER catalog_barcodes_read_only_update BEFORE UPDATE ON catalog_barcodes WHEN NOT EXISTS (SELECT 1 FROM sync_ctx)
BEGIN SELECT RAISE(ABORT, 'El catálogo se modifica en la central'); END;
CREATE TRIGGER catalog_barcodes_read_only_delete BEFORE DELETE ON catalog_barcodes WHEN NOT EXISTS (SELECT 1 FROM sync_ctx)
BEGIN SELECT RAISE(ABORT, 'El catálogo se modifica en la central'); END;
CREATE TRIGGER catalog_prices_read_only_insert BEFORE INSERT ON catalog_prices WHEN NOT EXISTS (SELECT 1 FROM sync_ctx)
BEGIN SELECT RAISE(ABORT, 'El catálogo se modifica en la central'); END;
CREATE TRIGGER catalog_prices_read_only_update BEFORE UPDATE ON catalog_prices WHEN NOT EXISTS (SELECT 1 FROM sync_ctx)
BEGIN SELECT RAISE(ABORT, 'Los precios no se modifican: se registra un precio nuevo con su fecha'); END;
CREATE TRIGGER catalog_prices_read_only_delete BEFORE DELETE ON catalog_prices WHEN NOT EXISTS (SELECT 1 FROM sync_ctx)
BEGIN SELECT RAISE(ABORT, 'Los precios no se modifican: se registra un precio nuevo con su fecha'); END;

-- The stock ledger (sede-owned, append-only). `quantity` is signed: in > 0, out < 0.
-- `act_id` is the id of the act (a receipt, a take, a transfer) made before it: all the movements
-- of one act share it, and an act already recorded is never recorded again.
-- A lot is (item, lot_code, expiry); '' for items without lots or without expiry.
-- A transfer out carries `to_sede_id` (the receiving sede, which then receives the row by sync).
CREATE TABLE stock_movements (
    id               TEXT PRIMARY KEY,
    sede_id          TEXT NOT NULL,
    act_id           TEXT NOT NULL,
    item_id          TEXT NOT NULL,
    lot_code         TEXT NOT NULL DEFAULT '',
    expiry           TEXT NOT NULL DEFAULT '',
    quantity         INTEGER NOT NULL CHECK (quantity <> 0),
    -- recepcion, transferencia_salida, transferencia_entrada, venta, dispensacion, uso_interno,
    -- ajuste, inventario, desarme, devolucion.
    kind             TEXT NOT NULL,
    -- For an adjustment: rotura, perdida, vencimiento, robo, error_conteo, muestra.
    reason           TEXT,
    -- The source document: a supplier's guía or factura, a transfer, a prescription, a stocktake, a sale.
    doc_type         TEXT,
    doc_ref          TEXT,
    to_sede_id       TEXT,
    transfer_id      TEXT,
    pet_id           TEXT,
    owner_id         TEXT,
    witness_user_id  TEXT,
    note             TEXT,
    user_id          TEXT NOT NULL,
    at               TEXT NOT NULL
);
CREATE INDEX stock_movements_item ON stock_movements(sede_id, item_id, lot_code, expiry);
CREATE INDEX stock_movements_act ON stock_movements(act_id);
CREATE INDEX stock_movements_lot ON stock_movements(item_id, lot_code);
CREATE INDEX stock_movements_transfer ON stock_movements(transfer_id) WHERE transfer_id IS NOT NULL;
CREATE INDEX stock_movements_doc ON stock_movements(doc_ref) WHERE doc_ref IS NOT NULL;

CREATE TRIGGER stock_movements_no_update BEFORE UPDATE ON stock_movements
BEGIN SELECT RAISE(ABORT, 'Los movimientos de stock no se modifican: registre un movimiento opuesto'); END;
CREATE TRIGGER stock_movements_no_delete BEFORE DELETE ON stock_movements
BEGIN SELECT RAISE(ABORT, 'Los movimientos de stock no se borran: registre un movimiento opuesto'); END;

-- The balance per (sede, item, lot), kept by the trigger below from every movement this store
-- holds (its own and those other sedes addressed to it). A cache: never journaled, never synced,
-- always equal to the SUM of the movements.
CREATE TABLE stock_balances (
    sede_id   TEXT NOT NULL,
    item_id   TEXT NOT NULL,
    lot_code  TEXT NOT NULL,
    expiry    TEXT NOT NULL,
    quantity  INTEGER NOT NULL,
    PRIMARY KEY (sede_id, item_id, lot_code, expiry)
) WITHOUT ROWID;
CREATE INDEX stock_balances_negative ON stock_balances(sede_id, quantity) WHERE quantity < 0;

CREATE TRIGGER stock_movements_balance AFTER INSERT ON stock_movements
BEGIN
    INSERT INTO stock_balances (sede_id, item_id, lot_code, expiry, quantity)
        VALUES (NEW.sede_id, NEW.item_id, NEW.lot_code, NEW.expiry, NEW.quantity)
        ON CONFLICT (sede_id, item_id, lot_code, expiry) DO UPDATE SET quantity = quantity + excluded.quantity;
END;

-- Minimum and ideal levels per sede and item (set by the sede's farmacia or supervisor).
CREATE TABLE stock_levels (
    id          TEXT PRIMARY KEY,
    sede_id     TEXT NOT NULL,
    item_id     TEXT NOT NULL,
    minimum     INTEGER NOT NULL CHECK (minimum >= 0),
    ideal       INTEGER NOT NULL CHECK (ideal >= minimum),
    updated_at  TEXT NOT NULL,
    UNIQUE (sede_id, item_id)
);

-- A sede's request to the warehouse (`to_sede_id`, a sede of kind almacen). It is open until a
-- transfer answers it; lines are added to the open request.
CREATE TABLE replenishment_requests (
    id          TEXT PRIMARY KEY,
    sede_id     TEXT NOT NULL,
    to_sede_id  TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    user_id     TEXT
);
CREATE INDEX replenishment_requests_to ON replenishment_requests(to_sede_id, created_at);

CREATE TABLE replenishment_lines (
    id          TEXT PRIMARY KEY,
    request_id  TEXT NOT NULL,
    sede_id     TEXT NOT NULL,
    to_sede_id  TEXT NOT NULL,
    item_id     TEXT NOT NULL,
    quantity    INTEGER NOT NULL CHECK (quantity > 0),
    automatic   INTEGER NOT NULL DEFAULT 0,
    created_at  TEXT NOT NULL
);
CREATE INDEX replenishment_lines_request ON replenishment_lines(request_id);

-- A transfer between two sedes, written by the sender: its lines are the `transferencia_salida`
-- movements with this `transfer_id`. `request_id` names the request it answers.
CREATE TABLE stock_transfers (
    id          TEXT PRIMARY KEY,
    sede_id     TEXT NOT NULL,
    to_sede_id  TEXT NOT NULL,
    request_id  TEXT,
    note        TEXT,
    user_id     TEXT NOT NULL,
    shipped_at  TEXT NOT NULL
);
CREATE INDEX stock_transfers_to ON stock_transfers(to_sede_id, shipped_at);
CREATE INDEX stock_transfers_request ON stock_transfers(request_id) WHERE request_id IS NOT NULL;

-- The receiving sede's confirmation of a transfer, addressed back to the sender: what arrived is
-- its `transferencia_entrada` movements; shipped minus received is the difference. A transfer is
-- «en tránsito» until it has a receipt.
CREATE TABLE stock_transfer_receipts (
    id           TEXT PRIMARY KEY,
    sede_id      TEXT NOT NULL,
    to_sede_id   TEXT NOT NULL,
    transfer_id  TEXT NOT NULL UNIQUE,
    note         TEXT,
    user_id      TEXT NOT NULL,
    received_at  TEXT NOT NULL
);

-- A stocktake (inventario) of the whole sede or one category. Each count keeps, hidden from the
-- counter, the balance the lot had when it was counted, so movements during the count are accounted
-- for. Approval writes the differences as `inventario` movements (act_id = the stocktake's id).
CREATE TABLE stocktakes (
    id           TEXT PRIMARY KEY,
    sede_id      TEXT NOT NULL,
    category     TEXT,
    started_by   TEXT NOT NULL,
    started_at   TEXT NOT NULL,
    -- abierto, aprobado, anulado
    state        TEXT NOT NULL DEFAULT 'abierto',
    closed_by    TEXT,
    closed_at    TEXT
);

CREATE TABLE stocktake_counts (
    id            TEXT PRIMARY KEY,
    stocktake_id  TEXT NOT NULL,
    sede_id       TEXT NOT NULL,
    item_id       TEXT NOT NULL,
    lot_code      TEXT NOT NULL DEFAULT '',
    expiry        TEXT NOT NULL DEFAULT '',
    counted       INTEGER NOT NULL CHECK (counted >= 0),
    system_qty    INTEGER NOT NULL,
    user_id       TEXT NOT NULL,
    counted_at    TEXT NOT NULL
);
CREATE INDEX stocktake_counts_take ON stocktake_counts(stocktake_id, item_id);

-- A prescription line may name a catalog item and a quantity in its base unit (free text stays).
ALTER TABLE prescription_items ADD COLUMN item_id TEXT;
ALTER TABLE prescription_items ADD COLUMN quantity INTEGER CHECK (quantity IS NULL OR quantity > 0);

-- What was dispensed against a prescription line, where and when (shared: every sede sees what a
-- prescription still needs). The stock left through `dispensacion` movements with act_id = id.
CREATE TABLE dispensations (
    id                    TEXT PRIMARY KEY,
    prescription_id       TEXT NOT NULL,
    prescription_item_id  TEXT NOT NULL,
    item_id               TEXT NOT NULL,
    quantity              INTEGER NOT NULL CHECK (quantity > 0),
    pet_id                TEXT NOT NULL,
    sede_id               TEXT NOT NULL,
    user_id               TEXT NOT NULL,
    at                    TEXT NOT NULL
);
CREATE INDEX dispensations_prescription ON dispensations(prescription_id);
CREATE INDEX dispensations_item ON dispensations(prescription_item_id);

INSERT INTO synced_tables (name, data_class) VALUES
    ('catalog_items', 'central'),
    ('catalog_barcodes', 'central'),
    ('catalog_prices', 'central'),
    ('stock_movements', 'sede'),
    ('stock_levels', 'sede'),
    ('replenishment_requests', 'sede'),
    ('replenishment_lines', 'sede'),
    ('stock_transfers', 'sede'),
    ('stock_transfer_receipts', 'sede'),
    ('stocktakes', 'sede'),
    ('stocktake_counts', 'sede'),
    ('dispensations', 'shared');
