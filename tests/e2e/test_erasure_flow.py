"""An erasure across real processes: the ledger erases a debtor it holds nothing against, its
`ledger.DebtorErased` reaches compliance over Kafka, and compliance erases its own copy of the
person's data: the gate then blocks every request about them and shows no personal data."""

import asyncio
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from goodfaith_events.contracts import Topics

from .test_gate_flow import PHONE, check, ledger_debt, profile

pytestmark = pytest.mark.integration


async def test_a_ledger_erasure_reaches_compliance(system, auth, read_topic) -> None:
    headers = auth("acme")
    ledger_url, compliance_url = system.services["ledger"].url, system.services["compliance"].url
    async with httpx.AsyncClient(base_url=ledger_url, headers=headers, timeout=10) as ledger, \
            httpx.AsyncClient(base_url=compliance_url, headers=headers, timeout=10) as gate:
        debtor = await ledger.post("/v1/debtors", json={
            "given_name": "Lee", "family_name": "Poe", "language": "en-US", "country": "US",
            "region": "IL"})
        assert debtor.status_code == 201, debtor.text
        person_id = debtor.json()["debtor_id"]
        notice_at = datetime.now(UTC) - timedelta(days=40)
        recorded = await gate.put(f"/v1/persons/{person_id}/profile",
                                  json=profile(person_id, "d-elsewhere", notice_at))
        assert recorded.status_code < 300, recorded.text
        before = await gate.post("/v1/checks", json=check(person_id, "d-elsewhere"))
        assert before.json()["outcome"] == "ALLOW", before.text

        erased = await ledger.post(f"/v1/debtors/{person_id}/erasure",
                                   json={"reason": "verified erasure request"})
        assert erased.status_code == 200 and erased.json()["erased"], erased.text
        announced = await read_topic(Topics.DEBTOR_ERASED).wait_for(
            lambda m: m.payload["debtor_id"] == person_id)
        record, message = announced[0]
        assert message.envelope.type == "ledger.DebtorErased" and message.envelope.tenant == "acme"
        assert record.key == person_id.encode()

        deadline = asyncio.get_running_loop().time() + 30
        while True:
            read = (await gate.get(f"/v1/persons/{person_id}/profile")).json()
            if read["profile"] is None or asyncio.get_running_loop().time() > deadline:
                break
            await asyncio.sleep(0.2)
        assert read["profile"] is None and PHONE not in str(read)
        after = await gate.post("/v1/checks", json=check(person_id, "d-elsewhere"))
        assert after.status_code == 201, after.text
        assert after.json()["outcome"] == "BLOCK"
        assert after.json()["reasons"] == ["DATA_MISSING:person.profile"]
        refused = await gate.put(f"/v1/persons/{person_id}/profile",
                                 json=profile(person_id, "d-elsewhere", notice_at))
        assert refused.status_code == 422, refused.text


async def test_an_erasure_inside_the_retention_period_is_refused_everywhere(
    system, auth,
) -> None:
    """A debtor with an open debt: the ledger answers 409 retention-hold citing FED-RECORDS,
    announces nothing, and compliance keeps deciding on the person's recorded data."""
    headers = auth("acme")
    ledger_url, compliance_url = system.services["ledger"].url, system.services["compliance"].url
    async with httpx.AsyncClient(base_url=ledger_url, headers=headers, timeout=10) as ledger, \
            httpx.AsyncClient(base_url=compliance_url, headers=headers, timeout=10) as gate:
        person_id, debt_id = await ledger_debt(ledger)
        notice_at = datetime.now(UTC) - timedelta(days=40)
        recorded = await gate.put(f"/v1/persons/{person_id}/profile",
                                  json=profile(person_id, debt_id, notice_at))
        assert recorded.status_code < 300, recorded.text
        refused = await ledger.post(f"/v1/debtors/{person_id}/erasure",
                                    json={"reason": "verified erasure request"})
        assert refused.status_code == 409, refused.text
        problem = refused.json()
        assert problem["type"].endswith("retention-hold") and problem["rule_id"] == "FED-RECORDS"
        assert problem["open_debt_ids"] == [debt_id]
        await asyncio.sleep(2)  # what an announcement would need to arrive, had one been sent
        read = (await gate.get(f"/v1/persons/{person_id}/profile")).json()
        assert read["profile"] is not None and PHONE in str(read)
        assert (await ledger.get(f"/v1/debtors/{person_id}")).json()["given_name"] == "Pat"
