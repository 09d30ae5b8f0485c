"""The gate across real processes: the ledger's debtor and debt, the compliance profile of the
same person, an agent's check approved with a signature the dispatcher can verify, then a
written dispute in the ledger that reaches compliance over Kafka and puts the debt on hold
(FED-DISPUTE-HOLD, 15 U.S.C. 1692g(b))."""

import asyncio
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest

from goodfaith_events.contracts import ContactApproved
from goodfaith_runtime.signing import load_public_key, verify_approval

pytestmark = pytest.mark.integration

PHONE = "+13125550100"
SCRIPT = "Hi, this is Sam with Fairway Recovery LLC. This communication is from a debt collector."


def tomorrow_afternoon_in_chicago() -> datetime:
    """A send time inside 8:00-21:00 local whatever time CI runs at."""
    chicago = ZoneInfo("America/Chicago")
    day = (datetime.now(chicago) + timedelta(days=1)).date()
    return datetime(day.year, day.month, day.day, 14, tzinfo=chicago).astimezone(UTC)


def profile(person_id: str, debt_id: str, notice_at: datetime) -> dict:
    return {
        "collector": {"collector_id": "col-1", "role": "third_party_collector",
                      "business_name": "Fairway Recovery LLC",
                      "lcm_business_name": "Fairway Services", "creditor_id": "cr-1",
                      "creditor_name": "Acme Bank"},
        "person": {"person_id": person_id, "role": "consumer", "rpc": "verified",
                   "addresses": [{"address_id": "a-1", "kind": "residence", "state": "IL",
                                  "tz": "America/Chicago"}]},
        "endpoints": [{"kind": "phone", "endpoint_id": "ph-1", "e164": PHONE,
                       "phone_type": "cell", "owner_confirmed": True}],
        "debts": [{"debt_id": debt_id, "purpose": "consumer", "governing_state": "IL",
                   "time_barred": False, "initial_communication_at": notice_at.isoformat(),
                   "validation_notice_provided_at": notice_at.isoformat()}],
    }


async def ledger_debt(ledger: httpx.AsyncClient) -> tuple[str, str]:
    debtor = await ledger.post("/v1/debtors", json={
        "given_name": "Pat", "family_name": "Doe", "language": "en-US", "country": "US",
        "region": "IL"})
    assert debtor.status_code == 201, debtor.text
    debt = await ledger.post("/v1/debts", json={
        "debtor_id": debtor.json()["debtor_id"], "original_creditor": "Acme Bank",
        "account_last4": "1234", "debt_type": "credit_card", "purpose": "consumer",
        "currency": "USD", "governing_state": "IL", "time_zone": "America/Chicago"})
    assert debt.status_code == 201, debt.text
    return debtor.json()["debtor_id"], debt.json()["debt_id"]


def check(person_id: str, debt_id: str) -> dict:
    return {"person_id": person_id, "debt_ids": [debt_id], "channel": "call",
            "endpoint": PHONE, "template_type": "AGENT_CALL", "content_text": SCRIPT,
            "intended_send_at": tomorrow_afternoon_in_chicago().isoformat()}


def failing_rules(decision: dict) -> set[str]:
    return {rule["rule_id"] for rule in decision.get("failing", [])}


async def test_an_approved_check_then_a_ledger_dispute_puts_the_debt_on_hold(
    system, auth,
) -> None:
    headers = auth("acme")
    ledger_url, compliance_url = system.services["ledger"].url, system.services["compliance"].url
    async with httpx.AsyncClient(base_url=ledger_url, headers=headers, timeout=10) as ledger, \
            httpx.AsyncClient(base_url=compliance_url, headers=headers, timeout=10) as gate:
        person_id, debt_id = await ledger_debt(ledger)
        notice_at = datetime.now(UTC) - timedelta(days=2)  # inside the validation period
        answer = await gate.put(f"/v1/persons/{person_id}/profile",
                                json=profile(person_id, debt_id, notice_at))
        assert answer.status_code < 300, answer.text

        approved = (await gate.post("/v1/checks", json=check(person_id, debt_id))).json()
        assert approved["outcome"] == "ALLOW", approved
        # The view leaves the endpoint out (personal data); the dispatcher knows where it dials,
        # and the signature binds the approval to exactly that number.
        approval = ContactApproved.model_validate({**approved["approval"], "endpoint": PHONE})
        public = (await gate.get("/v1/public-key")).json()
        verify_approval(approval, load_public_key(public["public_key"]),
                        now=datetime.now(UTC), endpoint=PHONE)

        dispute = await ledger.post(f"/v1/debts/{debt_id}/disputes", json={
            "written": True, "medium": "letter", "received_at": datetime.now(UTC).isoformat()})
        assert dispute.status_code == 201, dispute.text

        # Wait for the ledger's DisputeRaised to reach compliance over Kafka (checking in a
        # loop instead would spend the person's call slots).
        for _ in range(120):
            restrictions = (await gate.get(f"/v1/persons/{person_id}/restrictions")).json()
            if any(debt["disputes"] for debt in restrictions["debts"]):
                break
            await asyncio.sleep(0.25)
        held = (await gate.post("/v1/checks", json=check(person_id, debt_id))).json()
    assert held["outcome"] == "BLOCK", held
    assert "FED-DISPUTE-HOLD" in failing_rules(held)
