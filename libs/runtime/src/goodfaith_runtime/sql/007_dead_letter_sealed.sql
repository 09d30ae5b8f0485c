-- A dead letter's body is sealed at rest (goodfaith_runtime.deadletters.BodySealer): AES-GCM
-- under a key derived from the service's key-encryption key, bound to its row (consumer,
-- topic, partition, offset), so a database dump or a reader of the table sees no personal
-- data in it. Rows stored before were stored in clear and say so (false): they are read, and
-- requeued, as they are. body_sha256 stays the hash of the plain body.
ALTER TABLE dead_letters
    ADD COLUMN IF NOT EXISTS body_sealed boolean NOT NULL DEFAULT false;
