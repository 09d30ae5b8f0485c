"""The synchronous gate for agents: decided and recorded exactly like the Kafka path."""

from __future__ import annotations

import base64
from datetime import timedelta

import pytest

from compliance.domain import CURRENT_VERSION
from goodfaith_events.contracts import ContactApproved
from goodfaith_runtime.signing import SignatureError, load_public_key, verify_approval

from .conftest import NOW, PHONE, SCRIPT, Api, sha

pytestmark = pytest.mark.integration


async def test_an_allowed_call_gets_a_signed_approval_recorded_like_the_kafka_path(
    api: Api, compliance,
) -> None:
    person = await api.person()
    answer = await api.check(person)
    assert answer["outcome"] == "ALLOW", answer["reasons"]
    assert answer["source"] == "http" and answer["blocked"] is None
    approval = ContactApproved.model_validate({**answer["approval"], "endpoint": PHONE})
    key = await api.ok("GET", "/v1/public-key")
    public = load_public_key(key["public_key"])
    verify_approval(approval, public, now=NOW, endpoint=PHONE, content_hash=sha(SCRIPT))
    assert approval.key_id == key["key_id"]
    # D-23: never past the end of the person's local day, and the configured 10 minutes.
    assert approval.expires_at == NOW + timedelta(minutes=10)
    assert approval.not_before == NOW  # the instant judged (D-41): the request named none
    with pytest.raises(SignatureError):
        verify_approval(approval, public, now=NOW, endpoint="+13125550199")
    rows = await compliance.runtime.pool.fetch(
        "SELECT e.type, o.topic, o.partition_key, e.payload FROM events e "
        "LEFT JOIN outbox o USING (event_id) ORDER BY e.global_position")
    types = [r["type"] for r in rows]
    assert types == ["compliance.ProfileRecorded", "compliance.DecisionRecorded",
                     "compliance.ContactApproved"]
    assert rows[2]["topic"] == "goodfaith.contact-decided" and rows[2]["partition_key"] == person
    recorded = rows[1]["payload"]
    # Personal data is sealed in the stored record: the endpoint, the context, the content.
    assert recorded["endpoint"].startswith("enc:v1:") and recorded["context"].startswith("enc:")
    assert PHONE not in str(rows[0]["payload"]) and SCRIPT not in str(recorded)
    assert recorded["record"]["pack_version"] == CURRENT_VERSION


async def test_the_decision_is_readable_by_id_with_every_rule_of_its_trace(api: Api) -> None:
    person = await api.person()
    decided = await api.check(person)
    found = await api.ok("GET", f"/v1/decisions/{decided['decision_id']}")
    assert found["decision_id"] == decided["decision_id"]
    rules = {r["rule_id"] for r in found["trace"]}
    assert {"GATE-INPUTS", "FED-TIME-WINDOW", "FED-7IN7", "FED-CEASE"} <= rules
    assert all({"rule_id", "citation", "outcome", "explanation"} <= set(r) for r in found["trace"])
    assert "endpoint" not in found["approval"] and "context" not in found


async def test_the_same_request_id_is_decided_once(api: Api, compliance) -> None:
    person = await api.person()
    first = await api.check(person, request_id="agent-call-1")
    again = await api.check(person, request_id="agent-call-1")
    assert again["decision_id"] == first["decision_id"]
    count = await compliance.runtime.pool.fetchval(
        "SELECT count(*) FROM events WHERE type = 'compliance.DecisionRecorded'")
    assert count == 1


async def test_an_idempotency_key_replays_the_answer(api: Api) -> None:
    person = await api.person()
    body = {"person_id": person, "debt_ids": ["d-1"], "channel": "call", "endpoint": PHONE,
            "content_text": SCRIPT}
    first = await api.call("POST", "/v1/checks", body, key="k-1")
    second = await api.call("POST", "/v1/checks", body, key="k-1")
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    reused = await api.call("POST", "/v1/checks", {**body, "channel": "sms"}, key="k-1")
    assert reused.status_code == 422
    assert reused.headers["content-type"] == "application/problem+json"


async def test_an_unknown_person_is_blocked_with_data_missing(api: Api) -> None:
    answer = await api.check("nobody-here")
    assert answer["outcome"] == "BLOCK"
    assert answer["reasons"] == ["DATA_MISSING:person.profile"]
    assert answer["approval"] is None
    assert answer["blocked"]["reasons"] == ["DATA_MISSING:person.profile"]
    assert answer["blocked"]["failing_rules"][0]["rule_id"] == "GATE-REQUEST"


@pytest.mark.parametrize(("overrides", "reason"), [
    ({"endpoint": "+13125550199"}, "DATA_MISSING:proposal.endpoint"),
    ({"channel": "email"}, "DATA_MISSING:proposal.endpoint"),
    ({"channel": "pigeon"}, "DATA_MISSING:proposal.channel"),
    ({"debt_ids": ["d-404"]}, "DATA_MISSING:debts[d-404]"),
    ({"content_hash": "0" * 64}, "DATA_MISSING:proposal.content.text"),
    ({"template_type": "NO_SUCH_TEMPLATE"}, "DATA_MISSING:proposal.template_type"),
    ({"template_meta": {"no_such_flag": True}}, "DATA_MISSING:proposal.content.meta.no_such_flag"),
    ({"recipient_role": "spouse"}, "DATA_MISSING:proposal.recipient_role"),
])
async def test_bad_request_data_blocks_with_the_reason(api: Api, overrides, reason) -> None:
    person = await api.person()
    answer = await api.check(person, **overrides)
    assert answer["outcome"] == "BLOCK"
    assert reason in answer["reasons"], answer["reasons"]


