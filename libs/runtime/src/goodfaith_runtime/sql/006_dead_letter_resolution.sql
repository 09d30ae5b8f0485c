-- A dead letter is resolved by an operator: requeued to its topic (to be applied again once the
-- cause is fixed) or discarded, with who and why (goodfaith_runtime.deadletters). Either way
-- its body, which can hold personal data in clear, is purged; its SHA-256, kept from the
-- start, still proves what it was. Key and headers are kept exactly as received so a requeued
-- message is the same message, on the same partition.
ALTER TABLE dead_letters
    ADD COLUMN IF NOT EXISTS key         bytea,
    ADD COLUMN IF NOT EXISTS raw_headers jsonb,  -- [[name, base64 value or null], ...] in order
    ADD COLUMN IF NOT EXISTS body_sha256 bytea,
    ADD COLUMN IF NOT EXISTS resolution  text
        CHECK (resolution IN ('requeuing', 'requeued', 'discarded')),
    ADD COLUMN IF NOT EXISTS resolved_by text,
    ADD COLUMN IF NOT EXISTS resolved_at timestamptz,
    ADD COLUMN IF NOT EXISTS note        text;

CREATE INDEX IF NOT EXISTS dead_letters_open ON dead_letters (consumer, id)
    WHERE resolved_at IS NULL;
