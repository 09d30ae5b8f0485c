"""`make bench`: every benchmark suite, one embedded infrastructure, results in bench/results/."""

from __future__ import annotations

import asyncio
import importlib
import sys
import tempfile
from pathlib import Path

from goodfaith_runtime.infra import Infra

SUITES = ["bench.bench_event_store", "bench.bench_ledger", "bench.bench_compliance"]


def main(selected: list[str]) -> None:
    infra = Infra.from_environment(Path(tempfile.mkdtemp(prefix="goodfaith-bench-")))
    try:
        for name in SUITES:
            if selected and not any(s in name for s in selected):
                continue
            module = importlib.import_module(name)
            suite = asyncio.run(module.run(infra))
            suite.print()
            print(f"  written: {suite.write()}")
    finally:
        infra.stop()


if __name__ == "__main__":
    main(sys.argv[1:])
