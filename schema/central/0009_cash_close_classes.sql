-- VetDesk central, migration 0009: the classes of the cash close's tables (sede migration 0013). A
-- drawer's close, its notes and the supervisor's sign-off stay at their sede and reach the central
-- by sync, like the sessions and movements they close.
INSERT INTO data_classes (tbl, data_class) VALUES
    ('cash_closes', 'sede'),
    ('cash_close_notes', 'sede'),
    ('cash_signoffs', 'sede');
