"""Scenarios for how the live gate reads the person's recorded facts and judges reported
attempts (decisions.md D-39 to D-42), through the HTTP API and the service's command handlers:

- an oral stop never hides a later written cease letter (FED-CEASE, D-39);
- the validation-notice clock starts at the first communication the history shows
  (FED-VN-TIMING, D-40);
- an attempt must show the approved content and may not precede the judged instant (D-41);
- a wrong party or an opt-out reported on an attempt restricts later contact (D-42).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from compliance.service_layer import events as ev
from goodfaith_events.contracts import ContactAttempted
from goodfaith_events.ids import new_id

from .conftest import NOW, PHONE, SCRIPT, Api, profile, sha

pytestmark = pytest.mark.integration
TENANT = "acme"  # the tenant Api speaks for
CHICAGO = ZoneInfo("America/Chicago")
EMAIL = "pat@example.com"
OTHER_PHONE = "+13125550188"
EMAIL_TEXT = ("Fairway Recovery LLC: this message is from a debt collector. To stop emails from "
              "us to this address, reply STOP.")
SMS_TEXT = ("Fairway Recovery LLC: this message is from a debt collector. Reply STOP to stop "
            "texts to this number.")
LCM_TEXT = ("Hello, this is Sam Lee from Fairway Services. Please call us back at 312-555-0199. "
            "Thank you.")


def _email(**overrides: Any) -> dict[str, Any]:
    return {"channel": "email", "endpoint": EMAIL, "template_type": "REMINDER",
            "content_text": EMAIL_TEXT,
            "template_meta": {"opt_out_statement": True, "mm_subsequent": True}, **overrides}


def _sms(**overrides: Any) -> dict[str, Any]:
    return {"channel": "sms", "endpoint": PHONE, "template_type": "REMINDER",
            "content_text": SMS_TEXT,
            "template_meta": {"opt_out_statement": True, "mm_subsequent": True}, **overrides}


async def _fact(api: Api, person: str, fact: dict[str, Any]) -> None:
    await api.ok("POST", f"/v1/persons/{person}/facts", fact)


async def _attempt(compliance: Any, person: str, **fields: Any) -> str | None:
    """Report an attempt through the facts consumer's command handler; its violation reason."""
    values: dict[str, Any] = {
        "attempt_id": f"a-{new_id().hex}", "person_id": person, "debt_ids": ["d-1"],
        "channel": "call", "endpoint": PHONE, "content_hash": sha(SCRIPT),
        "attempted_at": (NOW + timedelta(minutes=1)).isoformat(), "outcome": "no_answer",
        "connected": True, "conversation": False, **fields}
    attempt = ContactAttempted.model_validate(values)
    async with compliance.runtime.pool.acquire() as conn, conn.transaction():
        reason: str | None = await compliance.service.record_attempt(conn, TENANT, attempt)
    return reason


# --- 1. FED-CEASE: an oral stop never hides a written notice (D-39) -------------------------


async def test_a_written_cease_after_an_oral_stop_pauses_the_debt(api: Api) -> None:
    person = await api.person()
    await _fact(api, person, {"fact": "cease_notice", "debt_id": "d-1", "medium": "telephone",
                              "received_at": (NOW - timedelta(days=3)).isoformat(),
                              "written": False})
    await _fact(api, person, {"fact": "cease_notice", "debt_id": "d-1", "medium": "mail",
                              "received_at": (NOW - timedelta(days=1)).isoformat(),
                              "written": True})
    for body in ({}, _email()):  # every medium, not only the one the oral stop was made in
        answer = await api.check(person, **body)
        assert answer["outcome"] == "BLOCK" and "FED-CEASE" in answer["reasons"], answer
        assert answer["retry_at"] is None
    restrictions = await api.ok("GET", f"/v1/persons/{person}/restrictions")
    assert restrictions["debts"][0]["cease"]["written"] is True
    assert restrictions["debts"][0]["cease"]["medium"] == "mail"


