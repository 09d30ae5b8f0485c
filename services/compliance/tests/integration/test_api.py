"""What-if evaluation, replay of recorded decisions, tenant isolation, and bad input answered
with problem+json (never a 500)."""

from __future__ import annotations

from typing import Any

import pytest

from compliance.domain import CURRENT_VERSION
from compliance.domain.context import _EXAMPLE

from .conftest import Api, check_body, profile

pytestmark = pytest.mark.integration


async def _event_count(compliance) -> int:
    count: int = await compliance.runtime.pool.fetchval("SELECT count(*) FROM events")
    return count


async def test_evaluate_returns_the_decision_and_full_trace_and_changes_nothing(
    api: Api, compliance,
) -> None:
    await api.person("p-1")
    before = await _event_count(compliance)
    answer = await api.ok("POST", "/v1/evaluate", _EXAMPLE)
    assert answer["outcome"] in ("ALLOW", "BLOCK", "REVIEW")
    assert len(answer["trace"]) > 40 and answer["pack_version"] == CURRENT_VERSION
    late = {**_EXAMPLE, "proposal": {**_EXAMPLE["proposal"],  # type: ignore[dict-item]
                                     "intended_send_at": "2026-11-26T03:00:00Z"}}
    blocked = await api.ok("POST", "/v1/evaluate", late)
    assert blocked["outcome"] == "BLOCK"
    assert "FED-TIME-WINDOW" in {r["rule_id"] for r in blocked["failing"]}
    assert await _event_count(compliance) == before
    example = api.client.get("/openapi.json")
    schema = (await example).json()
    assert schema["components"]["schemas"]["EvaluationContext"]["examples"]
    answer_schema = schema["paths"]["/v1/evaluate"]["post"]["responses"]["200"]["content"][
        "application/json"]["schema"]
    assert answer_schema == {"$ref": "#/components/schemas/EvaluationAnswer"}
    rule = schema["components"]["schemas"]["RuleTrace"]
    assert {"rule_id", "citation", "outcome", "reason_codes"} <= set(rule["required"])


async def test_a_recorded_decision_replays_with_its_recorded_pack_version(api: Api) -> None:
    person = await api.person()
    decided = await api.check(person)
    replayed = await api.ok("POST", f"/v1/decisions/{decided['decision_id']}/replay")
    assert replayed["matches"] is True and replayed["pack_version"] == CURRENT_VERSION
    assert replayed["recorded_outcome"] == replayed["replayed_outcome"] == "ALLOW"
    unknown = await api.check("nobody")
    refused = await api.call("POST", f"/v1/decisions/{unknown['decision_id']}/replay")
    assert refused.status_code == 422


async def test_another_tenant_sees_nothing(api: Api) -> None:
    person = await api.person()
    decided = await api.check(person)
    other = api.as_tenant("globex")
    for path in (f"/v1/decisions/{decided['decision_id']}", f"/v1/persons/{person}/profile",
                 f"/v1/persons/{person}/restrictions"):
        response = await other.call("GET", path)
        assert response.status_code == 404, path
        assert response.headers["content-type"] == "application/problem+json"
    theirs = await other.check(person)
    assert theirs["outcome"] == "BLOCK" and theirs["reasons"] == ["DATA_MISSING:person.profile"]


@pytest.mark.parametrize(("method", "path", "body", "scopes", "status"), [
    ("POST", "/v1/checks", {"person_id": "p"}, None, 422),
    ("POST", "/v1/checks", {**check_body("p"), "intended_send_at": "2026-11-18T10:00:00"},
     None, 422),
    ("POST", "/v1/checks", check_body("p"), ("compliance:read",), 403),
    ("POST", "/v1/evaluate", {**_EXAMPLE, "proposal": {**_EXAMPLE["proposal"],  # type: ignore
                              "intended_send_at": "2026-11-26T16:00:00"}}, None, 422),
    ("POST", "/v1/evaluate?pack_version=1999.1.1", _EXAMPLE, None, 422),
    ("GET", "/v1/decisions/nope", None, None, 404),
    ("GET", "/v1/violations?cursor=%%%", None, None, 400),
    ("PUT", "/v1/persons/p-2/profile", profile("p-3"), None, 422),
    ("PUT", "/v1/persons/bad%2Fid/profile", profile("bad/id"), None, 404),
    ("PUT", "/v1/persons/bad id/profile", profile("bad id"), None, 422),
    ("POST", "/v1/persons/p-1/facts", {"fact": "cease_notice", "debt_id": "d-9",
                                       "received_at": "2026-11-17T15:00:00Z",
                                       "medium": "mail", "written": True}, None, 422),
    ("POST", "/v1/persons/p-1/facts", {"fact": "teleportation"}, None, 422),
    ("GET", "/v1/persons/p-404/restrictions", None, None, 404),
])
async def test_bad_input_is_a_problem_never_a_500(
    api: Api, method: str, path: str, body: Any, scopes: tuple[str, ...] | None, status: int,
) -> None:
    await api.person("p-1")
    response = await api.call(method, path, body, **({"scopes": scopes} if scopes else {}))
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"


async def test_a_missing_token_is_401(api: Api) -> None:
    response = await api.client.post("/v1/checks", json=check_body("p"))
    assert response.status_code == 401
    assert (await api.client.get("/v1/public-key")).status_code == 200
