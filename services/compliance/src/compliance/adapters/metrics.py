"""Prometheus counters of the gate (served on /metrics). Labels carry no personal data."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

from compliance.domain import Decision

DECISIONS = Counter("compliance_decisions_total", "Gate decisions", ["outcome", "source"])
FAILING = Counter("compliance_decision_failing_rules_total",
                  "Rules that stopped an automatic send, by rule id", ["rule_id"])
VIOLATIONS = Counter("compliance_violations_total",
                     "Contact attempts without a valid approval", ["reason"])
CONFLICTS = Counter("compliance_decision_conflicts_total",
                    "Decisions redone because another decision for the person won")
LATENCY = Histogram("compliance_decision_seconds", "Time to decide, store and record",
                    ["source"], buckets=(0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 1.0))


def count_decision(decision: Decision, source: str) -> None:
    DECISIONS.labels(decision.outcome.value, source).inc()
    for result in decision.failing:
        FAILING.labels(result.rule_id).inc()