async def test_an_oral_stop_alone_is_a_telephone_opt_out_not_a_cease(api: Api) -> None:
    person = await api.person()
    await _fact(api, person, {"fact": "cease_notice", "debt_id": "d-1", "medium": "telephone",
                              "received_at": (NOW - timedelta(days=1)).isoformat(),
                              "written": False})
    call = await api.check(person)
    assert call["outcome"] == "BLOCK" and "FED-MEDIUM-OPTOUT" in call["reasons"], call
    assert "FED-CEASE" not in call["reasons"]
    email = await api.check(person, **_email())
    assert email["outcome"] == "ALLOW", email["reasons"]


async def test_a_later_written_notice_never_moves_the_first_receipt(api: Api) -> None:
    person = await api.person()
    first = (NOW - timedelta(days=2)).isoformat()
    for received, written in ((first, True), ((NOW - timedelta(days=1)).isoformat(), True),
                              ((NOW - timedelta(hours=1)).isoformat(), False)):
        await _fact(api, person, {"fact": "cease_notice", "debt_id": "d-1", "medium": "mail",
                                  "received_at": received, "written": written})
    restrictions = await api.ok("GET", f"/v1/persons/{person}/restrictions")
    kept = restrictions["debts"][0]["cease"]
    assert kept["written"] is True
    assert datetime.fromisoformat(kept["received_at"]) == datetime.fromisoformat(first)


async def test_an_email_notice_flagged_not_written_is_kept_as_the_written_one(api: Api) -> None:
    # An email cannot be oral (FED-CEASE, D-53): the pack reads it as written, so the state must
    # keep it over a later letter rather than let the letter move the first receipt.
    person = await api.person()
    email_at = (NOW - timedelta(days=2)).isoformat()
    await _fact(api, person, {"fact": "cease_notice", "debt_id": "d-1", "medium": "email",
                              "received_at": email_at, "written": False})
    await _fact(api, person, {"fact": "cease_notice", "debt_id": "d-1", "medium": "mail",
                              "received_at": (NOW - timedelta(days=1)).isoformat(),
                              "written": True})
    kept = (await api.ok("GET", f"/v1/persons/{person}/restrictions"))["debts"][0]["cease"]
    assert kept["medium"] == "email"
    assert datetime.fromisoformat(kept["received_at"]) == datetime.fromisoformat(email_at)
    answer = await api.check(person)
    assert answer["outcome"] == "BLOCK" and "FED-CEASE" in answer["reasons"], answer


# --- 2. FED-VN-TIMING: the clock starts at the first communication (D-40) ---------------------

TWENTY_DAYS_AGO = (NOW - timedelta(days=20)).isoformat()
_NO_VN = {"initial_communication_at": None, "validation_notice_provided_at": None}
# With no initial communication known, a call must carry the initial disclosure (1006.18(e)).
INITIAL_SCRIPT = (SCRIPT + " We are attempting to collect a debt and any information obtained "
                  "will be used for that purpose.")


async def _call(api: Api, person: str) -> Any:
    return await api.check(person, content_text=INITIAL_SCRIPT)


@pytest.mark.parametrize("conveyed", [
    {"outcome": "conversation", "conversation": True},
    {"channel": "voicemail", "outcome": "voicemail", "template_type": "REMINDER"},
    {"channel": "email", "endpoint": EMAIL, "outcome": "delivered"},
], ids=["conversation", "full-voicemail", "delivered-email"])
async def test_a_communication_20_days_ago_without_a_vn_blocks_as_overdue(
    api: Api, compliance: Any, conveyed: dict[str, Any],
) -> None:
    person = await api.person(**_NO_VN)
    await _attempt(compliance, person, approval_id=None, attempted_at=TWENTY_DAYS_AGO,
                   **conveyed)
    answer = await _call(api, person)
    assert answer["outcome"] == "BLOCK" and "FED-VN-TIMING" in answer["reasons"], answer
    # The VN itself may still go out (D-28).
    restrictions = await api.ok("GET", f"/v1/persons/{person}/restrictions")
    first = restrictions["debts"][0]["initial_communication_at"]
    assert datetime.fromisoformat(first) == datetime.fromisoformat(TWENTY_DAYS_AGO)


