-- VetDesk central, migration 0008: the classes of the checkout's tables (sede migration 0012), and a
-- fourth data class, `network`: rows written by their sede only (like `sede`: `sede_id` names the
-- owner, central refuses another sede's writes) and delivered to every sede, because an owner's
-- account and payment plan are paid at any sede.
--
-- `data_classes` is rebuilt to accept the new class, in the subset both dialects accept (SQLite
-- cannot alter a CHECK; the sede's migration 0012 rebuilds `synced_tables` the same way).
CREATE TABLE data_classes_new (
    tbl         TEXT PRIMARY KEY,
    data_class  TEXT NOT NULL CHECK (data_class IN ('shared', 'sede', 'central', 'network'))
);
INSERT INTO data_classes_new (tbl, data_class) SELECT tbl, data_class FROM data_classes;
DROP TABLE data_classes;
ALTER TABLE data_classes_new RENAME TO data_classes;

-- Sales, their lines, payments, CIPs, credits and instalments are seen by every sede; charges and
-- the cash drawer stay at their sede; PagoEfectivo's notifications are written here.
INSERT INTO data_classes (tbl, data_class) VALUES
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
