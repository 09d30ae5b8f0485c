-- The append of several events (and their publication intents) as functions, so the one
-- statement that writes them has one definition: eventstore.py calls goodfaith_append_rows for
-- a plain append of 2 to 19 events (one is a plain INSERT, 20 and more go through COPY) and
-- goodfaith_append for an isolated one.
--
-- Metadata, tenant and recorded time are the same for every event of one append: they travel
-- once as scalars, so the server parses the metadata JSON once per batch, not once per event.
CREATE OR REPLACE FUNCTION goodfaith_append_rows(
    event_ids uuid[], stream_ids text[], versions integer[], types text[],
    schema_versions integer[], payloads text[], prev_hashes bytea[], hashes bytea[],
    topics text[], partition_keys text[], key_owners text[],
    meta json, tenant_id text, recorded timestamptz
) RETURNS void LANGUAGE sql AS $$
    WITH input AS (
        SELECT * FROM unnest(event_ids, stream_ids, versions, types, schema_versions, payloads,
                             prev_hashes, hashes, topics, partition_keys, key_owners)
            AS t(event_id, stream_id, stream_version, type, schema_version, payload, prev_hash,
                 hash, topic, partition_key, key_owner)
    ), written AS (
        INSERT INTO events (event_id, stream_id, stream_version, type, schema_version, payload,
                            metadata, tenant, recorded_at, prev_hash, hash)
        SELECT event_id, stream_id, stream_version, type, schema_version, payload::json,
               meta, tenant_id, recorded, prev_hash, hash FROM input
    )
    INSERT INTO outbox (event_id, topic, partition_key, sealed_for)
    SELECT event_id, topic, partition_key, key_owner FROM input WHERE topic IS NOT NULL;
$$;

-- An append that is its own subtransaction. A command that appends at the version it read and,
-- on a conflict, reloads and decides again used to open a SAVEPOINT first (a round trip per
-- command) so that the failed INSERT did not abort its whole transaction; the exception block
-- below is that savepoint, taken inside the server. A conflict (the stream moved on, a broken
-- link, a duplicate event id) is returned as text instead of raised, and the caller's
-- transaction goes on.
CREATE OR REPLACE FUNCTION goodfaith_append(
    event_ids uuid[], stream_ids text[], versions integer[], types text[],
    schema_versions integer[], payloads text[], prev_hashes bytea[], hashes bytea[],
    topics text[], partition_keys text[], key_owners text[],
    meta json, tenant_id text, recorded timestamptz
) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    failed_constraint text;
    failure_detail text;
BEGIN
    PERFORM goodfaith_append_rows(event_ids, stream_ids, versions, types, schema_versions,
                                  payloads, prev_hashes, hashes, topics, partition_keys,
                                  key_owners, meta, tenant_id, recorded);
    RETURN NULL;
EXCEPTION WHEN unique_violation OR check_violation OR SQLSTATE 'GF001' OR SQLSTATE 'GF002' THEN
    GET STACKED DIAGNOSTICS failed_constraint = CONSTRAINT_NAME,
                            failure_detail = PG_EXCEPTION_DETAIL;
    RETURN concat_ws(' ', SQLSTATE, failed_constraint, SQLERRM, failure_detail);
END $$;
