#!/bin/sh
# Print a compose `.env` with fresh random secrets (needs openssl):
#     sh deploy/compose/make-env.sh > .env
# The variables are documented in deploy/compose/env.example.
set -eu

hex() { openssl rand -hex 24; }
b64() { openssl rand -base64 "$1" | tr -d '\n'; }

tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
openssl genpkey -algorithm ed25519 -outform DER -out "$tmp" 2>/dev/null
# PKCS#8 DER of an Ed25519 key ends with the 32-byte private key; SPKI DER with the public key.
signing_key=$(tail -c 32 "$tmp" | base64 | tr -d '\n')
public_key=$(openssl pkey -inform DER -in "$tmp" -pubout -outform DER | tail -c 32 | base64 | tr -d '\n')
# A second key, for case files (the services serve its public half themselves).
openssl genpkey -algorithm ed25519 -outform DER -out "$tmp" 2>/dev/null
case_file_key=$(tail -c 32 "$tmp" | base64 | tr -d '\n')

cat <<ENV
GOODFAITH_ENVIRONMENT=development
GOODFAITH_IMAGE_TAG=0.1.0
GOODFAITH_LOG_LEVEL=INFO
GOODFAITH_JWT_ISSUER=goodfaith-compose
GOODFAITH_JWT_AUDIENCE=goodfaith
POSTGRES_PASSWORD=$(hex)
LEDGER_DB_PASSWORD=$(hex)
LEDGER_RUNTIME_DB_PASSWORD=$(hex)
OUTREACH_DB_PASSWORD=$(hex)
OUTREACH_RUNTIME_DB_PASSWORD=$(hex)
COMPLIANCE_DB_PASSWORD=$(hex)
COMPLIANCE_RUNTIME_DB_PASSWORD=$(hex)
PAYMENTS_DB_PASSWORD=$(hex)
PAYMENTS_RUNTIME_DB_PASSWORD=$(hex)
GOODFAITH_JWT_KEY=$(b64 48)
LEDGER_PII_KEK=$(b64 32)
OUTREACH_PII_KEK=$(b64 32)
COMPLIANCE_PII_KEK=$(b64 32)
PAYMENTS_PII_KEK=$(b64 32)
COMPLIANCE_SIGNING_KEY=$signing_key
COMPLIANCE_PUBLIC_KEY=$public_key
GOODFAITH_CASE_FILE_SIGNING_KEY=$case_file_key
ENV
