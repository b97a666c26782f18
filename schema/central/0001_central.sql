-- VetDesk central, migration 0001: sedes and their tokens, users and roles, the change log.
-- Files named NNNN_*.sql run on both SQLite and PostgreSQL; NNNN_*.sqlite.sql and
-- NNNN_*.postgres.sql only on that dialect. This one is written in the subset both accept.

-- One row: the last central sequence number given out. Pushes take it under lock, which keeps
-- cseq gapless and visible in order (a reader never sees N+1 before N).
CREATE TABLE central_state (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    last_cseq  BIGINT NOT NULL DEFAULT 0,
    last_hlc   BIGINT NOT NULL DEFAULT 0
);
INSERT INTO central_state (id, last_cseq, last_hlc) VALUES (1, 0, 0);

-- Which class each synced table is in (DESIGN.md §3). A table central does not list takes the
-- class the sede declares, except that a sede can never write central data.
CREATE TABLE data_classes (
    tbl         TEXT PRIMARY KEY,
    data_class  TEXT NOT NULL CHECK (data_class IN ('shared', 'sede', 'central'))
);
INSERT INTO data_classes (tbl, data_class) VALUES
    ('sedes', 'central'), ('users', 'central'), ('user_roles', 'central'),
    ('login_events', 'sede'), ('owners', 'shared'), ('pets', 'shared');

CREATE TABLE sedes (
    id          TEXT PRIMARY KEY,
    code        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL DEFAULT 'clinica',
    district    TEXT,
    address     TEXT,
    phone       TEXT,
    active      INTEGER NOT NULL DEFAULT 1,
    created_at  TEXT NOT NULL
);

-- Only the SHA-256 of a sede's token is kept.
CREATE TABLE sede_tokens (
    sede_id     TEXT PRIMARY KEY REFERENCES sedes(id),
    token_hash  TEXT NOT NULL UNIQUE,
    created_at  TEXT NOT NULL,
    revoked_at  TEXT
);

CREATE TABLE users (
    id          TEXT PRIMARY KEY,
    username    TEXT NOT NULL UNIQUE,
    full_name   TEXT NOT NULL,
    pass_hash   TEXT NOT NULL,
    active      INTEGER NOT NULL DEFAULT 1,
    created_at  TEXT NOT NULL
);

CREATE TABLE user_roles (
    id       TEXT PRIMARY KEY,
    user_id  TEXT NOT NULL REFERENCES users(id),
    sede_id  TEXT NOT NULL REFERENCES sedes(id),
    role     TEXT NOT NULL,
    UNIQUE (user_id, sede_id, role)
);

-- What central holds of each sede's journal, per epoch (a restored sede starts a new epoch).
CREATE TABLE sede_epochs (
    sede_id        TEXT NOT NULL REFERENCES sedes(id),
    epoch          TEXT NOT NULL,
    acked_through  BIGINT NOT NULL,
    started_at     TEXT NOT NULL,
    PRIMARY KEY (sede_id, epoch)
);

-- The change log every sede pulls from, in cseq order.
CREATE TABLE changes (
    cseq          BIGINT PRIMARY KEY,
    origin        TEXT,
    origin_epoch  TEXT,
    origin_seq    BIGINT,
    tx_id         BIGINT NOT NULL,
    hlc           BIGINT NOT NULL,
    tbl           TEXT NOT NULL,
    row_id        TEXT NOT NULL,
    op            TEXT NOT NULL,
    cols          TEXT,
    user_id       TEXT,
    data_class    TEXT NOT NULL,
    owner_sede    TEXT,
    addressed_to  TEXT,
    received_at   TEXT NOT NULL
);
CREATE UNIQUE INDEX changes_origin ON changes (origin, origin_epoch, origin_seq);

-- Owner (and addressee) of every sede-owned row central has seen.
CREATE TABLE row_owners (
    tbl           TEXT NOT NULL,
    row_id        TEXT NOT NULL,
    owner_sede    TEXT NOT NULL,
    addressed_to  TEXT,
    PRIMARY KEY (tbl, row_id)
);

-- Journal entries central refused, as received.
CREATE TABLE push_rejects (
    origin        TEXT NOT NULL,
    origin_epoch  TEXT NOT NULL,
    origin_seq    BIGINT NOT NULL,
    hlc           BIGINT NOT NULL,
    tbl           TEXT NOT NULL,
    row_id        TEXT NOT NULL,
    status        INTEGER NOT NULL,
    code          TEXT NOT NULL,
    message       TEXT NOT NULL,
    entry         TEXT NOT NULL,
    at            TEXT NOT NULL,
    PRIMARY KEY (origin, origin_epoch, origin_seq)
);
