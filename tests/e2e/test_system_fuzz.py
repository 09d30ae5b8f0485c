"""The ledger's and compliance's HTTP APIs fuzzed with schemathesis, against the running
services: generated requests (valid and invalid, and stateful sequences that follow the links
between operations) never get a 500, and every answer has a status, media type and body the
OpenAPI document declares. This found the 500s fixed on 2026-12-07 (integers past 64 bits, NUL
in text, instants outside UTC's years, asyncpg's infinite dates).

A fixed seed keeps CI reproducible; `make fuzz` runs the same checks longer against `make up`.
One worker: with two threads, Hypothesis' lambda descriptions (ast.parse) sometimes failed
inside schemathesis on CPython 3.11 ("AST constructor recursion depth mismatch"), a runtime
error of the tool, not of goodfaith.
"""

import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import bearer

pytestmark = pytest.mark.integration

CHECKS = ("not_a_server_error,status_code_conformance,content_type_conformance,"
          "response_schema_conformance")


@pytest.mark.parametrize("name", ["ledger", "compliance"])
def test_fuzzed_requests_get_documented_answers_and_never_a_500(system, name) -> None:
    schemathesis = Path(sys.executable).with_name("st")
    token = bearer(f"fuzz-{name}")["Authorization"]
    result = subprocess.run(
        [str(schemathesis), "run", f"{system.services[name].url}/openapi.json",
         "-H", f"Authorization: {token}", "--checks", CHECKS, "--max-examples", "25",
         "--seed", "1", "--workers", "1", "--no-color"],
        capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stdout[-8000:]
    assert " passed" in result.stdout and "generated" in result.stdout
