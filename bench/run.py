"""`make bench`: every benchmark suite, each on its own embedded infrastructure, results in
bench/results/."""

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


def run_suite(name: str, infra: Infra) -> None:
    module = importlib.import_module(name)
    suite = asyncio.run(module.run(infra))
    suite.print()
    print(f"  written: {suite.write()}")


def main(selected: list[str]) -> None:
    # A run stopped with SIGTERM (a timeout, CI) still stops its embedded PostgreSQL and broker:
    # by default the signal ends the process without running the `finally` below.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    # Each suite gets a fresh PostgreSQL and broker (external servers, set in the
    # environment, are the same ones each time: Infra.from_environment). On one shared server
    # the compliance suite ran right after the ledger's million invoices, while that server
    # still vacuumed and checkpointed them: its Kafka gate p99 was 263-3,443 ms there against
    # 104-139 ms alone (docs/benchmarks.md, seventh session). A suite measures its subject,
    # not the last one's leftovers.
    for name in (n for n in SUITES if not selected or any(s in n for s in selected)):
        home = Path(tempfile.mkdtemp(prefix="goodfaith-bench-"))
        infra = Infra.from_environment(home)
        try:
            run_suite(name, infra)
        finally:
            infra.stop()
            shutil.rmtree(home, ignore_errors=True)  # the database files of a run: gigabytes


if __name__ == "__main__":
    main(sys.argv[1:])