async def test_an_inbound_conversation_starts_the_vn_clock(api: Api) -> None:
    person = await api.person(**_NO_VN)
    await _fact(api, person, {"fact": "inbound_contact", "contact_id": "in-1",
                              "at": TWENTY_DAYS_AGO, "channel": "call", "debt_ids": ["d-1"],
                              "conversation": True})
    answer = await _call(api, person)
    assert answer["outcome"] == "BLOCK" and "FED-VN-TIMING" in answer["reasons"], answer


async def test_attempts_that_conveyed_nothing_leave_the_vn_clock_unstarted(
    api: Api, compliance: Any,
) -> None:
    person = await api.person(**_NO_VN)
    doc = profile(person, **_NO_VN)
    doc["endpoints"].append({"kind": "phone", "endpoint_id": "ph-2", "e164": OTHER_PHONE,
                             "phone_type": "landline"})
    await api.ok("PUT", f"/v1/persons/{person}/profile", doc)
    for conveyed_nothing in (
        {"outcome": "not_connected", "connected": False},
        {"outcome": "no_answer"},
        {"channel": "voicemail", "outcome": "voicemail", "template_type":
         "LIMITED_CONTENT_MESSAGE", "content_hash": sha(LCM_TEXT)},
        {"channel": "email", "endpoint": EMAIL, "outcome": "bounced"},
        # Someone else answered: nothing reached the consumer (D-40; D-42 stops that number).
        {"outcome": "wrong_party", "conversation": True, "endpoint": OTHER_PHONE},
    ):
        await _attempt(compliance, person, approval_id=None, attempted_at=TWENTY_DAYS_AGO,
                       **conveyed_nothing)
    answer = await _call(api, person)
    # Today's behaviour: the first communication is this call, so the notice is due in 5 days.
    assert answer["outcome"] == "ALLOW", answer["reasons"]
    assert any(o["code"] == "vn_due:d-1" for o in answer["obligations"]), answer["obligations"]
    restrictions = await api.ok("GET", f"/v1/persons/{person}/restrictions")
    assert restrictions["debts"][0]["initial_communication_at"] is None


async def test_a_recorded_later_date_does_not_hide_an_earlier_conversation(
    api: Api, compliance: Any,
) -> None:
    person = await api.person(initial_communication_at=(NOW - timedelta(days=1)).isoformat(),
                              validation_notice_provided_at=None)
    await _attempt(compliance, person, approval_id=None, attempted_at=TWENTY_DAYS_AGO,
                   outcome="conversation", conversation=True)
    answer = await _call(api, person)
    assert answer["outcome"] == "BLOCK" and "FED-VN-TIMING" in answer["reasons"], answer


# --- 3. Attempts: approved content, not before the judged instant (D-41) --------------------


async def test_an_attempt_that_does_not_show_the_approved_content_is_a_violation(
    api: Api, compliance: Any,
) -> None:
    person = await api.person()
    approval = (await api.check(person))["approval"]
    reason = await _attempt(compliance, person, approval_id=approval["approval_id"],
                            content_hash=None)
    assert reason == "CONTENT_UNVERIFIED"
    page = await api.ok("GET", "/v1/violations", person_id=person)
    assert [v["reason"] for v in page["items"]] == ["CONTENT_UNVERIFIED"]


