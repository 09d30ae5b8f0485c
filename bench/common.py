"""Shared benchmark plumbing: one embedded infrastructure per run, result tables and JSON."""

from __future__ import annotations

import json
import platform
import sys
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).parent / "results"


@dataclass
class Row:
    case: str
    subject: str
    count: int
    seconds: float
    unit: str = "events/s"

    @property
    def rate(self) -> float:
        return self.count / self.seconds if self.seconds else 0.0


@dataclass
class Suite:
    name: str
    rows: list[Row] = field(default_factory=list)
    ratios: dict[str, float] = field(default_factory=dict)
    targets: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    # Figures that are not rates, such as latency percentiles: label -> (value, unit).
    measures: dict[str, tuple[float, str]] = field(default_factory=dict)

    def add(self, case: str, subject: str, count: int, seconds: float,
            unit: str = "events/s") -> Row:
        row = Row(case, subject, count, seconds, unit)
        self.rows.append(row)
        return row

    def rate(self, case: str, subject: str) -> float:
        return next(r.rate for r in self.rows if r.case == case and r.subject == subject)

    def ratio(
        self, label: str, num: tuple[str, str], den: tuple[str, str], target: str = "",
    ) -> None:
        self.ratios[label] = round(self.rate(*num) / self.rate(*den), 2)
        if target:
            self.targets[label] = target

    def measure(self, label: str, value: float, unit: str, target: str = "") -> None:
        self.measures[label] = (round(value, 2), unit)
        if target:
            self.targets[label] = target

    def print(self) -> None:
        print(f"\n== {self.name} == (Python {platform.python_version()}, {sys.executable})")
        print(f"{'case':<34}{'subject':<26}{'count':>10}{'seconds':>10}{'rate':>14}")
        for r in self.rows:
            print(f"{r.case:<34}{r.subject:<26}{r.count:>10}{r.seconds:>10.2f}"
                  f"{r.rate:>12,.0f} {r.unit}")
        for label, value in self.ratios.items():
            target = self.targets.get(label, "")
            print(f"  ratio {label:<58} {value:>6.2f}x  {('target ' + target) if target else ''}")
        for label, (value, unit) in self.measures.items():
            target = self.targets.get(label, "")
            print(f"  {label:<64} {value:>9,.1f} {unit}  {('target ' + target) if target else ''}")
        for note in self.notes:
            print(f"  note: {note}")

    def markdown(self) -> str:
        lines = [f"## {self.name}", "", "| case | subject | count | seconds | rate |",
                 "|---|---|---:|---:|---:|"]
        lines += [f"| {r.case} | {r.subject} | {r.count} | {r.seconds:.2f} | "
                  f"{r.rate:,.0f} {r.unit} |" for r in self.rows]
        if self.ratios:
            lines += ["", "| ratio | measured | target |", "|---|---:|---|"]
            lines += [f"| {k} | {v:.2f}x | {self.targets.get(k, '')} |"
                      for k, v in self.ratios.items()]
        if self.measures:
            lines += ["", "| measure | value | target |", "|---|---:|---|"]
            lines += [f"| {k} | {v:,.1f} {u} | {self.targets.get(k, '')} |"
                      for k, (v, u) in self.measures.items()]
        extra = {k: v for k, v in self.targets.items()
                 if k not in self.ratios and k not in self.measures}
        lines += [f"- target {k}: {v}" for k, v in extra.items()]
        lines += [f"- {note}" for note in self.notes]
        return "\n".join(lines) + "\n"

    def write(self) -> Path:
        RESULTS.mkdir(exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        body: dict[str, Any] = {
            "suite": self.name, "recorded_at": stamp, "machine": platform.node(),
            "python": platform.python_version(), "python_executable": sys.executable,
            "python_build": " ".join(platform.python_build()),
            "rows": [{**asdict(r), "rate": round(r.rate, 1)} for r in self.rows],
            "ratios": self.ratios, "targets": self.targets, "notes": self.notes,
            "measures": {k: {"value": v, "unit": u} for k, (v, u) in self.measures.items()},
        }
        path = RESULTS / f"{self.name}.json"
        path.write_text(json.dumps(body, indent=2) + "\n")
        (RESULTS / f"{self.name}.md").write_text(f"<!-- {stamp} -->\n" + self.markdown())
        return path


class Timer:
    def __enter__(self) -> Timer:
        self.start = time.perf_counter()
        return self

    def __exit__(self, *_: object) -> None:
        self.seconds = time.perf_counter() - self.start
