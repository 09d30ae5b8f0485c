"""The whole system starts and every service is reachable over real HTTP."""

import httpx
import pytest

pytestmark = pytest.mark.integration


def test_every_service_is_ready_and_publishes_its_openapi(system) -> None:
    for name, service in system.services.items():
        assert httpx.get(f"{service.url}/health/ready", timeout=5).status_code == 200
        spec = httpx.get(f"{service.url}/openapi.json", timeout=5).json()
        assert spec["info"]["title"] == f"goodfaith {name}"


def test_an_api_call_without_a_token_is_refused_with_problem_json(system) -> None:
    for name in ("ledger", "compliance"):
        paths = httpx.get(f"{system.services[name].url}/openapi.json", timeout=5).json()["paths"]
        path = next(p for p, ops in paths.items() if "get" in ops and "{" not in p)
        answer = httpx.get(f"{system.services[name].url}{path}", timeout=5)
        assert answer.status_code == 401
        assert answer.headers["content-type"] == "application/problem+json"
