"""Location inquiries on the live gate (1692b, 1006.10; FED-LOC): a request says it is one, the
approval remembers it, and the attempt that uses the approval is a location contact, so a second
inquiry to the same person is blocked unless 1006.10(c) permits it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from goodfaith_events.contracts import ContactAttempted
from goodfaith_events.ids import new_id

from .conftest import NOW, PHONE, Api, profile, sha

pytestmark = pytest.mark.integration

# Names the caller, says why he calls, names neither the debt nor the employer (1692b(1),(2)).
LOCATION_SCRIPT = "Hi, this is Sam. I am calling to confirm location information for Pat Doe."


async def _neighbour(api: Api) -> str:
    person_id = f"p-{new_id().hex}"
    doc = profile(person_id)
    doc["person"]["role"] = "third_party"
    await api.ok("PUT", f"/v1/persons/{person_id}/profile", doc)
    return person_id


def _inquiry(**overrides: Any) -> dict[str, Any]:
    return {"recipient_role": "third_party", "content_text": LOCATION_SCRIPT,
            "template_type": "LOCATION_INQUIRY", "template_meta": {"location_script": True},
            "location_inquiry": True, **overrides}


async def _called(api: Api, compliance: Any, person: str, answer: dict[str, Any],
                  minutes: int) -> None:
    attempt = ContactAttempted.model_validate({
        "attempt_id": f"a-{new_id().hex}", "approval_id": answer["approval"]["approval_id"],
        "person_id": person, "debt_ids": ["d-1"], "channel": "call", "endpoint": PHONE,
        "content_hash": sha(LOCATION_SCRIPT), "outcome": "no_answer", "connected": True,
        "conversation": False, "attempted_at": (NOW + timedelta(minutes=minutes)).isoformat()})
    async with compliance.runtime.pool.acquire() as conn, conn.transaction():
        assert await compliance.service.record_attempt(conn, api.tenant, attempt) is None


async def test_a_location_inquiry_to_a_third_party_is_judged_by_fed_loc(api: Api) -> None:
    person = await _neighbour(api)
    answer = await api.check(person, **_inquiry())
    assert answer["outcome"] == "ALLOW", answer["reasons"]
    # The same call not marked as a location inquiry discloses the debt to a third party.
    plain = await api.check(person, **_inquiry(location_inquiry=False))
    assert plain["outcome"] == "BLOCK" and "FED-3P" in plain["reasons"]


async def test_the_script_must_be_a_location_script(api: Api) -> None:
    person = await _neighbour(api)
    answer = await api.check(person, **_inquiry(template_meta={}))
    assert answer["outcome"] != "ALLOW" and "FED-LOC" in answer["reasons"]


async def test_a_used_location_approval_makes_the_next_inquiry_a_second_one(
    api: Api, compliance,
) -> None:
    person = await _neighbour(api)
    first = await api.check(person, **_inquiry())
    assert first["outcome"] == "ALLOW", first["reasons"]
    await _called(api, compliance, person, first, minutes=1)
    later = (NOW + timedelta(hours=1)).isoformat()
    second = await api.check(person, **_inquiry(intended_send_at=later))
    assert second["outcome"] == "BLOCK" and "FED-LOC" in second["reasons"]
    # 1006.10(c): the person asked to be called back, or the earlier answer was wrong.
    permitted = await api.check(
        person, **_inquiry(intended_send_at=later, location_followup_allowed=True))
    assert permitted["outcome"] == "ALLOW", permitted["reasons"]
