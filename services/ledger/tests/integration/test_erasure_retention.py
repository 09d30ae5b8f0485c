"""The record-retention hold on erasure over real HTTP, PostgreSQL and the broker: refused with
409 while a debt is open or within 3 years of its last collection activity, nothing erased;
allowed once the injected clock reaches keep_until; a ContactAttempted moves keep_until."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest

from goodfaith_events.contracts import Topics
from goodfaith_events.envelope import Envelope, EventMessage
from goodfaith_events.ids import new_id
from goodfaith_runtime import testing
from goodfaith_runtime.clock import ManualClock

from .conftest import NOW, Api, serve_with_consumers
from .test_payment_consumer import until

pytestmark = pytest.mark.integration

SECOND = timedelta(seconds=1)
# The payment below is received before NOW but recorded at NOW: the later instant counts.
KEEP_UNTIL = NOW.replace(year=NOW.year + 3)


async def erase(api: Api, debtor_id: str) -> httpx.Response:
    return await api.post(f"/v1/debtors/{debtor_id}/erasure", {"reason": "consumer request"})


def held(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 409, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem: dict[str, Any] = response.json()
    assert problem["type"].endswith("/retention-hold")
    assert (problem["rule_id"], problem["citation"]) == ("FED-RECORDS", "12 CFR 1006.100(a),(b)")
    return problem


async def still_in_clear(api: Api, ledger: Any, debtor_id: str, events_before: int) -> None:
    view = await api.ok("GET", f"/v1/debtors/{debtor_id}")
    assert not view["erased"] and view["given_name"] == "Jane"
    assert view["phones"][0]["number"] == "+14155550199"
    pool = ledger.runtime.pool
    assert await pool.fetchval("SELECT count(*) FROM events") == events_before
    assert await pool.fetchval("SELECT count(*) FROM person_keys") == 1


async def debtor_with_paid_debt(api: Api) -> tuple[str, str]:
    debtor_id = await api.debtor()
    await api.ok("POST", f"/v1/debtors/{debtor_id}/phones",
                 {"number": "+14155550199", "type": "home"})
    debt_id = await api.debt(debtor_id)
    await api.invoice(debt_id, "2025-05-01", 10_000, "INV-1")
    await api.pay(debt_id, "pay-1", 10_000)
    return debtor_id, debt_id


async def test_an_open_debt_holds_the_erasure_and_nothing_is_erased(api: Api, ledger) -> None:
    debtor_id, paid = await debtor_with_paid_debt(api)
    still_open = await api.debt(debtor_id)
    await api.invoice(still_open, "2025-05-01", 5_000, "INV-1")
    before = await ledger.runtime.pool.fetchval("SELECT count(*) FROM events")
    problem = held(await erase(api, debtor_id))
    assert problem["open_debt_ids"] == [still_open] and "keep_until" not in problem
    await still_in_clear(api, ledger, debtor_id, before)


async def test_the_erasure_is_held_until_three_years_after_the_last_activity(
    api: Api, ledger, clock: ManualClock,
) -> None:
    debtor_id, debt_id = await debtor_with_paid_debt(api)
    assert (await api.ok("GET", f"/v1/debts/{debt_id}"))["status"] == "paid_off"
    before = await ledger.runtime.pool.fetchval("SELECT count(*) FROM events")
    problem = held(await erase(api, debtor_id))
    assert problem["keep_until"] == KEEP_UNTIL.isoformat() and "open_debt_ids" not in problem
    clock.set(KEEP_UNTIL - SECOND)
    held(await erase(api, debtor_id))
    await still_in_clear(api, ledger, debtor_id, before)
    clock.set(KEEP_UNTIL)
    erased = await api.ok("POST", f"/v1/debtors/{debtor_id}/erasure", {"reason": "now"})
    assert erased["erased"] and erased["given_name"] == "[erased]"
    assert await ledger.runtime.pool.fetchval("SELECT count(*) FROM person_keys") == 0


async def test_an_event_whose_domain_time_is_later_than_its_recording_counts_at_that_time(
    api: Api,
) -> None:
    # The payments service's clock may run ahead of ours: its received_at is the later instant.
    debtor_id = await api.debtor()
    debt_id = await api.debt(debtor_id)
    await api.invoice(debt_id, "2025-05-01", 10_000, "INV-1")
    received = NOW + timedelta(hours=2, seconds=7)
    await api.ok("POST", f"/v1/debts/{debt_id}/payments", {
        "payment_id": "pay-1", "amount": {"amount_minor": 10_000, "currency": "USD"},
        "received_at": received.isoformat()})
    problem = held(await erase(api, debtor_id))
    assert problem["keep_until"] == received.replace(year=received.year + 3).isoformat()


async def test_a_debtor_without_debts_is_erased_at_once(api: Api) -> None:
    debtor_id = await api.debtor()
    assert (await api.ok("POST", f"/v1/debtors/{debtor_id}/erasure", {"reason": "x"}))["erased"]


async def test_no_debt_can_be_opened_for_an_erased_debtor(api: Api) -> None:
    """A debt of nobody's would escape the hold it was never checked against."""
    debtor_id = await api.debtor()
    assert (await erase(api, debtor_id)).status_code == 200
    refused = await api.post("/v1/debts", {
        "debtor_id": debtor_id, "original_creditor": "Acme Bank", "account_last4": "4242",
        "debt_type": "credit_card", "purpose": "consumer", "currency": "USD",
        "governing_state": "CA", "time_zone": "America/Los_Angeles"})
    assert refused.status_code == 422, refused.text
    assert refused.json()["type"].endswith("/debtor-already-erased")
    listed = (await api.get("/v1/debts", debtor_id=debtor_id)).json()
    assert listed["items"] == []


