-- VetDesk sede store, migration 0009: what a prescription must carry, and unlocking a user.
-- A prescription issued although a drug matched one of the pet's alerts (an allergy) keeps the
-- match the vet confirmed, word for word as it was shown; NULL when nothing matched.
ALTER TABLE prescriptions ADD COLUMN allergy_override TEXT;
-- A vet's registration number in the Colegio Médico Veterinario del Perú, printed on prescriptions.
ALTER TABLE users ADD COLUMN cmvp TEXT;

-- A supervisor may lift a user's lockout at the sede: an `unlocked` event ends it (and the run of
-- failures before it). SQLite cannot widen a CHECK in place, so the table is rebuilt as it was
-- with the new kind; its rows are kept as they are.
CREATE TABLE login_events_new (
    id        TEXT PRIMARY KEY,
    sede_id   TEXT NOT NULL REFERENCES sedes(id),
    user_id   TEXT NOT NULL REFERENCES users(id),
    kind      TEXT NOT NULL CHECK (kind IN ('login_ok', 'login_fail', 'locked', 'logout', 'idle_lock', 'unlocked')),
    at        TEXT NOT NULL
);
INSERT INTO login_events_new (id, sede_id, user_id, kind, at) SELECT id, sede_id, user_id, kind, at FROM login_events;
DROP TABLE login_events;
ALTER TABLE login_events_new RENAME TO login_events;
CREATE INDEX login_events_user_at ON login_events(user_id, at);
