-- VetDesk sede store, migration 0002: patients. Owners and pets gain the columns of their forms;
-- the clinical record (consultations and their addenda, vaccinations and dewormings, prescriptions,
-- attachments, weights), owner changes and merges are new shared tables. Clinical rows are
-- append-only, enforced by triggers. `patient_search` is an FTS5 index kept in sync by triggers,
-- so rows written by sync or the sqlite3 shell are searchable too.

ALTER TABLE owners ADD COLUMN phone2 TEXT;
ALTER TABLE owners ADD COLUMN ubigeo TEXT;
ALTER TABLE owners ADD COLUMN consent_whatsapp INTEGER NOT NULL DEFAULT 0;
ALTER TABLE owners ADD COLUMN consent_email INTEGER NOT NULL DEFAULT 0;
-- Set when a supervisor merged this owner into another; merged owners are kept, never deleted.
ALTER TABLE owners ADD COLUMN merged_into TEXT;

ALTER TABLE pets ADD COLUMN neutered INTEGER NOT NULL DEFAULT 0;
-- 1 when birth_date was estimated from an approximate age.
ALTER TABLE pets ADD COLUMN birth_estimated INTEGER NOT NULL DEFAULT 0;
ALTER TABLE pets ADD COLUMN color TEXT;
-- Alerts shown highlighted wherever the pet appears, separated by '; ' (e.g. 'agresivo; alérgico a penicilina').
ALTER TABLE pets ADD COLUMN alerts TEXT;
-- Day of death (aaaa-mm-dd); no reminders after it.
ALTER TABLE pets ADD COLUMN deceased_on TEXT;
ALTER TABLE pets ADD COLUMN merged_into TEXT;

-- Every change of a pet's owner, so the history is kept.
CREATE TABLE pet_owner_changes (
    id             TEXT PRIMARY KEY,
    pet_id         TEXT NOT NULL,
    from_owner_id  TEXT NOT NULL,
    to_owner_id    TEXT NOT NULL,
    sede_id        TEXT NOT NULL,
    user_id        TEXT,
    at             TEXT NOT NULL
);
CREATE INDEX pet_owner_changes_pet ON pet_owner_changes(pet_id);

-- Weight history in whole grams.
CREATE TABLE pet_weights (
    id           TEXT PRIMARY KEY,
    pet_id       TEXT NOT NULL,
    grams        INTEGER NOT NULL CHECK (grams > 0),
    measured_at  TEXT NOT NULL,
    sede_id      TEXT NOT NULL,
    user_id      TEXT,
    source_id    TEXT
);
CREATE INDEX pet_weights_pet ON pet_weights(pet_id, measured_at);

-- A consultation, written and signed by one vet. It may be edited by its author until 24 h after
-- signing; then it is locked and corrections are addenda.
CREATE TABLE consultations (
    id              TEXT PRIMARY KEY,
    pet_id          TEXT NOT NULL,
    sede_id         TEXT NOT NULL,
    vet_id          TEXT NOT NULL,
    seen_at         TEXT NOT NULL,
    reason          TEXT NOT NULL,
    anamnesis       TEXT,
    weight_grams    INTEGER CHECK (weight_grams IS NULL OR weight_grams > 0),
    temperature_dc  INTEGER,
    heart_rate      INTEGER,
    resp_rate       INTEGER,
    mucous          TEXT,
    crt_seconds     INTEGER,
    body_condition  INTEGER,
    dx_presumptive  TEXT,
    dx_definitive   TEXT,
    plan            TEXT,
    signed_at       TEXT,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE INDEX consultations_pet ON consultations(pet_id, seen_at);

CREATE TABLE consultation_addenda (
    id               TEXT PRIMARY KEY,
    consultation_id  TEXT NOT NULL,
    sede_id          TEXT NOT NULL,
    author_id        TEXT NOT NULL,
    text             TEXT NOT NULL,
    created_at       TEXT NOT NULL
);
CREATE INDEX consultation_addenda_consultation ON consultation_addenda(consultation_id, created_at);

-- Vaccinations and dewormings.
CREATE TABLE vaccinations (
    id           TEXT PRIMARY KEY,
    pet_id       TEXT NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('vacuna', 'desparasitacion')),
    product      TEXT NOT NULL,
    lot          TEXT NOT NULL,
    expiry       TEXT NOT NULL,
    applied_on   TEXT NOT NULL,
    next_due     TEXT,
    sede_id      TEXT NOT NULL,
    vet_id       TEXT NOT NULL,
    created_at   TEXT NOT NULL
);
CREATE INDEX vaccinations_pet ON vaccinations(pet_id, applied_on);
CREATE INDEX vaccinations_due ON vaccinations(next_due);

