-- Wake the outbox relay as soon as publication intents commit, instead of making it poll.
-- One notification per statement (and PostgreSQL folds repeats within a transaction).
CREATE OR REPLACE FUNCTION goodfaith_outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('goodfaith_outbox', '');
    RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS outbox_notify ON outbox;
CREATE TRIGGER outbox_notify AFTER INSERT ON outbox
    FOR EACH STATEMENT EXECUTE FUNCTION goodfaith_outbox_notify();
