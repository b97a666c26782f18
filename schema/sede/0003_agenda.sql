-- VetDesk sede store, migration 0003: agenda. Rooms, vets' weekly schedules and their exceptions,
-- and appointments are sede-owned (written only by the sede in `sede_id`); appointment types are
-- central data, seeded here with fixed ids so every sede agrees. Reminders wait in `outbox` until
-- a delivery process sends them.
-- Times of day are whole minutes after midnight in Lima (UTC−5, no DST); instants are UTC ISO-8601.

CREATE TABLE appointment_types (
    id         TEXT PRIMARY KEY,
    code       TEXT NOT NULL UNIQUE,
    name       TEXT NOT NULL,
    minutes    INTEGER NOT NULL CHECK (minutes > 0 AND minutes <= 720),
    room_kind  TEXT NOT NULL CHECK (room_kind IN ('consultorio', 'quirofano', 'grooming')),
    -- A theme role (themes/*.theme) the type is drawn with.
    color      TEXT NOT NULL,
    position   INTEGER NOT NULL DEFAULT 0,
    active     INTEGER NOT NULL DEFAULT 1
);

INSERT INTO appointment_types (id, code, name, minutes, room_kind, color, position) VALUES
    ('01900000-0000-7000-8000-000000000001', 'consulta', 'Consulta', 30, 'consultorio', 'agendaConsulta', 1),
    ('01900000-0000-7000-8000-000000000002', 'vacunacion', 'Vacunación', 15, 'consultorio', 'agendaVacunacion', 2),
    ('01900000-0000-7000-8000-000000000003', 'control', 'Control', 15, 'consultorio', 'agendaControl', 3),
    ('01900000-0000-7000-8000-000000000004', 'cirugia', 'Cirugía', 90, 'quirofano', 'agendaCirugia', 4),
    ('01900000-0000-7000-8000-000000000005', 'bano_corte', 'Baño y corte', 60, 'grooming', 'agendaGrooming', 5),
    ('01900000-0000-7000-8000-000000000006', 'emergencia', 'Emergencia', 30, 'consultorio', 'agendaEmergencia', 6);

CREATE TABLE rooms (
    id          TEXT PRIMARY KEY,
    sede_id     TEXT NOT NULL,
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('consultorio', 'quirofano', 'grooming')),
    position    INTEGER NOT NULL DEFAULT 0,
    active      INTEGER NOT NULL DEFAULT 1,
    created_at  TEXT NOT NULL
);
CREATE INDEX rooms_sede ON rooms(sede_id, position);

-- A vet's weekly template at one sede: blocks per ISO weekday (1 = lunes … 7 = domingo).
CREATE TABLE vet_schedules (
    id          TEXT PRIMARY KEY,
    sede_id     TEXT NOT NULL,
    vet_id      TEXT NOT NULL,
    weekday     INTEGER NOT NULL CHECK (weekday BETWEEN 1 AND 7),
    start_min   INTEGER NOT NULL CHECK (start_min BETWEEN 0 AND 1439),
    end_min     INTEGER NOT NULL CHECK (end_min BETWEEN 1 AND 1440 AND end_min > start_min),
    created_at  TEXT NOT NULL
);
CREATE INDEX vet_schedules_vet ON vet_schedules(sede_id, vet_id, weekday);

-- A day that departs from the template: vacation, sick day or holiday take time away (the whole
-- day when start_min is NULL); an extra block adds time. A holiday with no vet closes the sede.
CREATE TABLE schedule_exceptions (
    id          TEXT PRIMARY KEY,
    sede_id     TEXT NOT NULL,
    vet_id      TEXT,
    day         TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('vacaciones', 'descanso_medico', 'feriado', 'bloque_extra')),
    start_min   INTEGER CHECK (start_min IS NULL OR start_min BETWEEN 0 AND 1439),
    end_min     INTEGER CHECK (end_min IS NULL OR end_min BETWEEN 1 AND 1440),
    note        TEXT,
    created_at  TEXT NOT NULL,
    CHECK ((start_min IS NULL) = (end_min IS NULL) AND (start_min IS NULL OR end_min > start_min)),
    CHECK (kind != 'bloque_extra' OR (vet_id IS NOT NULL AND start_min IS NOT NULL))
);
CREATE INDEX schedule_exceptions_day ON schedule_exceptions(sede_id, day);

-- An appointment, or a walk-in (`walk_in` = 1, sin cita) queued at the desk.
-- reservada → en_espera (llegó) → en_consulta → atendida; or cancelada (with a reason) / no_asistio.
CREATE TABLE appointments (
    id                 TEXT PRIMARY KEY,
    sede_id            TEXT NOT NULL,
    pet_id             TEXT NOT NULL,
    vet_id             TEXT,
    room_id            TEXT,
    type_id            TEXT NOT NULL,
    starts_at          TEXT NOT NULL,
    ends_at            TEXT NOT NULL,
    reason             TEXT,
    status             TEXT NOT NULL DEFAULT 'reservada'
                       CHECK (status IN ('reservada', 'en_espera', 'en_consulta', 'atendida', 'cancelada', 'no_asistio')),
    walk_in            INTEGER NOT NULL DEFAULT 0,
    -- 1 when a supervisor booked it outside the vet's schedule.
    schedule_override  INTEGER NOT NULL DEFAULT 0,
    checked_in_at      TEXT,
    called_at          TEXT,
    done_at            TEXT,
    consultation_id    TEXT,
    cancel_reason      TEXT,
    cancelled_at       TEXT,
    created_by         TEXT,
    created_at         TEXT NOT NULL,
    updated_at         TEXT NOT NULL,
    CHECK (ends_at > starts_at),
    CHECK (status != 'cancelada' OR length(trim(coalesce(cancel_reason, ''))) > 0),
    CHECK (walk_in = 1 OR vet_id IS NOT NULL)
);
CREATE INDEX appointments_vet_time ON appointments(vet_id, starts_at);
CREATE INDEX appointments_room_time ON appointments(room_id, starts_at);
CREATE INDEX appointments_sede_time ON appointments(sede_id, starts_at);
CREATE INDEX appointments_pet ON appointments(pet_id, starts_at);

-- Messages waiting to be delivered (WhatsApp, e-mail, SMS); a later process sends them.
CREATE TABLE outbox (
    id              TEXT PRIMARY KEY,
    sede_id         TEXT NOT NULL,
    channel         TEXT NOT NULL CHECK (channel IN ('whatsapp', 'email', 'sms')),
    recipient       TEXT NOT NULL,
    template        TEXT NOT NULL,
    payload         TEXT NOT NULL,
    state           TEXT NOT NULL DEFAULT 'pendiente' CHECK (state IN ('pendiente', 'enviado', 'fallido', 'cancelado')),
    due_at          TEXT NOT NULL,
    appointment_id  TEXT,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE INDEX outbox_due ON outbox(state, due_at);
CREATE INDEX outbox_appointment ON outbox(appointment_id);

INSERT INTO synced_tables (name, data_class) VALUES
    ('appointment_types', 'central'),
    ('rooms', 'sede'),
    ('vet_schedules', 'sede'),
    ('schedule_exceptions', 'sede'),
    ('appointments', 'sede'),
    ('outbox', 'sede');