CREATE TABLE prescriptions (
    id               TEXT PRIMARY KEY,
    pet_id           TEXT NOT NULL,
    consultation_id  TEXT,
    sede_id          TEXT NOT NULL,
    vet_id           TEXT NOT NULL,
    created_at       TEXT NOT NULL
);
CREATE INDEX prescriptions_pet ON prescriptions(pet_id, created_at);

CREATE TABLE prescription_items (
    id               TEXT PRIMARY KEY,
    prescription_id  TEXT NOT NULL,
    position         INTEGER NOT NULL,
    drug             TEXT NOT NULL,
    dose             TEXT NOT NULL,
    frequency        TEXT NOT NULL,
    duration         TEXT NOT NULL,
    instructions     TEXT
);
CREATE INDEX prescription_items_prescription ON prescription_items(prescription_id, position);

-- Lab results, images: a path on the sede's file server.
CREATE TABLE attachments (
    id           TEXT PRIMARY KEY,
    pet_id       TEXT NOT NULL,
    path         TEXT NOT NULL,
    description  TEXT NOT NULL,
    sede_id      TEXT NOT NULL,
    user_id      TEXT NOT NULL,
    created_at   TEXT NOT NULL
);
CREATE INDEX attachments_pet ON attachments(pet_id, created_at);

-- A supervisor's merge of two owners or two pets: `merged_id` now lives on as `kept_id`.
CREATE TABLE patient_merges (
    id         TEXT PRIMARY KEY,
    kind       TEXT NOT NULL CHECK (kind IN ('owner', 'pet')),
    kept_id    TEXT NOT NULL,
    merged_id  TEXT NOT NULL,
    sede_id    TEXT NOT NULL,
    user_id    TEXT NOT NULL,
    at         TEXT NOT NULL
);

-- Append-only rules. Changes applied from central (sync_ctx set) are not checked here: they were
-- checked where they were written.
CREATE TRIGGER consultations_no_delete BEFORE DELETE ON consultations WHEN NOT EXISTS (SELECT 1 FROM sync_ctx)
BEGIN SELECT RAISE(ABORT, 'La historia clínica no se borra: registre una adenda'); END;

-- A signed consultation keeps its author, pet, sede and signature; its text may change only until
-- 24 h after signing. "Now" is the transaction's clock tick (the app's clock), or SQLite's clock
-- for a write from outside the app.
CREATE TRIGGER consultations_lock BEFORE UPDATE ON consultations
WHEN NOT EXISTS (SELECT 1 FROM sync_ctx) AND OLD.signed_at IS NOT NULL AND (
    NEW.signed_at IS NOT OLD.signed_at OR NEW.vet_id IS NOT OLD.vet_id OR NEW.pet_id IS NOT OLD.pet_id
    OR NEW.sede_id IS NOT OLD.sede_id OR NEW.created_at IS NOT OLD.created_at
    OR (SELECT CASE WHEN app_tx = 1 THEN hlc >> 16
                    ELSE max(hlc >> 16, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)) END
        FROM sync_state WHERE id = 1)
       >= CAST((julianday(OLD.signed_at) - 2440587.5) * 86400000 AS INTEGER) + 86400000)
BEGIN SELECT RAISE(ABORT, 'Consulta firmada y bloqueada (más de 24 h): solo se admiten adendas'); END;