async def test_an_unknown_time_zone_blocks_rather_than_approves(api: Api) -> None:
    person = await api.person()
    doc = (await api.ok("GET", f"/v1/persons/{person}/profile"))["profile"]
    doc["person"]["addresses"][0]["tz"] = "Mars/Olympus_Mons"
    doc["endpoints"] = [e for e in doc["endpoints"] if e["kind"] != "phone"]
    doc["endpoints"].append({"kind": "phone", "endpoint_id": "ph-1", "e164": "+18005550100"})
    await api.ok("PUT", f"/v1/persons/{person}/profile", doc)
    answer = await api.check(person, endpoint="+18005550100")
    assert answer["outcome"] == "BLOCK"
    assert any(r.startswith("DATA_MISSING:person.addresses[0].tz") for r in answer["reasons"])


async def test_a_cease_letter_recorded_as_a_fact_pauses_the_debt(api: Api) -> None:
    person = await api.person()
    fact = {"fact": "cease_notice", "debt_id": "d-1", "received_at": "2026-11-17T15:00:00Z",
            "medium": "mail", "written": True}
    created = await api.call("POST", f"/v1/persons/{person}/facts", fact, key="cease-1")
    assert created.status_code == 201
    answer = await api.check(person)
    assert answer["outcome"] == "BLOCK" and "FED-CEASE" in answer["reasons"]
    assert answer["retry_at"] is None
    restrictions = await api.ok("GET", f"/v1/persons/{person}/restrictions")
    assert restrictions["debts"][0]["cease"]["medium"] == "mail"


async def test_a_call_outside_the_window_says_when_to_retry(api: Api) -> None:
    person = await api.person()
    late = (NOW + timedelta(hours=12)).isoformat()  # 22:00 in Chicago
    answer = await api.check(person, intended_send_at=late)
    assert answer["outcome"] == "BLOCK" and "FED-TIME-WINDOW" in answer["reasons"]
    assert answer["retry_at"].startswith("2026-11-19T14:00:00.000001")


async def test_an_approval_never_outlives_the_local_day(api: Api) -> None:
    person = await api.person()
    at = NOW + timedelta(hours=10, minutes=55)  # 20:55 in Chicago; POL last dial is 20:45
    answer = await api.check(person, channel="email", endpoint="pat@example.com",
                             template_type="REMINDER",
                             content_text="Fairway Recovery LLC: this message is from a debt "
                             "collector. To stop emails from us to this address, reply STOP.",
                             template_meta={"opt_out_statement": True, "mm_subsequent": True},
                             intended_send_at=at.isoformat())
    assert answer["outcome"] == "ALLOW", answer["reasons"]
    expires = answer["approval"]["expires_at"]
    # 21:00 closes the window before the 10-minute lifetime ends: the lifetime shrinks.
    assert expires <= "2026-11-19T03:00:00+00:00"
    assert base64.b64decode(answer["approval"]["signature"])


async def test_an_approval_for_a_later_send_says_when_it_may_be_used(api: Api) -> None:
    # D-41: the rules judged the intended instant, not now; the approval says so (not_before)
    # and its lifetime starts there.
    person = await api.person()
    later = NOW + timedelta(minutes=30)
    answer = await api.check(person, intended_send_at=later.isoformat())
    assert answer["outcome"] == "ALLOW", answer["reasons"]
    approval = ContactApproved.model_validate({**answer["approval"], "endpoint": PHONE})
    assert approval.not_before == later and approval.expires_at > later


async def _samples(api: Api) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    from prometheus_client.parser import text_string_to_metric_families

    text = (await api.client.get("/metrics")).text
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples
            if s.name.startswith("compliance_")}


async def test_the_gate_counts_decisions_failing_rules_and_violations_on_metrics(
    api: Api, compliance,
) -> None:
    from goodfaith_events.contracts import ContactAttempted

    before = await _samples(api)
    person = await api.person()
    assert (await api.check(person))["outcome"] == "ALLOW"
    late = (NOW + timedelta(hours=12)).isoformat()  # 22:00 in Chicago
    assert (await api.check(person, intended_send_at=late))["outcome"] == "BLOCK"
    attempt = ContactAttempted.model_validate({
        "attempt_id": "a-metrics", "person_id": person, "debt_ids": ["d-1"], "channel": "call",
        "endpoint": PHONE, "content_hash": sha(SCRIPT), "outcome": "no_answer",
        "connected": True, "conversation": False,
        "attempted_at": (NOW + timedelta(minutes=1)).isoformat()})  # no approval named
    async with compliance.runtime.pool.acquire() as conn, conn.transaction():
        assert await compliance.service.record_attempt(conn, "acme", attempt) == "NO_APPROVAL"
    after = await _samples(api)

    def grew(name: str, **labels: str) -> float:
        key = (name, tuple(sorted(labels.items())))
        return after.get(key, 0.0) - before.get(key, 0.0)

    assert grew("compliance_decisions_total", outcome="ALLOW", source="http") == 1
    assert grew("compliance_decisions_total", outcome="BLOCK", source="http") == 1
    assert grew("compliance_decision_failing_rules_total", rule_id="FED-TIME-WINDOW") == 1
    assert grew("compliance_violations_total", reason="NO_APPROVAL") == 1
    assert grew("compliance_decision_seconds_count", source="http") == 2
    # Labels carry ids of rules and reasons, never personal data.
    assert PHONE not in (await api.client.get("/metrics")).text
