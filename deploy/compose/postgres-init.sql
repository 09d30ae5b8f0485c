-- goodfaith on docker-compose: one PostgreSQL 17 server, one database and one login role per
-- service. Each service still owns its data alone: a role can connect to its own database only,
-- owns everything in it, and has no rights anywhere else. (Kubernetes gives every service its own
-- server; see deploy/README.md.)
--
-- Run once by the postgres image's entrypoint (/docker-entrypoint-initdb.d) as the superuser, on
-- an empty data directory. The passwords come from the container's environment (psql \getenv),
-- so none is written here.

\set ON_ERROR_STOP on

\getenv ledger_password LEDGER_DB_PASSWORD
\getenv outreach_password OUTREACH_DB_PASSWORD
\getenv compliance_password COMPLIANCE_DB_PASSWORD
\getenv payments_password PAYMENTS_DB_PASSWORD

-- Each database: owned by its service's role; PUBLIC (every other role) may not connect to it.
CREATE ROLE ledger LOGIN PASSWORD :'ledger_password';
CREATE DATABASE ledger OWNER ledger;
REVOKE ALL ON DATABASE ledger FROM PUBLIC;

CREATE ROLE outreach LOGIN PASSWORD :'outreach_password';
CREATE DATABASE outreach OWNER outreach;
REVOKE ALL ON DATABASE outreach FROM PUBLIC;

CREATE ROLE compliance LOGIN PASSWORD :'compliance_password';
CREATE DATABASE compliance OWNER compliance;
REVOKE ALL ON DATABASE compliance FROM PUBLIC;

CREATE ROLE payments LOGIN PASSWORD :'payments_password';
CREATE DATABASE payments OWNER payments;
REVOKE ALL ON DATABASE payments FROM PUBLIC;

-- The service roles must not reach the maintenance database either.
REVOKE CONNECT ON DATABASE postgres FROM PUBLIC;