CREATE TRIGGER consultation_addenda_no_update BEFORE UPDATE ON consultation_addenda WHEN NOT EXISTS (SELECT 1 FROM sync_ctx)
BEGIN SELECT RAISE(ABORT, 'Las adendas no se modifican'); END;
CREATE TRIGGER consultation_addenda_no_delete BEFORE DELETE ON consultation_addenda WHEN NOT EXISTS (SELECT 1 FROM sync_ctx)
BEGIN SELECT RAISE(ABORT, 'Las adendas no se borran'); END;
CREATE TRIGGER vaccinations_no_update BEFORE UPDATE ON vaccinations WHEN NOT EXISTS (SELECT 1 FROM sync_ctx)
BEGIN SELECT RAISE(ABORT, 'Una vacuna o desparasitación registrada no se modifica'); END;
CREATE TRIGGER vaccinations_no_delete BEFORE DELETE ON vaccinations WHEN NOT EXISTS (SELECT 1 FROM sync_ctx)
BEGIN SELECT RAISE(ABORT, 'Una vacuna o desparasitación registrada no se borra'); END;
CREATE TRIGGER prescriptions_no_update BEFORE UPDATE ON prescriptions WHEN NOT EXISTS (SELECT 1 FROM sync_ctx)
BEGIN SELECT RAISE(ABORT, 'Una receta emitida no se modifica'); END;
CREATE TRIGGER prescriptions_no_delete BEFORE DELETE ON prescriptions WHEN NOT EXISTS (SELECT 1 FROM sync_ctx)
BEGIN SELECT RAISE(ABORT, 'Una receta emitida no se borra'); END;
CREATE TRIGGER prescription_items_no_update BEFORE UPDATE ON prescription_items WHEN NOT EXISTS (SELECT 1 FROM sync_ctx)
BEGIN SELECT RAISE(ABORT, 'Una receta emitida no se modifica'); END;
CREATE TRIGGER prescription_items_no_delete BEFORE DELETE ON prescription_items WHEN NOT EXISTS (SELECT 1 FROM sync_ctx)
BEGIN SELECT RAISE(ABORT, 'Una receta emitida no se borra'); END;
CREATE TRIGGER attachments_no_update BEFORE UPDATE ON attachments WHEN NOT EXISTS (SELECT 1 FROM sync_ctx)
BEGIN SELECT RAISE(ABORT, 'Un adjunto registrado no se modifica'); END;
CREATE TRIGGER attachments_no_delete BEFORE DELETE ON attachments WHEN NOT EXISTS (SELECT 1 FROM sync_ctx)
BEGIN SELECT RAISE(ABORT, 'Un adjunto registrado no se borra'); END;
CREATE TRIGGER pet_weights_no_update BEFORE UPDATE ON pet_weights WHEN NOT EXISTS (SELECT 1 FROM sync_ctx)
BEGIN SELECT RAISE(ABORT, 'Un peso registrado no se modifica'); END;
CREATE TRIGGER pet_weights_no_delete BEFORE DELETE ON pet_weights WHEN NOT EXISTS (SELECT 1 FROM sync_ctx)
BEGIN SELECT RAISE(ABORT, 'Un peso registrado no se borra'); END;

-- Digits typed in the search (document, phone, microchip prefixes) are looked up in these indexes.
CREATE INDEX owners_doc_number ON owners(doc_number);
CREATE INDEX owners_phone ON owners(phone);
CREATE INDEX owners_phone2 ON owners(phone2);

-- Search: one FTS row per active pet (pet name, owner names, document, phones, microchip) and one
-- per owner without active pets. `patient_search_ids` gives each row a stable rowid.
CREATE TABLE patient_search_ids (
    rid       INTEGER PRIMARY KEY,
    pet_id    TEXT UNIQUE,
    owner_id  TEXT UNIQUE
);
CREATE VIRTUAL TABLE patient_search USING fts5(
    pet, owner, doc, phone, chip,
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '1 2 3'
);

