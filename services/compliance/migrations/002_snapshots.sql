-- The gate's per-person snapshot: the folded person state at one stream version, sealed whole
-- under the person's key (so erasing the key erases it too), rewritten in the transaction of
-- every append to the person's stream. Used only when its version is the stream's head version.
CREATE TABLE IF NOT EXISTS compliance_snapshots (
    stream_id  text    PRIMARY KEY,
    version    integer NOT NULL,
    state      text    NOT NULL
);

-- A retried request finds its earlier decision with one index look-up.
CREATE INDEX IF NOT EXISTS compliance_decisions_request
    ON compliance_decisions (tenant, person_id, request_id);
