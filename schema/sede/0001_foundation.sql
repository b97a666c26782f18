-- VetDesk sede store, migration 0001: sedes, users and roles, owners and pets,
-- and the change journal with its sync bookkeeping.
-- Primary keys are UUIDv7 text. Times are UTC ISO-8601 text. Money is integer céntimos.

-- Which tables the change journal captures, and their data class (DESIGN.md §3).
-- Journal triggers are generated from this list by VetStore after every migration.
CREATE TABLE synced_tables (
    name        TEXT PRIMARY KEY,
    data_class  TEXT NOT NULL CHECK (data_class IN ('shared', 'sede', 'central'))
) WITHOUT ROWID;

-- Local settings of this sede's store (never synced).
CREATE TABLE settings (
    key    TEXT PRIMARY KEY,
    value  TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE sedes (
    id          TEXT PRIMARY KEY,
    code        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL DEFAULT 'clinica' CHECK (kind IN ('clinica', 'almacen')),
    district    TEXT,
    address     TEXT,
    phone       TEXT,
    active      INTEGER NOT NULL DEFAULT 1,
    created_at  TEXT NOT NULL
);

CREATE TABLE users (
    id          TEXT PRIMARY KEY,
    username    TEXT NOT NULL UNIQUE COLLATE NOCASE,
    full_name   TEXT NOT NULL,
    pass_hash   TEXT NOT NULL,
    active      INTEGER NOT NULL DEFAULT 1,
    created_at  TEXT NOT NULL
);

CREATE TABLE user_roles (
    id       TEXT PRIMARY KEY,
    user_id  TEXT NOT NULL REFERENCES users(id),
    sede_id  TEXT NOT NULL REFERENCES sedes(id),
    role     TEXT NOT NULL CHECK (role IN ('recepcionista', 'veterinario', 'farmacia', 'supervisor', 'administrador')),
    UNIQUE (user_id, sede_id, role)
);

-- Append-only log of sign-ins, failures and lockouts; a user's lock is derived from it.
CREATE TABLE login_events (
    id        TEXT PRIMARY KEY,
    sede_id   TEXT NOT NULL REFERENCES sedes(id),
    user_id   TEXT NOT NULL REFERENCES users(id),
    kind      TEXT NOT NULL CHECK (kind IN ('login_ok', 'login_fail', 'locked', 'logout', 'idle_lock')),
    at        TEXT NOT NULL
);
CREATE INDEX login_events_user_at ON login_events(user_id, at);

CREATE TABLE owners (
    id           TEXT PRIMARY KEY,
    doc_type     TEXT NOT NULL CHECK (doc_type IN ('dni', 'ruc', 'ce', 'pasaporte')),
    doc_number   TEXT NOT NULL,
    first_names  TEXT NOT NULL,
    last_names   TEXT NOT NULL,
    phone        TEXT,
    email        TEXT,
    district     TEXT,
    address      TEXT,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);
CREATE INDEX owners_doc ON owners(doc_type, doc_number);

CREATE TABLE pets (
    id          TEXT PRIMARY KEY,
    owner_id    TEXT NOT NULL REFERENCES owners(id),
    name        TEXT NOT NULL,
    species     TEXT NOT NULL,
    breed       TEXT,
    sex         TEXT CHECK (sex IN ('M', 'H')),
    birth_date  TEXT,
    microchip   TEXT,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE INDEX pets_owner ON pets(owner_id);
CREATE UNIQUE INDEX pets_microchip ON pets(microchip) WHERE microchip IS NOT NULL;

-- The change journal (DESIGN.md §4). seq is gapless: SQLite has one writer and AUTOINCREMENT
-- rolls back with the transaction. cols holds the changed columns as a JSON object.
CREATE TABLE journal (
    seq      INTEGER PRIMARY KEY AUTOINCREMENT,
    tx_id    INTEGER NOT NULL,
    hlc      INTEGER NOT NULL,
    tbl      TEXT NOT NULL,
    row_id   TEXT NOT NULL,
    op       TEXT NOT NULL CHECK (op IN ('I', 'U', 'D')),
    cols     TEXT,
    user_id  TEXT
);
CREATE INDEX journal_tx ON journal(tx_id);

-- One row: the transaction counter and hybrid logical clock shared by every terminal.
-- app_tx is 1 only inside a transaction opened by VetStore's write helper, which has already
-- stamped tx_id, hlc and user_id; a write from anywhere else (the sqlite3 shell) is stamped by
-- the journal trigger itself.
CREATE TABLE sync_state (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    tx_id        INTEGER NOT NULL DEFAULT 0,
    hlc          INTEGER NOT NULL DEFAULT 0,
    user_id      TEXT,
    app_tx       INTEGER NOT NULL DEFAULT 0,
    epoch        TEXT,
    pushed_seq   INTEGER NOT NULL DEFAULT 0,
    pull_cursor  INTEGER NOT NULL DEFAULT 0,
    last_ok_at   TEXT
);
INSERT INTO sync_state (id) VALUES (1);

-- A row here, inside a transaction, means "these writes came from central": triggers skip them.
CREATE TABLE sync_ctx (
    flag  INTEGER PRIMARY KEY
);

-- Per-column last-writer-wins losers, kept so nothing is silently overwritten.
CREATE TABLE conflict_log (
    id           TEXT PRIMARY KEY,
    tbl          TEXT NOT NULL,
    row_id       TEXT NOT NULL,
    col          TEXT NOT NULL,
    kept_value   TEXT,
    kept_hlc     INTEGER NOT NULL,
    kept_sede    TEXT,
    lost_value   TEXT,
    lost_hlc     INTEGER NOT NULL,
    lost_sede    TEXT,
    at           TEXT NOT NULL
);

-- Journal entries central refused, for a supervisor to review; they never block the queue.
CREATE TABLE sync_rejects (
    id        TEXT PRIMARY KEY,
    seq       INTEGER NOT NULL,
    tbl       TEXT NOT NULL,
    row_id    TEXT NOT NULL,
    code      TEXT NOT NULL,
    message   TEXT NOT NULL,
    entry     TEXT,
    at        TEXT NOT NULL
);

INSERT INTO synced_tables (name, data_class) VALUES
    ('sedes', 'central'),
    ('users', 'central'),
    ('user_roles', 'central'),
    ('login_events', 'sede'),
    ('owners', 'shared'),
    ('pets', 'shared');
