"""Bad input gets a clear 4xx problem+json and writes nothing; tenants never see each other."""

from __future__ import annotations

import pytest

from .conftest import Api

pytestmark = pytest.mark.integration

PROBLEM = "application/problem+json"


def usd(cents: object, currency: str = "USD") -> dict[str, object]:
    return {"amount_minor": cents, "currency": currency}


async def event_count(ledger) -> int:
    return int(await ledger.runtime.pool.fetchval("SELECT count(*) FROM events"))


async def expect(response, status: int, kind: str | None = None) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    body = response.json()
    if kind:
        assert body["type"].endswith(kind), body
    return body


async def test_amounts_currencies_and_ids_are_refused_without_writing_anything(
    api: Api, ledger,
) -> None:
    debt_id = await api.debt()
    await api.invoice(debt_id, "2025-05-01", 10_000, "INV-1")
    before = await event_count(ledger)
    pay = f"/v1/debts/{debt_id}/payments"
    at = "2025-06-01T00:00:00Z"
    cases = [
        (pay, {"payment_id": "p", "amount": usd(0), "received_at": at}, 422, "invalid-amount"),
        (pay, {"payment_id": "p", "amount": usd(-100), "received_at": at}, 422,
         "invalid-amount"),
        (pay, {"payment_id": "p", "amount": usd(10.5), "received_at": at}, 422, "validation"),
        (pay, {"payment_id": "p", "amount": usd(100, "EUR"), "received_at": at}, 422,
         "currency-mismatch"),
        (pay, {"payment_id": "p", "amount": usd(100), "received_at": "2025-06-01T00:00:00"},
         422, "validation"),
        # Found by fuzzing (schemathesis) as 500s: past 64 bits, and an instant in year 0 UTC.
        (pay, {"payment_id": "p", "amount": usd(2**70), "received_at": at}, 422, "validation"),
        (pay, {"payment_id": "p", "amount": usd(100),
               "received_at": "0001-01-01T00:00:00+05:00"}, 422, "validation"),
        (f"/v1/debts/{debt_id}/write-off", {"reason": "NUL \u0000 in text"}, 422,
         "validation"),
        ("/v1/debts/no-such-debt/payments",
         {"payment_id": "p", "amount": usd(100), "received_at": at}, 404, "unknown-debt"),
        (f"/v1/debts/{debt_id}/payments/never/reversal", {"reason": "refund"}, 404,
         "unknown-payment"),
        (f"/v1/debts/{debt_id}/disputes/never/resolution", {"outcome": "withdrawn"}, 404,
         "unknown-dispute"),
        (f"/v1/debts/{debt_id}/invoices", {"invoice_id": "INV-1", "issued_on": "2025-01-01",
                                           "due_on": "2025-05-01", "principal": usd(1)}, 409,
         "duplicate-invoice"),
        (f"/v1/debts/{debt_id}/invoices", {"issued_on": "2025-01-01", "due_on": "2025-05-01",
                                           "principal": usd(0)}, 422, "invalid-field"),
        (f"/v1/debts/{debt_id}/invoices", {"issued_on": "2025-06-01", "due_on": "2025-05-01",
                                           "principal": usd(1)}, 422, "invalid-field"),
        (f"/v1/debts/{debt_id}/settlements", {"amount": usd(10_000),
                                              "deadline": "2025-07-01T00:00:00Z"}, 422,
         "settlement-refused"),
        ("/v1/debts", {"debtor_id": "nobody", "original_creditor": "A", "account_last4": "1234",
                       "debt_type": "auto", "purpose": "consumer", "currency": "USD"}, 404,
         "unknown-debtor"),
    ]
    for path, body, status, kind in cases:
        await expect(await api.post(path, body), status, kind)
    assert await event_count(ledger) == before
    assert (await api.ok("GET", f"/v1/debts/{debt_id}/balance"))["total"] == 10_000


