-- goodfaith runtime schema: event store, outbox, inbox, dead letters, person keys.
-- Every service database gets this schema; services add their own projections after it.

CREATE TABLE IF NOT EXISTS events (
    global_position bigserial NOT NULL,
    -- The writing transaction's id. Readers of the whole log only read below the oldest running
    -- transaction (pg_snapshot_xmin) and page by (txid, position), so a late commit is never
    -- skipped the way a bigserial cursor alone would skip it.
    txid            xid8        NOT NULL DEFAULT pg_current_xact_id(),
    event_id        uuid        NOT NULL,
    stream_id       text        NOT NULL,
    stream_version  integer     NOT NULL,
    type            text        NOT NULL,
    schema_version  integer     NOT NULL,
    -- json, not jsonb: the exact canonical text that was hashed is what is stored, and the log
    -- is written far more often than it is searched (projections serve the queries).
    payload         json        NOT NULL,
    metadata        json        NOT NULL,
    tenant          text        NOT NULL,
    recorded_at     timestamptz NOT NULL,
    prev_hash       bytea       NOT NULL,
    hash            bytea       NOT NULL,
    -- Versions, hash lengths and links are computed by the store and checked end to end by
    -- verify(); the database keeps the checks that stop a forged history: the genesis link
    -- here, the predecessor link in the trigger below. (Per-row CHECKs cost ~15% of insert
    -- throughput in bench/bench_event_store.py.)
    -- The first event of a stream links to the genesis hash (32 zero bytes).
    CONSTRAINT events_genesis CHECK (stream_version > 1 OR prev_hash = '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea),
    -- The optimistic concurrency check: two writers cannot both create version n of a stream.
    PRIMARY KEY (stream_id, stream_version)
);
CREATE UNIQUE INDEX IF NOT EXISTS events_event_id ON events (event_id);
CREATE INDEX IF NOT EXISTS events_log_order ON events (txid, global_position);

-- The log is append-only in the database itself, whoever connects.
CREATE OR REPLACE FUNCTION goodfaith_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the event log is append-only: % on % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'GF010';
END $$;

-- Each event must link to the hash of the previous version of its stream, so a gap or a
-- forged link cannot be written even by a buggy or hostile writer.
CREATE OR REPLACE FUNCTION goodfaith_check_link() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    previous bytea;
BEGIN
    SELECT hash INTO previous FROM events
        WHERE stream_id = NEW.stream_id AND stream_version = NEW.stream_version - 1;
    IF previous IS NULL THEN
        RAISE EXCEPTION 'stream % has no version %', NEW.stream_id, NEW.stream_version - 1
            USING ERRCODE = 'GF001';
    END IF;
    IF previous <> NEW.prev_hash THEN
        RAISE EXCEPTION 'event % of % does not link to its predecessor', NEW.stream_version,
            NEW.stream_id USING ERRCODE = 'GF002';
    END IF;
    RETURN NEW;
END $$;

DROP TRIGGER IF EXISTS events_append_only ON events;
CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION goodfaith_refuse_change();
DROP TRIGGER IF EXISTS events_no_truncate ON events;
CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events
    FOR EACH STATEMENT EXECUTE FUNCTION goodfaith_refuse_change();
DROP TRIGGER IF EXISTS events_link ON events;
-- Version 1 needs no lookup (the events_genesis check covers it), so the trigger only fires
-- for later versions: creating streams stays as cheap as a plain insert.
CREATE TRIGGER events_link BEFORE INSERT ON events
    FOR EACH ROW WHEN (NEW.stream_version > 1) EXECUTE FUNCTION goodfaith_check_link();

-- Publication intents, written in the same transaction as their events. The relay deletes a
-- row only after the broker acknowledged it, so nothing committed is ever lost; there is no
-- cursor, so a late commit cannot be skipped.
CREATE TABLE IF NOT EXISTS outbox (
    position      bigserial   PRIMARY KEY,
    event_id      uuid        NOT NULL,
    topic         text        NOT NULL,
    partition_key text        NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT clock_timestamp()
);

-- The inbox: one row per consumed message and consumer, written in the same transaction as
-- the message's effects, so a redelivered message changes nothing.
CREATE TABLE IF NOT EXISTS processed_messages (
    consumer     text        NOT NULL,
    event_id     uuid        NOT NULL,
    topic        text        NOT NULL,
    partition    integer     NOT NULL,
    "offset"     bigint      NOT NULL,
    outcome      text        NOT NULL,
    processed_at timestamptz NOT NULL,
    PRIMARY KEY (consumer, event_id)
);

CREATE TABLE IF NOT EXISTS dead_letters (
    id           bigserial   PRIMARY KEY,
    consumer     text        NOT NULL,
    topic        text        NOT NULL,
    partition    integer     NOT NULL,
    "offset"     bigint      NOT NULL,
    event_id     text,
    event_type   text,
    reason       text        NOT NULL,
    attempts     integer     NOT NULL,
    headers      jsonb       NOT NULL,
    body         bytea,
    dead_at      timestamptz NOT NULL
);

-- Per-person data keys, wrapped by the service's key-encryption key. Deleting a row is
-- crypto-shredding: the person's encrypted fields become unreadable, the hash chains still hold.
CREATE TABLE IF NOT EXISTS person_keys (
    person_id   text        PRIMARY KEY,
    tenant      text        NOT NULL,
    wrapped_key bytea       NOT NULL,
    created_at  timestamptz NOT NULL
);
CREATE TABLE IF NOT EXISTS erased_persons (
    person_id text        PRIMARY KEY,
    tenant    text        NOT NULL,
    erased_at timestamptz NOT NULL
);
