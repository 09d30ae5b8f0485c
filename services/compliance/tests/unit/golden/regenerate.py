"""Rebuild `decisions.json`, the golden records `test_golden.py` compares against.

Run ONLY on code whose behaviour is the reference (it was first run on the code before the
performance work):

    uv run python services/compliance/tests/unit/golden/regenerate.py

Contexts come from the unit tests themselves (every context they pass to `evaluate`, captured
by `capture_plugin.py`: the factories' allow, block, review, data-missing, multi-zone and state
pack cases) plus the realistic context of `bench_eval.py`. Kept: the first two contexts of each
test, plus any context that shows a rule outcome, explanation or inputs shape not yet kept.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
SERVICE = HERE.parents[2]
PER_TEST = 2


def _capture() -> list[list[Any]]:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "captured.json"
        env = {**os.environ, "GOLDEN_CAPTURE_FILE": str(out), "PYTHONPATH": str(HERE)}
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                str(SERVICE / "tests" / "unit"),
                "-q",
                "-p",
                "capture_plugin",
                "--ignore",
                str(HERE),
                "-k",
                "not golden",
            ],
            check=True,
            env=env,
        )
        captured: list[list[Any]] = json.loads(out.read_text())
    return captured


def _signature(record: dict[str, Any]) -> set[tuple[Any, ...]]:
    found: set[tuple[Any, ...]] = {("outcome", record["outcome"]), ("packs", *record["packs"])}
    for r in record["trace"]:
        found.add((r["rule_id"], r["outcome"], r["explanation"]))
        found.add((r["rule_id"], r["outcome"], *sorted(r["inputs"])))
    return found


def main() -> None:
    sys.path.insert(0, str(SERVICE))
    from bench_eval import realistic_context

    from compliance.domain import EvaluationContext, UnknownPackVersion, evaluate

    captured = [["bench_eval.realistic_context", None, realistic_context().model_dump_json()]]
    captured += _capture()
    per_test: Counter[str] = Counter()
    seen: set[str] = set()
    covered: set[tuple[Any, ...]] = set()
    cases = []
    for test, pack_version, raw in captured:
        if raw in seen:
            continue
        seen.add(raw)
        try:
            record = evaluate(
                EvaluationContext.model_validate_json(raw), pack_version=pack_version
            ).as_record()
        except UnknownPackVersion:
            continue
        signature = _signature(record)
        if per_test[test] >= PER_TEST and signature <= covered:
            continue
        covered |= signature
        per_test[test] += 1
        cases.append(
            {
                "name": f"{test}#{per_test[test]}",
                # The version it was decided with, so the case replays it after a newer
                # version becomes the default (decisions.md D-35).
                "pack_version": record["pack_version"],
                "context": json.loads(raw),
                "record": record,
            }
        )
    (HERE / "decisions.json").write_text(json.dumps(cases, sort_keys=True, indent=0) + "\n")
    print(f"{len(cases)} golden cases")


if __name__ == "__main__":
    main()