async def test_the_openapi_document_declares_the_retention_hold(api: Api) -> None:
    doc = (await api.client.get("/openapi.json")).json()
    erasure = doc["paths"]["/v1/debtors/{debtor_id}/erasure"]["post"]
    assert "application/problem+json" in erasure["responses"]["409"]["content"]
    assert "retention-hold" in erasure["description"]


def attempted(tenant: str, person_id: str, debt_ids: list[str], at: datetime) -> EventMessage:
    attempt_id = f"att-{new_id().hex[:12]}"
    envelope = Envelope(
        event_id=new_id(), type="outreach.ContactAttempted", schema_version=1,
        stream_id=f"outreach/{tenant}/attempt/{attempt_id}", stream_version=1,
        occurred_at=at, tenant=tenant, producer="outreach")
    body = {"attempt_id": attempt_id, "person_id": person_id, "debt_ids": debt_ids,
            "channel": "call", "endpoint": "+14155550199", "attempted_at": at.isoformat(),
            "outcome": "no_answer", "connected": False, "conversation": False}
    return EventMessage(envelope=envelope, payload=body)


async def publish(infra: Any, messages: list[EventMessage]) -> None:
    await testing.publish(infra.kafka_bootstrap, Topics.CONTACT_ATTEMPTED,
                          [(m, m.payload["person_id"]) for m in messages])


async def test_contact_attempts_from_the_broker_move_keep_until(database, infra) -> None:
    clock = ManualClock(NOW)
    async with serve_with_consumers(database, infra, clock) as (api, ledger):
        tenant = api.tenant
        debtor_id, debt_id = await debtor_with_paid_debt(api)
        about_debtor = NOW + timedelta(days=200)
        about_debt = NOW + timedelta(days=300, hours=5)  # reported under another person id
        first = attempted(tenant, debtor_id, [debt_id], about_debtor)
        messages = [
            first, first,  # a redelivery
            attempted(tenant, "someone-else", [debt_id, "not-yet-known", debt_id], about_debt),
            attempted(tenant, "unknown-person", ["unknown-debt"], NOW),
            attempted(tenant, debtor_id, [debt_id], NOW - timedelta(days=30)),  # older: no effect
        ]
        await until(ledger.runtime.kafka_ready)
        await publish(infra, messages)
        ids = list({m.envelope.event_id for m in messages})

        async def consumed() -> bool:
            count = await ledger.runtime.pool.fetchval(
                "SELECT count(*) FROM processed_messages WHERE event_id = ANY($1::uuid[])", ids)
            return bool(count == len(ids))

        await until(consumed)
        rows = await ledger.runtime.pool.fetch(
            "SELECT subject, subject_id, last_attempt_at FROM ledger_contact_attempts "
            "WHERE tenant = $1", tenant)
        assert {(r["subject"], r["subject_id"]): r["last_attempt_at"] for r in rows} == {
            ("debtor", debtor_id): about_debtor, ("debtor", "someone-else"): about_debt,
            ("debtor", "unknown-person"): NOW, ("debt", debt_id): about_debt,
            ("debt", "not-yet-known"): about_debt, ("debt", "unknown-debt"): NOW}
        assert await ledger.runtime.pool.fetchval("SELECT count(*) FROM dead_letters") == 0
        keep_until = about_debt.replace(year=about_debt.year + 3)
        clock.set(KEEP_UNTIL + timedelta(days=1))  # past the hold the ledger's events alone set
        assert held(await erase(api, debtor_id))["keep_until"] == keep_until.isoformat()
        clock.set(keep_until)
        assert (await api.ok("POST", f"/v1/debtors/{debtor_id}/erasure", {"reason": "x"}))[
            "erased"]

