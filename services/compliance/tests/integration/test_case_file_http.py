"""A person's case file over real HTTP from the running compliance service: whole streams as
stored, verifiable offline, for the audit scope of the caller's own tenant only."""

import pytest

from goodfaith_runtime.casefile import verify_case_file

from .conftest import PHONE

pytestmark = pytest.mark.integration
AUDIT = ("compliance:audit",)


async def test_a_persons_case_file_is_exported_for_the_audit_scope_and_verifies(api) -> None:
    person = await api.person()
    decision = await api.check(person)
    assert decision["outcome"] == "ALLOW", decision
    tree = f"compliance-person/acme/{person}"

    response = await api.call("POST", "/v1/case-files", {"trees": [tree]}, scopes=AUDIT)
    assert response.status_code == 200, response.text
    document = response.json()
    assert [s["stream_id"] for s in document["streams"]] == [tree]
    assert document["generated_by"] == "agent-7" and document["selection"]["tenant"] == "acme"
    types = [e["type"] for e in document["streams"][0]["events"]]
    assert types[0].startswith("compliance.") and len(types) >= 2, types
    # Signed with the deployment's case-file key, which the audit scope can look up.
    key = await api.call("GET", "/v1/case-files/signing-key", scopes=AUDIT)
    assert key.status_code == 200 and key.json()["algorithm"] == "Ed25519"
    report = verify_case_file(document, trusted_keys=[key.json()["public_key"]])
    assert report.ok and report.signed_by == key.json()["key_id"]
    # The person's endpoints are stored sealed, and so exported.
    assert PHONE not in response.text and "pat@example.com" not in response.text

    # Another tenant asking for the same stream learns nothing of it.
    other = await api.as_tenant("globex").call("POST", "/v1/case-files", {"trees": [tree]},
                                                scopes=AUDIT)
    assert other.status_code == 200
    assert other.json()["streams"] == [] and other.json()["not_found"] == [tree]


async def test_a_case_file_needs_the_audit_scope_and_a_selection(api) -> None:
    person = await api.person()
    tree = f"compliance-person/acme/{person}"
    refused = await api.call("POST", "/v1/case-files", {"trees": [tree]},
                             scopes=("compliance:read", "compliance:write"))
    assert refused.status_code == 403
    assert refused.headers["content-type"].startswith("application/problem+json")
    key = await api.call("GET", "/v1/case-files/signing-key", scopes=("compliance:read",))
    assert key.status_code == 403
    for body in ({}, {"streams": [""]}, {"trees": [tree], "unknown": 1}):
        bad = await api.call("POST", "/v1/case-files", body, scopes=AUDIT)
        assert bad.status_code in (400, 422), (body, bad.text)
        assert bad.headers["content-type"].startswith("application/problem+json")