-- Pets.
CREATE TRIGGER patient_search_pet_ins AFTER INSERT ON pets WHEN NEW.merged_into IS NULL
BEGIN
    INSERT INTO patient_search_ids (pet_id) VALUES (NEW.id);
    INSERT INTO patient_search (rowid, pet, owner, doc, phone, chip)
        SELECT (SELECT rid FROM patient_search_ids WHERE pet_id = NEW.id), NEW.name,
               o.first_names || ' ' || o.last_names, o.doc_number,
               coalesce(o.phone, '') || ' ' || coalesce(o.phone2, ''), NEW.microchip
        FROM (SELECT 1) LEFT JOIN owners o ON o.id = NEW.owner_id;
    DELETE FROM patient_search WHERE rowid = (SELECT rid FROM patient_search_ids WHERE owner_id = NEW.owner_id);
    DELETE FROM patient_search_ids WHERE owner_id = NEW.owner_id;
END;

CREATE TRIGGER patient_search_pet_upd AFTER UPDATE OF name, owner_id, microchip, merged_into ON pets
BEGIN
    DELETE FROM patient_search WHERE rowid = (SELECT rid FROM patient_search_ids WHERE pet_id = OLD.id);
    DELETE FROM patient_search_ids WHERE pet_id = OLD.id;
    INSERT INTO patient_search_ids (pet_id) SELECT NEW.id WHERE NEW.merged_into IS NULL;
    INSERT INTO patient_search (rowid, pet, owner, doc, phone, chip)
        SELECT (SELECT rid FROM patient_search_ids WHERE pet_id = NEW.id), NEW.name,
               o.first_names || ' ' || o.last_names, o.doc_number,
               coalesce(o.phone, '') || ' ' || coalesce(o.phone2, ''), NEW.microchip
        FROM (SELECT 1) LEFT JOIN owners o ON o.id = NEW.owner_id
        WHERE NEW.merged_into IS NULL;
    -- The new owner now has a pet; the old one may have none left.
    DELETE FROM patient_search WHERE NEW.merged_into IS NULL
        AND rowid = (SELECT rid FROM patient_search_ids WHERE owner_id = NEW.owner_id);
    DELETE FROM patient_search_ids WHERE NEW.merged_into IS NULL AND owner_id = NEW.owner_id;
    INSERT INTO patient_search_ids (owner_id)
        SELECT o.id FROM owners o
        WHERE o.id = OLD.owner_id AND o.merged_into IS NULL
          AND NOT EXISTS (SELECT 1 FROM pets p WHERE p.owner_id = o.id AND p.merged_into IS NULL)
          AND NOT EXISTS (SELECT 1 FROM patient_search_ids WHERE owner_id = o.id);
    INSERT INTO patient_search (rowid, pet, owner, doc, phone, chip)
        SELECT i.rid, '', o.first_names || ' ' || o.last_names, o.doc_number,
               coalesce(o.phone, '') || ' ' || coalesce(o.phone2, ''), ''
        FROM patient_search_ids i JOIN owners o ON o.id = i.owner_id
        WHERE i.owner_id = OLD.owner_id AND NOT EXISTS (SELECT 1 FROM patient_search WHERE rowid = i.rid);
END;

CREATE TRIGGER patient_search_pet_del AFTER DELETE ON pets
BEGIN
    DELETE FROM patient_search WHERE rowid = (SELECT rid FROM patient_search_ids WHERE pet_id = OLD.id);
    DELETE FROM patient_search_ids WHERE pet_id = OLD.id;
END;