async def test_aging_as_of_the_first_or_last_representable_day_answers(api: Api) -> None:
    # asyncpg used to send 0001-01-01 as -infinity: "cannot subtract infinite dates", a 500.
    debt_id = await api.debt()
    await api.invoice(debt_id, "2025-05-01", 10_000, "INV-1")
    first = await api.ok("GET", f"/v1/debts/{debt_id}/aging", as_of="0001-01-01")
    last = await api.ok("GET", f"/v1/debts/{debt_id}/aging", as_of="9999-12-31")
    assert (first["as_of"], last["as_of"]) == ("0001-01-01", "9999-12-31")
    assert first["by_currency"]["USD"]["current"] == 10_000
    assert last["by_currency"]["USD"]["over_120"] == 10_000


async def test_invalid_zones_and_malformed_fields_are_422(api: Api, ledger) -> None:
    debtor_id = await api.debtor()
    before = await event_count(ledger)
    debt = {"debtor_id": debtor_id, "original_creditor": "A", "debt_type": "auto",
            "purpose": "consumer", "currency": "USD"}
    await expect(await api.post("/v1/debts", {**debt, "account_last4": "1234",
                                              "time_zone": "Mars/Olympus"}), 422,
                 "invalid-time-zone")
    await expect(await api.post("/v1/debts", {**debt, "account_last4": "4111111111111111"}),
                 422, "invalid-account-number")
    await expect(await api.post(f"/v1/debtors/{debtor_id}/addresses", {
        "lines": ["1 Main"], "city": "X", "postal_code": "1", "country": "US",
        "time_zone": "America/Nowhere"}), 422, "invalid-time-zone")
    await expect(await api.post(f"/v1/debtors/{debtor_id}/phones",
                                {"number": "555-0100", "type": "cell"}), 422,
                 "invalid-phone-number")
    await expect(await api.post(f"/v1/debtors/{debtor_id}/emails",
                                {"address": "nope", "provenance": "consumer_provided"}), 422,
                 "invalid-email")
    await expect(await api.post("/v1/debtors", {"given_name": "A", "family_name": "B",
                                                "language": "en", "country": "usa"}), 422)
    body = await expect(await api.post(f"/v1/debtors/{debtor_id}/phones",
                                       {"number": "+1 Jane Secret", "type": "pager"}), 422,
                        "validation")
    assert "Jane Secret" not in str(body)
    assert await event_count(ledger) == before


async def test_an_idempotency_key_replays_the_answer_and_refuses_another_body(
    api: Api, ledger,
) -> None:
    body = {"given_name": "Ann", "family_name": "Lee", "language": "en", "country": "US"}
    first = await api.post("/v1/debtors", body, key="create-ann")
    again = await api.post("/v1/debtors", body, key="create-ann")
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    count = await event_count(ledger)
    other = await api.post("/v1/debtors", {**body, "given_name": "Bob"}, key="create-ann")
    await expect(other, 422, "idempotency-key-reused")
    assert await event_count(ledger) == count
    debt_id = await api.debt(first.json()["debtor_id"])
    await api.invoice(debt_id, "2025-05-01", 10_000)
    pay = {"payment_id": "p1", "amount": usd(1_000), "received_at": "2025-06-01T00:00:00Z"}
    paid = await api.post(f"/v1/debts/{debt_id}/payments", pay, key="pay-1")
    await api.pay(debt_id, "p2", 500)
    replayed = await api.post(f"/v1/debts/{debt_id}/payments", pay, key="pay-1")
    assert replayed.json() == paid.json() and paid.json()["total"] == 9_000


async def test_tokens_and_scopes_are_required(api: Api) -> None:
    debt_id = await api.debt()
    missing = await api.client.get(f"/v1/debts/{debt_id}")
    await expect(missing, 401, "missing-token")
    reader = api.headers(scopes=("ledger:read",))
    assert (await api.client.get(f"/v1/debts/{debt_id}", headers=reader)).status_code == 200
    write = await api.client.post(f"/v1/debts/{debt_id}/write-off", json={"reason": "x"},
                                  headers=reader)
    await expect(write, 403, "insufficient-scope")


