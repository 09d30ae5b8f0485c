-- goodfaith on docker-compose: one PostgreSQL 17 server, one database and two login roles per
-- service. Each service still owns its data alone: its roles can connect to its own database
-- only and have no rights anywhere else. The owner role (`ledger`, ...) owns everything in the
-- database and runs the migrations (GOODFAITH_MIGRATION_DATABASE_URL); the runtime role
-- (`ledger_runtime`, ...) is what the running service connects as (GOODFAITH_DATABASE_URL): it
-- owns nothing, and each migration grants it only what the service needs (SELECT and INSERT on
-- the event log, never UPDATE, DELETE, TRUNCATE, and no DDL), so its credentials cannot switch
-- the log's append-only triggers off. (Kubernetes gives every service its own server; see
-- deploy/README.md.)
--
-- Run once by the postgres image's entrypoint (/docker-entrypoint-initdb.d) as the superuser, on
-- an empty data directory. The passwords come from the container's environment (psql \getenv),
-- so none is written here.

\set ON_ERROR_STOP on

\getenv ledger_password LEDGER_DB_PASSWORD
\getenv ledger_runtime_password LEDGER_RUNTIME_DB_PASSWORD
\getenv outreach_password OUTREACH_DB_PASSWORD
\getenv outreach_runtime_password OUTREACH_RUNTIME_DB_PASSWORD
\getenv compliance_password COMPLIANCE_DB_PASSWORD
\getenv compliance_runtime_password COMPLIANCE_RUNTIME_DB_PASSWORD
\getenv payments_password PAYMENTS_DB_PASSWORD
\getenv payments_runtime_password PAYMENTS_RUNTIME_DB_PASSWORD

-- Each database: owned by its service's role; PUBLIC (every other role) may not connect to it,
-- the service's runtime role may (its rights inside come from the service's migrations).
CREATE ROLE ledger LOGIN PASSWORD :'ledger_password';
CREATE DATABASE ledger OWNER ledger;
REVOKE ALL ON DATABASE ledger FROM PUBLIC;
CREATE ROLE ledger_runtime LOGIN NOINHERIT PASSWORD :'ledger_runtime_password';
GRANT CONNECT ON DATABASE ledger TO ledger_runtime;

CREATE ROLE outreach LOGIN PASSWORD :'outreach_password';
CREATE DATABASE outreach OWNER outreach;
REVOKE ALL ON DATABASE outreach FROM PUBLIC;
CREATE ROLE outreach_runtime LOGIN NOINHERIT PASSWORD :'outreach_runtime_password';
GRANT CONNECT ON DATABASE outreach TO outreach_runtime;

CREATE ROLE compliance LOGIN PASSWORD :'compliance_password';
CREATE DATABASE compliance OWNER compliance;
REVOKE ALL ON DATABASE compliance FROM PUBLIC;
CREATE ROLE compliance_runtime LOGIN NOINHERIT PASSWORD :'compliance_runtime_password';
GRANT CONNECT ON DATABASE compliance TO compliance_runtime;

CREATE ROLE payments LOGIN PASSWORD :'payments_password';
CREATE DATABASE payments OWNER payments;
REVOKE ALL ON DATABASE payments FROM PUBLIC;
CREATE ROLE payments_runtime LOGIN NOINHERIT PASSWORD :'payments_runtime_password';
GRANT CONNECT ON DATABASE payments TO payments_runtime;

-- The service roles must not reach the maintenance database either.
REVOKE CONNECT ON DATABASE postgres FROM PUBLIC;
