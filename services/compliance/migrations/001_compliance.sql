-- Compliance read models. Every row carries its tenant and every query filters by it. They are
-- written in the same transaction as the events they describe, so they never drift.
-- No personal data here: endpoints, content and contexts live only sealed in the person streams.

CREATE TABLE IF NOT EXISTS compliance_persons (
    tenant       text        NOT NULL,
    person_id    text        NOT NULL,
    has_profile  boolean     NOT NULL DEFAULT false,
    version      integer     NOT NULL,
    updated_at   timestamptz NOT NULL,
    PRIMARY KEY (tenant, person_id)
);

CREATE TABLE IF NOT EXISTS compliance_decisions (
    decision_id     text        PRIMARY KEY,
    tenant          text        NOT NULL,
    person_id       text        NOT NULL,
    request_id      text        NOT NULL,
    stream_id       text        NOT NULL,
    stream_version  integer     NOT NULL,
    source          text        NOT NULL,
    outcome         text        NOT NULL,
    pack_version    text        NOT NULL,
    approval_id     text,
    decided_at      timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS compliance_decisions_person
    ON compliance_decisions (tenant, person_id, decided_at);

CREATE TABLE IF NOT EXISTS compliance_violations (
    violation_id    text        PRIMARY KEY,
    tenant          text        NOT NULL,
    person_id       text        NOT NULL,
    attempt_id      text        NOT NULL,
    approval_id     text,
    reason          text        NOT NULL,
    channel         text        NOT NULL,
    attempted_at    timestamptz NOT NULL,
    recorded_at     timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS compliance_violations_page
    ON compliance_violations (tenant, recorded_at, violation_id);