async def test_a_tenant_never_sees_or_touches_another_tenants_data(api: Api, ledger) -> None:
    debtor_id = await api.debtor()
    debt_id = await api.debt(debtor_id)
    await api.invoice(debt_id, "2025-05-01", 10_000, "INV-1")
    dispute = await api.ok("POST", f"/v1/debts/{debt_id}/disputes", {
        "written": True, "medium": "letter", "received_at": "2025-06-01T00:00:00Z"})
    them = api.as_tenant("globex")
    before = await event_count(ledger)
    for path in [f"/v1/debts/{debt_id}", f"/v1/debts/{debt_id}/balance",
                 f"/v1/debts/{debt_id}/aging", f"/v1/debts/{debt_id}/timeline",
                 f"/v1/debts/{debt_id}/limitation", f"/v1/debtors/{debtor_id}",
                 f"/v1/debtors/{debtor_id}/totals"]:
        await expect(await them.get(path), 404)
    writes = [
        (f"/v1/debts/{debt_id}/payments", {"payment_id": "x", "amount": usd(1),
                                           "received_at": "2025-06-01T00:00:00Z"}),
        (f"/v1/debts/{debt_id}/invoices", {"issued_on": "2025-01-01", "due_on": "2025-05-01",
                                           "principal": usd(1)}),
        (f"/v1/debts/{debt_id}/disputes/{dispute['id']}/resolution", {"outcome": "withdrawn"}),
        (f"/v1/debts/{debt_id}/write-off", {"reason": "x"}),
        (f"/v1/debtors/{debtor_id}/erasure", {"reason": "x"}),
        (f"/v1/debtors/{debtor_id}/phones", {"number": "+14155550123", "type": "cell"}),
        ("/v1/debts", {"debtor_id": debtor_id, "original_creditor": "A",
                       "account_last4": "1234", "debt_type": "auto", "purpose": "consumer",
                       "currency": "USD"}),
    ]
    for path, body in writes:
        await expect(await them.post(path, body), 404)
    assert await event_count(ledger) == before
    assert (await them.ok("GET", "/v1/debts"))["items"] == []
    assert (await them.ok("GET", "/v1/aging", as_of="2025-06-01"))["by_currency"] == {}
    assert len((await api.ok("GET", "/v1/debts"))["items"]) == 1


async def test_the_openapi_document_has_examples_for_every_request_body(api: Api) -> None:
    doc = (await api.client.get("/openapi.json")).json()
    bodies = [op["requestBody"] for item in doc["paths"].values() for op in item.values()
              if "requestBody" in op]
    assert len(bodies) >= 15
    for body in bodies:
        ref = body["content"]["application/json"]["schema"]["$ref"].split("/")[-1]
        assert doc["components"]["schemas"][ref].get("examples"), ref
    assert "Idempotency-Key" in str(doc["paths"]["/v1/debts"]["post"]["parameters"])


async def test_amounts_whose_sums_would_not_fit_are_refused(api: Api, ledger) -> None:
    # Each below 2**63, but a debt's total of two would overflow PostgreSQL's bigint.
    debt_id = await api.debt()
    await api.invoice(debt_id, "2025-05-01", 10_000, "INV-1")
    before = await event_count(ledger)
    body = {"invoice_id": "INV-2", "issued_on": "2025-01-01", "due_on": "2025-05-01",
            "principal": usd(2**62)}
    first = await api.post(f"/v1/debts/{debt_id}/invoices", body)
    second = await api.post(f"/v1/debts/{debt_id}/invoices", {**body, "invoice_id": "INV-3"})
    for answer in (first, second):
        await expect(answer, 422, "validation")
    assert await event_count(ledger) == before
