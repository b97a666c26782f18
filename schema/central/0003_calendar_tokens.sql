-- VetDesk central, migration 0003: read-only calendar subscriptions.
-- Google Calendar and Outlook subscribe to a URL and cannot send a Bearer header, so a vet's feed
-- also accepts `?token=`: a token that reads that one vet's calendar at that one sede and nothing
-- else (it is not a sede token: it cannot push or pull). Only its SHA-256 is kept.
CREATE TABLE calendar_tokens (
    token_hash  TEXT PRIMARY KEY,
    sede_id     TEXT NOT NULL REFERENCES sedes(id),
    user_id     TEXT NOT NULL REFERENCES users(id),
    created_at  TEXT NOT NULL,
    revoked_at  TEXT
);
CREATE INDEX calendar_tokens_vet ON calendar_tokens (sede_id, user_id);