-- Owners.
CREATE TRIGGER patient_search_owner_ins AFTER INSERT ON owners WHEN NEW.merged_into IS NULL
BEGIN
    UPDATE patient_search SET owner = NEW.first_names || ' ' || NEW.last_names, doc = NEW.doc_number,
                              phone = coalesce(NEW.phone, '') || ' ' || coalesce(NEW.phone2, '')
        WHERE rowid IN (SELECT i.rid FROM pets p JOIN patient_search_ids i ON i.pet_id = p.id WHERE p.owner_id = NEW.id);
    INSERT INTO patient_search_ids (owner_id)
        SELECT NEW.id WHERE NOT EXISTS (SELECT 1 FROM pets p WHERE p.owner_id = NEW.id AND p.merged_into IS NULL);
    INSERT INTO patient_search (rowid, pet, owner, doc, phone, chip)
        SELECT i.rid, '', NEW.first_names || ' ' || NEW.last_names, NEW.doc_number,
               coalesce(NEW.phone, '') || ' ' || coalesce(NEW.phone2, ''), ''
        FROM patient_search_ids i WHERE i.owner_id = NEW.id;
END;

CREATE TRIGGER patient_search_owner_upd AFTER UPDATE OF first_names, last_names, doc_number, phone, phone2, merged_into ON owners
BEGIN
    UPDATE patient_search SET owner = NEW.first_names || ' ' || NEW.last_names, doc = NEW.doc_number,
                              phone = coalesce(NEW.phone, '') || ' ' || coalesce(NEW.phone2, '')
        WHERE rowid IN (SELECT i.rid FROM pets p JOIN patient_search_ids i ON i.pet_id = p.id WHERE p.owner_id = NEW.id);
    DELETE FROM patient_search WHERE rowid = (SELECT rid FROM patient_search_ids WHERE owner_id = NEW.id);
    DELETE FROM patient_search_ids WHERE owner_id = NEW.id;
    INSERT INTO patient_search_ids (owner_id)
        SELECT NEW.id WHERE NEW.merged_into IS NULL
            AND NOT EXISTS (SELECT 1 FROM pets p WHERE p.owner_id = NEW.id AND p.merged_into IS NULL);
    INSERT INTO patient_search (rowid, pet, owner, doc, phone, chip)
        SELECT i.rid, '', NEW.first_names || ' ' || NEW.last_names, NEW.doc_number,
               coalesce(NEW.phone, '') || ' ' || coalesce(NEW.phone2, ''), ''
        FROM patient_search_ids i WHERE i.owner_id = NEW.id;
END;

CREATE TRIGGER patient_search_owner_del AFTER DELETE ON owners
BEGIN
    DELETE FROM patient_search WHERE rowid = (SELECT rid FROM patient_search_ids WHERE owner_id = OLD.id);
    DELETE FROM patient_search_ids WHERE owner_id = OLD.id;
END;

-- Rows that existed before this migration.
INSERT INTO patient_search_ids (pet_id) SELECT id FROM pets;
INSERT INTO patient_search (rowid, pet, owner, doc, phone, chip)
    SELECT i.rid, p.name, o.first_names || ' ' || o.last_names, o.doc_number,
           coalesce(o.phone, '') || ' ' || coalesce(o.phone2, ''), p.microchip
    FROM patient_search_ids i JOIN pets p ON p.id = i.pet_id LEFT JOIN owners o ON o.id = p.owner_id;
INSERT INTO patient_search_ids (owner_id)
    SELECT o.id FROM owners o WHERE NOT EXISTS (SELECT 1 FROM pets p WHERE p.owner_id = o.id);
INSERT INTO patient_search (rowid, pet, owner, doc, phone, chip)
    SELECT i.rid, '', o.first_names || ' ' || o.last_names, o.doc_number, coalesce(o.phone, '') || ' ' || coalesce(o.phone2, ''), ''
    FROM patient_search_ids i JOIN owners o ON o.id = i.owner_id;

INSERT INTO synced_tables (name, data_class) VALUES
    ('pet_owner_changes', 'shared'),
    ('pet_weights', 'shared'),
    ('consultations', 'shared'),
    ('consultation_addenda', 'shared'),
    ('vaccinations', 'shared'),
    ('prescriptions', 'shared'),
    ('prescription_items', 'shared'),
    ('attachments', 'shared'),
    ('patient_merges', 'shared');
