-- Stored Idempotency-Key answers (goodfaith_runtime.http) and erasure. The table is part of the
-- runtime's schema from here on, so that every database a keyring erases in has it (services
-- created it at start, as `runtime/idempotency.sql`, which such databases keep as applied).
CREATE TABLE IF NOT EXISTS idempotency_keys (
    tenant       text        NOT NULL,
    key          text        NOT NULL,
    request_hash bytea       NOT NULL,
    status       integer     NOT NULL,
    response     jsonb       NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant, key)
);

-- The keyring person id whose personal data the stored answer shows, or NULL (an answer with
-- none). Erasing the person (PersonKeyring.erase) sets the answer to JSON null in the erasure's
-- transaction; the row stays, so the key still means "done" and the request never runs twice.
-- Rows stored before have no subject: erasure does not find them.
ALTER TABLE idempotency_keys ADD COLUMN IF NOT EXISTS subject text;

-- What the purge looks up. A hash index, as for dead letters: equality is all the purge needs,
-- and no subject's length can fail an insert (a B-tree entry over ~2.7 kB would). Hash indexes
-- leave NULLs out, so the answers about no one cost nothing.
CREATE INDEX IF NOT EXISTS idempotency_keys_subject ON idempotency_keys USING hash (subject);
