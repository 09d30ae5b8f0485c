"""The whole system starts and every service is reachable over real HTTP."""

import httpx
import pytest

pytestmark = pytest.mark.integration


def test_every_service_is_ready_and_publishes_its_openapi(system) -> None:
    for name, service in system.services.items():
        assert httpx.get(f"{service.url}/health/ready", timeout=5).status_code == 200
        spec = httpx.get(f"{service.url}/openapi.json", timeout=5).json()
        assert spec["info"]["title"] == f"goodfaith {name}"
        # Every error an operation documents is the problem+json the services send.
        for operations in spec["paths"].values():
            for operation in operations.values():
                errors = {s: r for s, r in operation["responses"].items() if s >= "400"}
                assert {"422", "500"} <= set(errors)
                assert all(list(r["content"]) == ["application/problem+json"]
                           for r in errors.values())


# The approval verification key is public on purpose: dispatchers must be able to fetch it.
PUBLIC = {"/v1/public-key"}


def test_every_api_read_without_a_token_is_refused_with_problem_json(system) -> None:
    checked = 0
    for name in ("ledger", "compliance"):
        base = system.services[name].url
        paths = httpx.get(f"{base}/openapi.json", timeout=5).json()["paths"]
        for path, operations in paths.items():
            if "get" not in operations or "{" in path or path in PUBLIC:
                continue
            answer = httpx.get(f"{base}{path}", timeout=5)
            assert answer.status_code == 401, path
            assert answer.headers["content-type"] == "application/problem+json"
            checked += 1
    assert checked >= 4