async def test_an_attempt_before_the_instant_the_approval_was_judged_for_is_a_violation(
    api: Api, compliance: Any,
) -> None:
    person = await api.person()
    nine = datetime(2026, 11, 19, 9, 0, tzinfo=CHICAGO)
    early, proper = (await api.check(person, intended_send_at=nine.isoformat()),
                     await api.check(person, intended_send_at=nine.isoformat()))
    assert early["outcome"] == proper["outcome"] == "ALLOW", early["reasons"]
    # 07:05 local: after the grant and before the expiry, but never judged (and outside 8-9).
    at_0705 = datetime(2026, 11, 19, 7, 5, tzinfo=CHICAGO)
    assert await _attempt(compliance, person, approval_id=early["approval"]["approval_id"],
                          attempted_at=at_0705.isoformat()) == "BEFORE_JUDGED_TIME"
    assert await _attempt(compliance, person, approval_id=proper["approval"]["approval_id"],
                          attempted_at=(nine + timedelta(minutes=1)).isoformat()) is None


# --- 4. Outcomes reported on an attempt (D-42) ----------------------------------------------


async def _facts_caused_by(compliance: Any, person: str, attempt_id: str) -> list[Any]:
    rows = await compliance.runtime.pool.fetch(
        "SELECT type, payload FROM events WHERE stream_id = $1 ORDER BY stream_version",
        ev.person_stream(TENANT, person))
    at = next(i for i, r in enumerate(rows) if r["type"] == ev.ATTEMPT_RECORDED
              and r["payload"]["attempt_id"] == attempt_id)
    # Appended with the attempt, right after it, naming it as the cause.
    return [r["payload"] for r in rows[at + 1:] if r["type"] == ev.FACT_RECORDED
            and r["payload"].get("attempt_id") == attempt_id]


async def test_an_opt_out_reported_on_a_text_blocks_further_texts(
    api: Api, compliance: Any,
) -> None:
    person = await api.person()
    await _fact(api, person, {"fact": "consent", "consent_id": "c-text", "kind": "text",
                              "given_at": (NOW - timedelta(days=1)).isoformat(),
                              "given_directly_to_collector": True, "endpoint_id": "ph-1"})
    first = await api.check(person, **_sms())
    assert first["outcome"] == "ALLOW", first["reasons"]
    attempt_id = f"a-{new_id().hex}"
    await _attempt(compliance, person, attempt_id=attempt_id, channel="sms",
                   approval_id=first["approval"]["approval_id"], content_hash=sha(SMS_TEXT),
                   template_type="REMINDER", outcome="opted_out")
    answer = await api.check(person, **_sms())
    assert answer["outcome"] == "BLOCK" and "FED-MEDIUM-OPTOUT" in answer["reasons"], answer
    assert (await api.check(person))["outcome"] == "ALLOW"  # calls are another medium
    caused = await _facts_caused_by(compliance, person, attempt_id)
    assert [(p["fact"], p["source"]) for p in caused] == [
        ("medium_optout", "outreach.ContactAttempted")]
    restrictions = await api.ok("GET", f"/v1/persons/{person}/restrictions")
    assert [o["medium"] for o in restrictions["person"]["medium_optouts"]] == ["text"]


async def test_a_wrong_party_reported_on_a_call_blocks_further_contact_to_that_number(
    api: Api, compliance: Any,
) -> None:
    person = await api.person()
    first = await api.check(person)
    assert first["outcome"] == "ALLOW", first["reasons"]
    attempt_id = f"a-{new_id().hex}"
    await _attempt(compliance, person, attempt_id=attempt_id,
                   approval_id=first["approval"]["approval_id"], outcome="wrong_party",
                   conversation=True)
    answer = await api.check(person)
    assert answer["outcome"] == "BLOCK" and "FED-3P" in answer["reasons"], answer
    # The number reached someone else; the person's email still reaches the person.
    email = await api.check(person, **_email())
    assert email["outcome"] == "ALLOW", email["reasons"]
    caused = await _facts_caused_by(compliance, person, attempt_id)
    assert [p["fact"] for p in caused] == ["rpc_state"]
    restrictions = await api.ok("GET", f"/v1/persons/{person}/restrictions")
    assert restrictions["person"]["rpc"] == "verified"
    assert restrictions["endpoint_rpc"] == {"ph-1": "failed"}
