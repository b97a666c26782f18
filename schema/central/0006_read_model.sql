-- VetDesk central, migration 0006: the read model (issue 11 item 5). Each synced row as every
-- sede holds it after pulling the whole log, updated in the push transaction that logs its
-- change, with the rule the sedes apply (last writer wins per column on shared rows, a delete
-- wins): the calendar feed, the recall trace, payment checks and reports read it instead of
-- folding the log. The storage rebuilds it from the log right after this migration runs.
CREATE TABLE current_rows (
    tbl         TEXT NOT NULL,
    row_id      TEXT NOT NULL,
    -- The row's columns as a JSON object (its last values when deleted).
    cols        TEXT NOT NULL,
    -- The newest write the row took: HLC and sede (NULL: central).
    hlc         BIGINT NOT NULL,
    origin      TEXT,
    -- Shared rows: each column's version, {"col":[hlc,"sede"]}; "" the insert's, "*" the delete's.
    versions    TEXT,
    deleted     INTEGER NOT NULL DEFAULT 0,
    data_class  TEXT NOT NULL,
    owner_sede  TEXT,
    -- The last change the row took (0: seeded here).
    cseq        BIGINT NOT NULL,
    PRIMARY KEY (tbl, row_id)
);
CREATE INDEX current_rows_owner ON current_rows (tbl, owner_sede);

-- Appointment types are central data every sede's migration 0003 seeds with these ids and values
-- and no one has logged since: the starting state of every replica, so the read model starts
-- from it too.
INSERT INTO current_rows (tbl, row_id, cols, hlc, origin, versions, deleted, data_class, owner_sede, cseq) VALUES
    ('appointment_types', '01900000-0000-7000-8000-000000000001', '{"active":1,"code":"consulta","color":"agendaConsulta","id":"01900000-0000-7000-8000-000000000001","minutes":30,"name":"Consulta","position":1,"room_kind":"consultorio"}', 0, NULL, NULL, 0, 'central', NULL, 0),
    ('appointment_types', '01900000-0000-7000-8000-000000000002', '{"active":1,"code":"vacunacion","color":"agendaVacunacion","id":"01900000-0000-7000-8000-000000000002","minutes":15,"name":"Vacunación","position":2,"room_kind":"consultorio"}', 0, NULL, NULL, 0, 'central', NULL, 0),
    ('appointment_types', '01900000-0000-7000-8000-000000000003', '{"active":1,"code":"control","color":"agendaControl","id":"01900000-0000-7000-8000-000000000003","minutes":15,"name":"Control","position":3,"room_kind":"consultorio"}', 0, NULL, NULL, 0, 'central', NULL, 0),
    ('appointment_types', '01900000-0000-7000-8000-000000000004', '{"active":1,"code":"cirugia","color":"agendaCirugia","id":"01900000-0000-7000-8000-000000000004","minutes":90,"name":"Cirugía","position":4,"room_kind":"quirofano"}', 0, NULL, NULL, 0, 'central', NULL, 0),
    ('appointment_types', '01900000-0000-7000-8000-000000000005', '{"active":1,"code":"bano_corte","color":"agendaGrooming","id":"01900000-0000-7000-8000-000000000005","minutes":60,"name":"Baño y corte","position":5,"room_kind":"grooming"}', 0, NULL, NULL, 0, 'central', NULL, 0),
    ('appointment_types', '01900000-0000-7000-8000-000000000006', '{"active":1,"code":"emergencia","color":"agendaEmergencia","id":"01900000-0000-7000-8000-000000000006","minutes":30,"name":"Emergencia","position":6,"room_kind":"consultorio"}', 0, NULL, NULL, 0, 'central', NULL, 0);
