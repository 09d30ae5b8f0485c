-- A public event may hold personal fields sealed under a person's key in the log (so erasing the
-- key reaches it too); `sealed_for` names that key's owner, and the relay opens the fields just
-- before publishing (or publishes "[erased]" once the key is gone).
ALTER TABLE outbox ADD COLUMN IF NOT EXISTS sealed_for text;
