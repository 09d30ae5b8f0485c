-- Debt details can change after opening (DebtDetailsUpdated): the projection now also keeps
-- the default date, which the limitation check reads through accrual_dates.
ALTER TABLE ledger_debts ADD COLUMN IF NOT EXISTS default_date date;

-- The settlement-deadline queue: the active settlement's deadline, NULL when none is active.
-- The settlement sweep takes rows past it with FOR UPDATE SKIP LOCKED.
ALTER TABLE ledger_debts ADD COLUMN IF NOT EXISTS settlement_deadline timestamptz;
UPDATE ledger_debts SET settlement_deadline = (settlement->>'deadline')::timestamptz
    WHERE settlement IS NOT NULL AND settlement_deadline IS NULL;
CREATE INDEX IF NOT EXISTS ledger_debts_settlement_due ON ledger_debts (settlement_deadline)
    WHERE settlement_deadline IS NOT NULL;

-- Parked payments can be retried: open until one retry applies them, then resolved (kept,
-- never deleted, so the history of what was parked and why stays visible).
ALTER TABLE ledger_parked_payments
    ADD COLUMN IF NOT EXISTS status text NOT NULL DEFAULT 'open',
    ADD COLUMN IF NOT EXISTS resolved_at timestamptz;
CREATE INDEX IF NOT EXISTS ledger_parked_payments_status
    ON ledger_parked_payments (tenant, status, payment_id);
