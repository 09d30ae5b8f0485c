"""`make bench`: every benchmark suite, one embedded infrastructure, results in bench/results/."""

from __future__ import annotations

import asyncio
import importlib
import shutil
import signal
import sys
import tempfile
from pathlib import Path

from goodfaith_runtime.infra import Infra

SUITES = ["bench.bench_event_store", "bench.bench_ledger", "bench.bench_compliance"]


def main(selected: list[str]) -> None:
    # A run stopped with SIGTERM (a timeout, CI) still stops its embedded PostgreSQL and broker:
    # by default the signal ends the process without running the `finally` below.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    home = Path(tempfile.mkdtemp(prefix="goodfaith-bench-"))
    infra = Infra.from_environment(home)
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
        shutil.rmtree(home, ignore_errors=True)  # the database files of a run: gigabytes


if __name__ == "__main__":
    main(sys.argv[1:])
