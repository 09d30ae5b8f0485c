"""Stored Idempotency-Key answers and erasure over real HTTP and PostgreSQL: erasing a debtor
purges the stored answers showing their personal data; a replay of such a request answers the
masked view of that debtor and runs nothing again; the answers about another debtor, and those
holding no personal data (a created contact point, a debt), stay as stored."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from goodfaith_runtime.clock import ManualClock

from .conftest import NOW, Api

pytestmark = pytest.mark.integration

REGISTER = {"given_name": "Zebediah", "family_name": "Quixley", "language": "en-US",
            "country": "US", "region": "CA"}
PHONE = "+14155550123"
MIGRATION = Path(__file__).parents[2] / "migrations" / "004_idempotency_subjects.sql"
DEBT = {"original_creditor": "Acme Bank", "account_last4": "4242", "debt_type": "credit_card",
        "purpose": "consumer", "currency": "USD", "governing_state": "CA",
        "time_zone": "America/Los_Angeles"}


async def posted(api: Api, path: str, body: Any, key: str) -> dict[str, Any]:
    response = await api.post(path, body, key=key)
    assert response.status_code == 201, response.text
    answer: dict[str, Any] = response.json()
    return answer


async def test_an_erasure_purges_the_stored_answers_about_the_debtor(
    api: Api, ledger: Any, clock: ManualClock,
) -> None:
    debtor = (await posted(api, "/v1/debtors", REGISTER, "reg-1"))["debtor_id"]
    phone = await posted(api, f"/v1/debtors/{debtor}/phones", {"number": PHONE, "type": "home"},
                         "phone-1")
    debt = (await posted(api, "/v1/debts", {**DEBT, "debtor_id": debtor}, "debt-1"))["debt_id"]
    await api.invoice(debt, "2025-05-01", 10_000, "INV-1")
    await api.pay(debt, "pay-1", 10_000)
    other = await posted(api, "/v1/debtors", {**REGISTER, "given_name": "Ottoline"}, "reg-2")
    clock.set(NOW.replace(year=NOW.year + 3))
    erased = await api.post(f"/v1/debtors/{debtor}/erasure", {"reason": "consumer request"})
    assert erased.status_code == 200, erased.text

    pool = ledger.runtime.pool
    stored = {r["key"]: r for r in await pool.fetch(
        "SELECT key, status, response::text AS response FROM idempotency_keys "
        "WHERE tenant = $1", api.tenant)}
    assert set(stored) == {"reg-1", "phone-1", "debt-1", "reg-2"}
    about_them = " ".join(stored[k]["response"] for k in ("reg-1", "phone-1", "debt-1"))
    for personal in ("Zebediah", "Quixley", PHONE, PHONE[2:]):
        assert personal not in about_them, f"a stored answer still holds {personal!r}"
    assert (stored["reg-1"]["status"], stored["reg-1"]["response"]) == (201, "null")
    assert await pool.fetchval("SELECT subject FROM idempotency_keys WHERE tenant = $1 AND "
                               "key = 'reg-1'", api.tenant) == f"{api.tenant}/{debtor}"
    assert "Ottoline" in stored["reg-2"]["response"], "another debtor's answer was purged"

    events = await pool.fetchval("SELECT count(*) FROM events")
    debtors = await pool.fetchval("SELECT count(*) FROM ledger_debtors")
    replay = await posted(api, "/v1/debtors", REGISTER, "reg-1")
    assert replay["debtor_id"] == debtor and replay["erased"]
    assert (replay["given_name"], replay["family_name"]) == ("[erased]", "[erased]")
    assert await posted(api, f"/v1/debtors/{debtor}/phones", {"number": PHONE, "type": "home"},
                        "phone-1") == phone
    assert (await posted(api, "/v1/debts", {**DEBT, "debtor_id": debtor}, "debt-1"))[
        "debt_id"] == debt
    assert await posted(api, "/v1/debtors", {**REGISTER, "given_name": "Ottoline"},
                        "reg-2") == other
    assert await pool.fetchval("SELECT count(*) FROM events") == events
    assert await pool.fetchval("SELECT count(*) FROM ledger_debtors") == debtors


async def test_answers_stored_before_the_subject_are_found_by_the_backfill(
    api: Api, ledger: Any, clock: ManualClock,
) -> None:
    """migrations/004: an answer stored without a subject (before the runtime's migration
    009) gets the debtor as its subject, and one about a debtor erased already is purged."""
    kept = (await posted(api, "/v1/debtors", REGISTER, "old-1"))["debtor_id"]
    gone = (await posted(api, "/v1/debtors", {**REGISTER, "given_name": "Ottoline"},
                         "old-2"))["debtor_id"]
    assert (await api.post(f"/v1/debtors/{gone}/erasure", {"reason": "r"})).status_code == 200
    pool = ledger.runtime.pool
    # As stored before: no subject, and the erased debtor's answer not purged.
    await pool.execute("UPDATE idempotency_keys SET subject = NULL WHERE tenant = $1",
                       api.tenant)
    await pool.execute("UPDATE idempotency_keys SET response = $2::jsonb WHERE key = $1",
                       "old-2", json.dumps({"debtor_id": gone, "given_name": "Ottoline",
                                            "family_name": "Quixley"}))
    await pool.execute(MIGRATION.read_text())
    rows = {r["key"]: r for r in await pool.fetch(
        "SELECT key, subject, response::text AS response FROM idempotency_keys "
        "WHERE tenant = $1", api.tenant)}
    assert rows["old-1"]["subject"] == f"{api.tenant}/{kept}"
    assert "Zebediah" in rows["old-1"]["response"]
    assert rows["old-2"]["subject"] == f"{api.tenant}/{gone}"
    assert rows["old-2"]["response"] == "null"
