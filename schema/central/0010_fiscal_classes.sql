-- VetDesk central, migration 0010: the classes of SUNAT's documents (sede migration 0014). A sede's
-- signed documents, its summaries and their sending history reach the central by sync.
INSERT INTO data_classes (tbl, data_class) VALUES
    ('fiscal_documents', 'sede'),
    ('fiscal_summaries', 'sede'),
    ('fiscal_summary_lines', 'sede'),
    ('fiscal_events', 'sede');
