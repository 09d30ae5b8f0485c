-- Erasure reaches dead letters (goodfaith_runtime.deadletters): the relay names the person whose
-- key sealed a public event's personal fields (outbox.sealed_for, a pseudonymous keyring id) in
-- the message's `goodfaith_data_subject` header, as it publishes those fields opened; a consumer
-- that dead-letters the message keeps the id here. Erasing the person purges the body of every
-- open dead letter about them, in the erasure's transaction: resolved 'erased' by 'erasure', the
-- reason, headers and body_sha256 kept. Rows stored before have no subject (NULL): erasure does
-- not find them. No tenant column: the message's tenant is already in `headers` (ce_tenant, as
-- received), and the purge goes by the subject alone (see deadletters.purge_subject).
ALTER TABLE dead_letters ADD COLUMN IF NOT EXISTS subject text;

ALTER TABLE dead_letters DROP CONSTRAINT IF EXISTS dead_letters_resolution_check;
ALTER TABLE dead_letters ADD CONSTRAINT dead_letters_resolution_check
    CHECK (resolution IN ('requeuing', 'requeued', 'discarded', 'erased'));

-- What the purge looks up: open dead letters by subject. A hash index, because the subject is
-- a header as received and may be of any length (a B-tree entry over ~2.7 kB would fail the
-- insert, and the consumer would retry that message forever), and equality is all it needs.
-- Hash indexes leave NULLs out, so rows without a subject cost nothing.
CREATE INDEX IF NOT EXISTS dead_letters_open_subject ON dead_letters USING hash (subject)
    WHERE resolved_at IS NULL;
