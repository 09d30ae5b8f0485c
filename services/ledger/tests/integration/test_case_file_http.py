"""A debt's case file over real HTTP from the running ledger: the debt's tree and its debtor's
stream, whole, verifiable offline; the debtor's name sealed; the audit scope of the caller's
tenant only."""

import pytest

from goodfaith_runtime.casefile import verify_case_file

pytestmark = pytest.mark.integration
AUDIT = ("ledger:audit",)


async def test_a_debts_case_file_holds_its_streams_and_verifies(api) -> None:
    debtor_id = await api.debtor(given_name="Jolene", family_name="Quartermaine")
    debt_id = await api.debt(debtor_id)
    await api.invoice(debt_id, "2025-05-01", 10_000, "INV-1")
    await api.pay(debt_id, "pay-1", 2_500)
    tree = f"ledger/acme/debt/{debt_id}"
    body = {"trees": [tree], "streams": [f"ledger/acme/debtor/{debtor_id}"]}

    response = await api.client.post("/v1/case-files", json=body, headers=api.headers(AUDIT))
    assert response.status_code == 200, response.text
    document = response.json()
    streams = {s["stream_id"]: [e["type"] for e in s["events"]] for s in document["streams"]}
    # (The debt's public stream starts with its first public event: overdue, or a dispute.)
    assert set(streams) == {tree, f"ledger/acme/debtor/{debtor_id}"}, streams
    assert streams[tree] == ["ledger.DebtOpened", "ledger.InvoiceIssued", "ledger.PaymentApplied"]
    assert document["source"] == "ledger" and document["generated_by"] == "back-office"
    key = await api.client.get("/v1/case-files/signing-key", headers=api.headers(AUDIT))
    assert key.status_code == 200, key.text
    report = verify_case_file(document, trusted_keys=[key.json()["public_key"]])
    assert report.ok and report.signed_by == key.json()["key_id"]
    assert "Quartermaine" not in response.text and "Jolene" not in response.text

    refused = await api.client.post("/v1/case-files", json=body, headers=api.headers())
    assert refused.status_code == 403
    theirs = await api.client.post("/v1/case-files", json=body,
                                   headers=api.as_tenant("globex").headers(AUDIT))
    assert theirs.status_code == 200 and theirs.json()["streams"] == []
