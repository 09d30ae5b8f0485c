-- Ledger read models. Every row carries its tenant and every query filters by it. They are
-- rebuilt from the event streams in the same transaction as each append, so they never drift.
-- No personal data here: names and contact points live only encrypted in the debtor stream.

CREATE TABLE IF NOT EXISTS ledger_debtors (
    tenant      text        NOT NULL,
    debtor_id   text        NOT NULL,
    country     text        NOT NULL,
    region      text,
    language    text        NOT NULL,
    erased      boolean     NOT NULL DEFAULT false,
    version     integer     NOT NULL,
    created_at  timestamptz NOT NULL,
    PRIMARY KEY (tenant, debtor_id)
);

CREATE TABLE IF NOT EXISTS ledger_debts (
    tenant             text        NOT NULL,
    debt_id            text        NOT NULL,
    debtor_id          text        NOT NULL,
    original_creditor  text        NOT NULL,
    account_last4      text        NOT NULL,
    debt_type          text        NOT NULL,
    purpose            text        NOT NULL,
    currency           text        NOT NULL,
    governing_state    text,
    time_zone          text,
    charge_off_date    date,
    last_payment_date  date,
    accrual_dates      date[]      NOT NULL DEFAULT '{}',
    itemization        jsonb,
    status             text        NOT NULL,
    principal          bigint      NOT NULL DEFAULT 0,
    interest           bigint      NOT NULL DEFAULT 0,
    fees               bigint      NOT NULL DEFAULT 0,
    total              bigint      NOT NULL DEFAULT 0,
    disputed           bigint      NOT NULL DEFAULT 0,
    credit             bigint      NOT NULL DEFAULT 0,
    placed_with        text,
    settlement         jsonb,
    open_disputes      integer     NOT NULL DEFAULT 0,
    -- The earliest instant any of the debt's invoices reaches its next overdue milestone, in
    -- the debt's own calendar; NULL when nothing more can fall due. The sweeper's queue.
    next_milestone_at  timestamptz,
    version            integer     NOT NULL,
    opened_at          timestamptz NOT NULL,
    PRIMARY KEY (tenant, debt_id)
);
CREATE INDEX IF NOT EXISTS ledger_debts_debtor ON ledger_debts (tenant, debtor_id);
CREATE INDEX IF NOT EXISTS ledger_debts_due ON ledger_debts (next_milestone_at)
    WHERE next_milestone_at IS NOT NULL;

CREATE TABLE IF NOT EXISTS ledger_invoices (
    tenant              text    NOT NULL,
    debt_id             text    NOT NULL,
    invoice_id          text    NOT NULL,
    currency            text    NOT NULL,
    issued_on           date    NOT NULL,
    due_on              date    NOT NULL,
    invoiced            bigint  NOT NULL,
    principal           bigint  NOT NULL,
    interest            bigint  NOT NULL,
    fees                bigint  NOT NULL,
    outstanding         bigint  NOT NULL,
    schedule_id         text,
    instalment_number   integer,
    instalment_count    integer,
    milestones_reached  integer[] NOT NULL DEFAULT '{}',
    next_milestone_days integer,
    next_milestone_at   timestamptz,
    PRIMARY KEY (tenant, debt_id, invoice_id)
);
CREATE INDEX IF NOT EXISTS ledger_invoices_open ON ledger_invoices (tenant, due_on)
    WHERE outstanding > 0;

-- PaymentReceived messages the ledger could not apply: kept with the reason, never dropped.
CREATE TABLE IF NOT EXISTS ledger_parked_payments (
    tenant       text        NOT NULL,
    payment_id   text        NOT NULL,
    debt_id      text        NOT NULL,
    debtor_id    text,
    amount_minor bigint      NOT NULL,
    currency     text        NOT NULL,
    received_at  timestamptz NOT NULL,
    reason       text        NOT NULL,
    detail       text        NOT NULL,
    event_id     uuid        NOT NULL,
    attempts     integer     NOT NULL DEFAULT 1,
    parked_at    timestamptz NOT NULL,
    PRIMARY KEY (tenant, payment_id)
);
