-- A person's append and the rows written with it, in one statement (the event store's
-- `Alongside`): the person's new snapshot with every append, and the decision's row with a
-- decision's. Each function takes goodfaith_append's fourteen arguments first, appends with
-- them (its own subtransaction: a conflict comes back as text and the caller's transaction
-- goes on), writes its rows only when the append succeeded, and returns what the append
-- returned. Before, the snapshot (and the decision row) were a second statement: one round
-- trip more for every decision.
CREATE OR REPLACE FUNCTION compliance_append(
    event_ids uuid[], stream_ids text[], versions integer[], types text[],
    schema_versions integer[], payloads text[], prev_hashes bytea[], hashes bytea[],
    topics text[], partition_keys text[], key_owners text[],
    meta json, tenant_id text, recorded timestamptz,
    snap_stream text, snap_version integer, snap_state text
) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    problem text;
BEGIN
    problem := goodfaith_append(event_ids, stream_ids, versions, types, schema_versions,
                                payloads, prev_hashes, hashes, topics, partition_keys,
                                key_owners, meta, tenant_id, recorded);
    -- No snapshot for an erased person (no key to seal it under): their state is replayed.
    IF problem IS NULL AND snap_state IS NOT NULL THEN
        INSERT INTO compliance_snapshots (stream_id, version, state)
        VALUES (snap_stream, snap_version, snap_state)
        ON CONFLICT (stream_id) DO UPDATE SET version = EXCLUDED.version, state = EXCLUDED.state
        WHERE compliance_snapshots.version < EXCLUDED.version;
    END IF;
    RETURN problem;
END $$;

CREATE OR REPLACE FUNCTION compliance_append_decision(
    event_ids uuid[], stream_ids text[], versions integer[], types text[],
    schema_versions integer[], payloads text[], prev_hashes bytea[], hashes bytea[],
    topics text[], partition_keys text[], key_owners text[],
    meta json, tenant_id text, recorded timestamptz,
    snap_stream text, snap_version integer, snap_state text,
    d_id text, d_person text, d_request text, d_version integer, d_source text,
    d_outcome text, d_pack text, d_approval text, d_at timestamptz
) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    problem text;
BEGIN
    problem := compliance_append(event_ids, stream_ids, versions, types, schema_versions,
                                 payloads, prev_hashes, hashes, topics, partition_keys,
                                 key_owners, meta, tenant_id, recorded,
                                 snap_stream, snap_version, snap_state);
    IF problem IS NULL THEN
        INSERT INTO compliance_decisions (decision_id, tenant, person_id, request_id, stream_id,
                                          stream_version, source, outcome, pack_version,
                                          approval_id, decided_at)
        VALUES (d_id, tenant_id, d_person, d_request, snap_stream, d_version, d_source,
                d_outcome, d_pack, d_approval, d_at);
    END IF;
    RETURN problem;
END $$;
