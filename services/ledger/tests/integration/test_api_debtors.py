"""Debtor endpoints over real HTTP: registration, contact details, erasure end to end."""

from __future__ import annotations

from datetime import timedelta

import pytest

from goodfaith_runtime.clock import ManualClock

from .conftest import Api

pytestmark = pytest.mark.integration


async def test_register_read_and_change_contact_details(api: Api) -> None:
    debtor_id = await api.debtor(other_names=["J. Roe"])
    base = f"/v1/debtors/{debtor_id}"
    phone = await api.ok("POST", f"{base}/phones", {"number": "+14155550123", "type": "cell"})
    await api.ok("POST", f"{base}/emails", {"address": "jane@example.com",
                                            "provenance": "employer_provided"})
    await api.ok("POST", f"{base}/addresses", {
        "lines": ["1 Main St"], "city": "Oakland", "region": "CA", "postal_code": "94607",
        "country": "US", "time_zone": "America/Los_Angeles"})
    await api.ok("PUT", f"{base}/language", {"language": "es-US"})
    view = await api.ok("GET", base)
    assert (view["given_name"], view["language"], view["other_names"]) == ("Jane", "es-US",
                                                                          ["J. Roe"])
    assert view["phones"][0] | {"phone_id": None} == {"phone_id": None, "number": "+14155550123",
                                                      "type": "cell", "area_code": "415"}
    assert view["emails"][0]["provenance"] == "employer_provided"
    assert view["addresses"][0]["time_zone"] == "America/Los_Angeles"
    after = await api.ok("DELETE", f"{base}/phones/{phone['id']}")
    assert after["phones"] == []
    assert (await api.client.delete(f"{base}/phones/{phone['id']}",
                                    headers=api.headers())).status_code == 404


async def test_personal_data_is_encrypted_at_rest(api: Api, ledger) -> None:
    debtor_id = await api.debtor(given_name="Zebulon")
    await api.ok("POST", f"/v1/debtors/{debtor_id}/phones",
                 {"number": "+14155550199", "type": "home"})
    stored = await ledger.runtime.pool.fetchval(
        "SELECT string_agg(payload::text, ' ') FROM events")
    assert "Zebulon" not in stored and "5550199" not in stored and "enc:v1:" in stored
    projected = await ledger.runtime.pool.fetchval(
        "SELECT string_agg(t::text, ' ') FROM ledger_debtors t")
    assert "Zebulon" not in projected


async def test_erasure_masks_every_personal_field_and_the_chains_still_verify(
    api: Api, ledger, clock: ManualClock,
) -> None:
    debtor_id = await api.debtor(given_name="Zebulon", other_names=["Z"])
    base = f"/v1/debtors/{debtor_id}"
    await api.ok("POST", f"{base}/phones", {"number": "+14155550199", "type": "home"})
    await api.ok("POST", f"{base}/emails", {"address": "z@example.com",
                                            "provenance": "consumer_provided"})
    await api.ok("POST", f"{base}/addresses", {
        "lines": ["9 Elm St", "Unit 4"], "city": "Fresno", "postal_code": "93650",
        "country": "US", "region": "CA", "time_zone": "America/Los_Angeles"})
    debt_id = await api.debt(debtor_id)
    # Erasure waits for the record-retention period (12 CFR 1006.100): the debt paid in full,
    # then 3 years after that last activity (test_erasure_retention.py tests the hold itself).
    await api.invoice(debt_id, "2025-05-01", 1_000, "INV-1")
    await api.pay(debt_id, "pay-1", 1_000)
    clock.advance(timedelta(days=3 * 366))
    erased = await api.ok("POST", f"{base}/erasure", {"reason": "verified erasure request"})
    view = await api.ok("GET", base)
    assert view == erased
    assert view["erased"] and view["given_name"] == "[erased]"
    assert view["family_name"] == "[erased]" and view["other_names"] == ["[erased]"]
    phone = view["phones"][0]
    assert phone["number"] == "[erased]" and phone["area_code"] == "[erased]"
    assert view["emails"][0]["address"] == "[erased]"
    address = view["addresses"][0]
    assert address["lines"] == ["[erased]", "[erased]"] and address["city"] == "[erased]"
    assert address["postal_code"] == "[erased]" and address["time_zone"] == "America/Los_Angeles"
    assert view["country"] == "US" and view["language"] == "en-US"
    assert await ledger.runtime.pool.fetchval("SELECT count(*) FROM person_keys") == 0
    assert (await ledger.runtime.store.verify()).ok
    # The debt and its history stay; the person can no longer be reached through it.
    assert (await api.ok("GET", f"/v1/debts/{debt_id}"))["debtor_id"] == debtor_id
    refused = await api.post(f"{base}/phones", {"number": "+14155550100", "type": "cell"})
    assert refused.status_code == 422 and refused.json()["type"].endswith("debtor-already-erased")
    again = await api.post(f"{base}/erasure", {"reason": "retry"})
    assert again.status_code == 200 and again.json()["erased"]


async def test_debtor_totals_sum_each_currency_apart(api: Api) -> None:
    debtor_id = await api.debtor()
    usd, eur = await api.debt(debtor_id), await api.debt(debtor_id, currency="EUR")
    await api.invoice(usd, "2025-05-01", 10_000)
    await api.ok("POST", f"/v1/debts/{eur}/invoices", {
        "issued_on": "2025-01-01", "due_on": "2025-05-01",
        "principal": {"amount_minor": 700, "currency": "EUR"}})
    totals = await api.ok("GET", f"/v1/debtors/{debtor_id}/totals")
    assert totals["totals"] == [
        {"currency": "EUR", "debts": 1, "total": 700, "disputed": 0, "credit": 0},
        {"currency": "USD", "debts": 1, "total": 10_000, "disputed": 0, "credit": 0}]
