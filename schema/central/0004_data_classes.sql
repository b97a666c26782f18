-- VetDesk central, migration 0004: central classifies every pushed entry from its own list only
-- (issue 9 item 1). The class a sede declares is never trusted and a table missing here is refused
-- (`unknown_table`), so this list names every table a sede journals, by its canonical lowercase
-- name, with the class `synced_tables` gives it at the sede. A sede migration that lists a new
-- table in `synced_tables` needs a central migration adding it here (a test compares the lists).
INSERT INTO data_classes (tbl, data_class) VALUES
    ('pet_owner_changes', 'shared'),
    ('pet_weights', 'shared'),
    ('consultations', 'shared'),
    ('consultation_addenda', 'shared'),
    ('vaccinations', 'shared'),
    ('prescriptions', 'shared'),
    ('prescription_items', 'shared'),
    ('attachments', 'shared'),
    ('patient_merges', 'shared'),
    ('appointment_types', 'central'),
    ('rooms', 'sede'),
    ('vet_schedules', 'sede'),
    ('schedule_exceptions', 'sede'),
    ('appointments', 'sede'),
    ('outbox', 'sede');
