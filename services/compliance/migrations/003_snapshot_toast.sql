-- A snapshot's state is sealed (encrypted, so incompressible) and ~6 KB for a person with some
-- history: keep it inline without the pglz attempt every upsert would otherwise pay (see the
-- runtime's 005_toast_target.sql).
ALTER TABLE compliance_snapshots SET (toast_tuple_target = 8160);
