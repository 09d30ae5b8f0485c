-- The latest contact attempt (outreach.ContactAttempted, topic goodfaith.contact-attempted) per
-- debtor and per debt: collection activity the ledger does not record itself, which the
-- record-retention hold on erasure reads (12 CFR 1006.100). One row per (tenant, subject);
-- `subject` is 'debtor' (the attempt's person_id) or 'debt' (each of its debt_ids). No foreign
-- key: an attempt may arrive before the ledger learns the debtor or the debt, and it must not
-- be lost. Ids and an instant only, no personal data.
CREATE TABLE IF NOT EXISTS ledger_contact_attempts (
    tenant          text        NOT NULL,
    subject         text        NOT NULL CHECK (subject IN ('debtor', 'debt')),
    subject_id      text        NOT NULL,
    last_attempt_at timestamptz NOT NULL,
    PRIMARY KEY (tenant, subject, subject_id)
);
