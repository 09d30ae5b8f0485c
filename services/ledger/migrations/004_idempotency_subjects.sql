-- Stored Idempotency-Key answers from before the runtime's migration 009 have no subject, so an
-- erasure would not find them. The ledger's debtor view (entrypoints/presenters.DebtorView, the
-- one answer holding names and contact points) is recognised by its shape, and gets the
-- debtor's keyring id (adapters/streams.person_id: '<tenant>/<debtor_id>') as its subject.
-- Those about a debtor erased already are purged as the erasure would have (JSON null).
UPDATE idempotency_keys
SET subject = tenant || '/' || (response->>'debtor_id')
WHERE subject IS NULL AND jsonb_typeof(response) = 'object'
  AND response ? 'debtor_id' AND response ? 'given_name' AND response ? 'family_name';

UPDATE idempotency_keys SET response = 'null'::jsonb
WHERE subject IN (SELECT person_id FROM erased_persons) AND response <> 'null'::jsonb;
