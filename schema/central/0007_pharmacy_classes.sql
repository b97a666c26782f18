-- VetDesk central, migration 0007: the classes of the pharmacy's tables (sede migration 0011).
-- The catalog is central data (written here by `vetcentral catalog`, kept in the log and the read
-- model); the stock ledger and its documents are sede-owned; dispensations are shared.
INSERT INTO data_classes (tbl, data_class) VALUES
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
