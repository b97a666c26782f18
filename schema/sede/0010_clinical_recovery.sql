-- VetDesk sede store, migration 0010: consultations being typed, kept until they are signed, saved
-- as a draft or discarded (issue 10).
--
-- A closed window, a dropped SSH session, a kill or another user taking over a locked terminal
-- must not lose what a vet typed. The form writes what it holds here every few seconds and on every
-- way out the program can see; the author gets it back at the next sign-in. Local to this sede's
-- terminals: not in `synced_tables`, so never journaled nor sent to the central.
CREATE TABLE clinical_recovery (
    id              TEXT PRIMARY KEY,          -- the form's own id, kept while it is restored
    user_id         TEXT NOT NULL,
    pet_id          TEXT NOT NULL,
    consultation_id TEXT,                      -- the draft or consultation being finished or corrected
    fields          TEXT NOT NULL,             -- JSON object: what each field of the form held
    saved_at        TEXT NOT NULL              -- UTC ISO-8601
);
CREATE INDEX clinical_recovery_by_user ON clinical_recovery (user_id, saved_at);
