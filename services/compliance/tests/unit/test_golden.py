"""Golden decisions: the full `Decision.as_record()` of a broad set of contexts must not drift.

`golden/decisions.json` was captured from the code before the performance work (see
`golden/regenerate.py`): every context the unit tests evaluate (allow, each kind of block,
review, data missing, several candidate zones, every state pack) plus the benchmark's realistic
context. Any change to an outcome, a trace entry, an explanation, an inputs snapshot, a retry
instant or an obligation fails here.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from compliance.domain import EvaluationContext, evaluate

GOLDEN = Path(__file__).parent / "golden" / "decisions.json"


@cache
def _cases() -> tuple[dict[str, Any], ...]:
    return tuple(json.loads(GOLDEN.read_text()))


def _check(case: dict[str, Any]) -> None:
    ctx = EvaluationContext.model_validate(case["context"])
    first = evaluate(ctx, pack_version=case["pack_version"])
    assert first.as_record() == case["record"], case["name"]
    # Evaluating the same context object again must give the same decision (no stale state).
    assert evaluate(ctx, pack_version=case["pack_version"]) == first, case["name"]


def test_the_golden_set_is_broad() -> None:
    records = [c["record"] for c in _cases()]
    assert len(records) > 200
    assert {r["outcome"] for r in records} == {"ALLOW", "BLOCK", "REVIEW"}
    assert any(code.startswith("DATA_MISSING:") for r in records for code in r["reasons"])
    packs = {p for r in records for p in r["packs"]}
    assert {"FED", "MA", "NYC", "NYS", "CA", "WA", "WV", "DC", "POL", "UK"} <= packs
    rule_outcomes = {t["outcome"] for r in records for t in r["trace"]}
    assert rule_outcomes >= {"ALLOW", "BLOCK", "PAUSE", "REVIEW", "REQUIRE"}
    assert any(r["retry_at"] for r in records)
    assert any(r["obligations"] for r in records)
    zone_counts = {
        len(t["inputs"]["candidate_tz"])
        for r in records
        for t in r["trace"]
        if t["rule_id"] == "FED-TZ-ALL" and "candidate_tz" in t["inputs"]
    }
    assert max(zone_counts) >= 3


def test_golden_decisions_in_order() -> None:
    for case in _cases():
        _check(case)


def test_golden_decisions_in_reverse_order() -> None:
    # Module-level caches (plans, zones, constant results) must not depend on call order.
    for case in reversed(_cases()):
        _check(case)


@pytest.mark.parametrize("name", ["bench_eval.realistic_context#1"])
def test_the_benchmark_context_is_golden(name: str) -> None:
    case = next(c for c in _cases() if c["name"] == name)
    assert case["record"]["outcome"] == "ALLOW"
    _check(case)
