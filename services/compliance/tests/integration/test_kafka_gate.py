"""The gate over Kafka on the real broker: ContactRequested in, ContactApproved/Blocked out on
ContactDecided; attempts and disputes from Kafka update the state the next decision reads."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest

from compliance.service_layer import events as ev
from goodfaith_events.contracts import ContactApproved, ContactBlocked, Topics
from goodfaith_events.ids import new_id
from goodfaith_runtime.signing import load_public_key, verify_approval

from .conftest import (
    NOW,
    PHONE,
    SCRIPT,
    Api,
    collect,
    message,
    produce,
    requested,
    serve,
    settings_for,
    sha,
    until,
)

pytestmark = pytest.mark.integration


def _tenant() -> str:
    return f"t{new_id().hex}"


def _decisions_for(request_ids: set[str]) -> Any:
    def done(seen: list[Any]) -> bool:
        return request_ids <= {m.payload["request_id"] for m in seen}

    return done


async def test_kafka_requests_are_decided_signed_and_published(database, infra, clock) -> None:
    tenant = _tenant()
    settings = settings_for(database, infra, run_background=True)
    async with serve(settings, clock) as (base, compliance), httpx.AsyncClient(
            base_url=base, timeout=60) as client:
        api = Api(client, tenant)
        person = await api.person()
        await until(compliance.runtime.kafka_ready)
        good, unknown, wrong = requested(person), requested("ghost"), requested(
            person, endpoint="+13125550199")
        late = requested(person, intended_send_at=(NOW + timedelta(hours=12)).isoformat())
        await produce(infra, Topics.CONTACT_REQUESTED, [
            (message("outreach.ContactRequested", tenant, r, f"outreach/{r['request_id']}"),
             r["person_id"]) for r in (good, unknown, wrong, late)])
        ids = {good["request_id"], unknown["request_id"], wrong["request_id"],
               late["request_id"]}
        seen = await collect(infra, Topics.CONTACT_DECIDED, _decisions_for(ids))
        by_request = {m.payload["request_id"]: m for m in seen if m.payload["request_id"] in ids}
        approved = by_request[good["request_id"]]
        assert approved.envelope.type == "compliance.ContactApproved", approved.payload
        assert approved.envelope.tenant == tenant
        key = await api.ok("GET", "/v1/public-key")
        verify_approval(ContactApproved.model_validate(approved.payload),
                        load_public_key(key["public_key"]), now=NOW, endpoint=PHONE,
                        content_hash=sha(SCRIPT))
        # Published in clear for the dispatcher, but sealed in compliance's own log, so an
        # erasure of the person reaches it.
        stored = await compliance.runtime.pool.fetchval(
            "SELECT payload->>'endpoint' FROM events WHERE type = 'compliance.ContactApproved' "
            "AND payload->>'request_id' = $1", good["request_id"])
        assert stored.startswith("enc:v1:") and PHONE not in stored
        ghost = by_request[unknown["request_id"]]
        assert ghost.envelope.type == "compliance.ContactBlocked"
        assert ghost.payload["reasons"] == ["DATA_MISSING:person.profile"]
        assert by_request[wrong["request_id"]].payload["reasons"] == [
            "DATA_MISSING:proposal.endpoint"]
        # 22:00 in Chicago: blocked with the rule, its citation and when a retry can pass.
        blocked = ContactBlocked.model_validate(by_request[late["request_id"]].payload)
        assert "FED-TIME-WINDOW" in {r.rule_id for r in blocked.failing_rules}
        assert all(r.citation for r in blocked.failing_rules)
        assert blocked.retry_at is not None
        assert blocked.retry_at.isoformat().startswith("2026-11-19T14:00:00.000001")
        decision = await api.ok("GET", f"/v1/decisions/{approved.payload['decision_id']}")
        assert decision["source"] == "kafka" and len(decision["trace"]) > 40
        dead = await compliance.runtime.pool.fetchval("SELECT count(*) FROM dead_letters")
        assert dead == 0


async def test_attempts_without_a_valid_approval_are_recorded_as_violations(
    database, infra, clock,
) -> None:
    tenant = _tenant()
    settings = settings_for(database, infra, run_background=True)
    async with serve(settings, clock) as (base, compliance), httpx.AsyncClient(
            base_url=base, timeout=60) as client:
        api = Api(client, tenant)
        person = await api.person()
        approval = (await api.check(person))["approval"]

        def attempt(**overrides: Any) -> dict[str, Any]:
            return {"attempt_id": f"a-{new_id().hex}", "approval_id":
                    approval["approval_id"], "person_id": person, "debt_ids": ["d-1"],
                    "channel": "call", "endpoint": PHONE, "content_hash": sha(SCRIPT),
                    "attempted_at": (NOW + timedelta(minutes=1)).isoformat(),
                    "outcome": "no_answer", "connected": True, "conversation": False,
                    **overrides}

        proper = attempt()
        attempts = [proper, proper,  # the same attempt twice: recorded once
                    attempt(approval_id=None),
                    attempt(approval_id="made-up"),
                    attempt(endpoint="+13125550199"),
                    attempt(attempted_at=(NOW + timedelta(hours=1)).isoformat()),
                    attempt()]  # the approval used a second time
        await until(compliance.runtime.kafka_ready)
        await produce(infra, Topics.CONTACT_ATTEMPTED, [
            (message("outreach.ContactAttempted", tenant, a, f"outreach/{a['attempt_id']}"),
             person) for a in attempts])

        async def violations() -> Any:
            page = await api.ok("GET", "/v1/violations", person_id=person)
            return page["items"] if len(page["items"]) == 5 else None

        found = await until(violations)
        assert sorted(v["reason"] for v in found) == sorted([
            "NO_APPROVAL", "UNKNOWN_APPROVAL", "OTHER_ENDPOINT", "APPROVAL_EXPIRED",
            "APPROVAL_REUSED"])
        assert proper["attempt_id"] not in {v["attempt_id"] for v in found}
        recorded = await compliance.runtime.pool.fetchval(
            "SELECT count(*) FROM events WHERE type = 'compliance.ContactAttemptRecorded'")
        assert recorded == 6
        restrictions = await api.ok("GET", f"/v1/persons/{person}/restrictions")
        assert restrictions["outstanding_approvals"] == []  # the approval was used
        assert restrictions["contacts_recorded"] == 6
        other = await api.as_tenant("someone-else").ok("GET", "/v1/violations")
        assert other["items"] == []


async def test_a_dispute_raised_in_the_ledger_holds_the_debt(database, infra, clock) -> None:
    tenant = _tenant()
    settings = settings_for(database, infra, run_background=True)
    async with serve(settings, clock) as (base, compliance), httpx.AsyncClient(
            base_url=base, timeout=60) as client:
        api = Api(client, tenant)
        # The validation period is still running, so a written dispute holds the debt.
        person = await api.person(validation_notice_provided_at="2026-11-10T15:00:00Z",
                                  initial_communication_at="2026-11-10T15:00:00Z")
        assert (await api.check(person))["outcome"] == "ALLOW"
        dispute = {"dispute_id": "dsp-1", "debtor_id": person, "debt_id": "d-1",
                   "written": True, "medium": "letter",
                   "received_at": (NOW - timedelta(days=1)).isoformat()}
        await until(compliance.runtime.kafka_ready)
        await produce(infra, Topics.DISPUTE_RAISED, [
            (message("ledger.DisputeRaised", tenant, dispute, "ledger/d-1"), "d-1")])

        async def disputed() -> Any:
            found = await api.ok("GET", f"/v1/persons/{person}/restrictions")
            return found["debts"][0]["disputes"]

        await until(disputed)
        answer = await api.check(person)
        assert answer["outcome"] == "BLOCK" and "FED-DISPUTE-HOLD" in answer["reasons"]


async def test_a_request_about_an_erased_person_is_answered_with_a_block(
    database, infra, clock,
) -> None:
    """D-38 through the broker: the consumer answers, nothing is dead-lettered, and the
    published block carries no personal data."""
    tenant = _tenant()
    settings = settings_for(database, infra, run_background=True)
    async with serve(settings, clock) as (base, compliance), httpx.AsyncClient(
            base_url=base, timeout=60) as client:
        person = await Api(client, tenant).person()
        async with compliance.runtime.pool.acquire() as conn:
            await compliance.runtime.keyring.erase(
                conn, person_id=ev.key_owner(tenant, person), tenant=tenant)
        await until(compliance.runtime.kafka_ready)
        request = requested(person)
        await produce(infra, Topics.CONTACT_REQUESTED, [
            (message("outreach.ContactRequested", tenant, request,
                     f"outreach/{request['request_id']}"), person)])
        seen = await collect(infra, Topics.CONTACT_DECIDED,
                             _decisions_for({request["request_id"]}))
        answer = next(m for m in seen if m.payload["request_id"] == request["request_id"])
        assert answer.envelope.type == "compliance.ContactBlocked"
        assert answer.payload["reasons"] == ["DATA_MISSING:person.profile"]
        assert PHONE not in str(answer.payload)
        dead = await compliance.runtime.pool.fetchval("SELECT count(*) FROM dead_letters")
        assert dead == 0
