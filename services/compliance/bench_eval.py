"""In-process throughput of the compliance gate's pure domain.

Run: uv run python services/compliance/bench_eval.py

The realistic context: a third-party collector calls a New York consumer (NYS and NYC packs
selected) with an address in New York, a 212 cell, a 312 work line and a stated location in Los
Angeles (3 candidate zones), 2 debts and 10 history items (calls, a conversation, texts,
emails). The baseline runs the same loop through `evaluate` with a pack version holding only
FED-TIME-WINDOW, so the ratio is the cost of the full rule set over the cheapest possible
decision on the same context.

Honesty: every evaluation gets its own context object (a pool of independently validated
contexts, distinct request ids, cycled), and `evaluate` keeps nothing per context or per decision
between calls. What is shared across calls is static: plans per (pack version, packs, action,
channel), the packs per (states, UK/US person, NYC, consumer debt, collector role), the shared
constant results of rules (FED-TZ-ALL's ALLOW per set of zone names among them), and the
zone-name / area-code / candidate-zone look-ups in timezones.py. `decisions_per_s` cycles 16
contexts, which stay in the CPU cache as a context the gate has just deserialised would;
`cold_contexts_per_s` cycles 256, so every evaluation also pays cache misses on its context (a
pessimistic bound). The machine is shared: run it several times and compare the full figure
with the baseline of the same run.
"""

from __future__ import annotations

import time as clock
from datetime import UTC, datetime, timedelta
from itertools import cycle
from typing import Any

from compliance.domain import EvaluationContext, evaluate
from compliance.domain.packs import PackRegistry, PackVersion
from compliance.domain.rules.time_place import TIME_WINDOW

T0 = datetime(2026, 11, 18, 17, 0, tzinfo=UTC)  # 12:00 in New York, 09:00 in Los Angeles


def _history() -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for i in range(6):
        items.append(
            {
                "event_id": f"e-call-{i}",
                "at": T0 - timedelta(days=i + 1 if i < 5 else 9, hours=2),
                "channel": "call",
                "endpoint_id": "ph-1",
                "person_id": "p-1",
                "debt_ids": ["d-1"] if i % 2 else ["d-1", "d-2"],
                "connected": i != 3,
                "conversation": i == 5,
            }
        )
    for i, channel in enumerate(("sms", "email", "sms", "email")):
        items.append(
            {
                "event_id": f"e-msg-{i}",
                "at": T0 - timedelta(days=i + 2, hours=5),
                "channel": channel,
                "endpoint_id": "ph-1" if channel == "sms" else "em-1",
                "person_id": "p-1",
                "debt_ids": ["d-2"],
            }
        )
    return items


def realistic_context(request_id: str = "r-1") -> EvaluationContext:
    return EvaluationContext.model_validate(
        {
            "collector": {
                "collector_id": "col-1",
                "role": "third_party_collector",
                "business_name": "Fairway Recovery LLC",
                "creditor_id": "cr-1",
                "creditor_name": "Acme Bank",
            },
            "person": {
                "person_id": "p-1",
                "role": "consumer",
                "rpc": "verified",
                "addresses": [
                    {
                        "address_id": "a-1",
                        "kind": "residence",
                        "state": "NY",
                        "in_nyc": True,
                        "tz": "America/New_York",
                    }
                ],
                "stated_locations": [
                    {"tz": "America/Los_Angeles", "stated_at": T0 - timedelta(days=20)}
                ],
                "language_pref_requested_at": T0 - timedelta(days=40),
            },
            "endpoints": [
                {
                    "kind": "phone",
                    "endpoint_id": "ph-1",
                    "e164": "+12125550100",
                    "phone_type": "cell",
                },
                {
                    "kind": "phone",
                    "endpoint_id": "ph-2",
                    "e164": "+13125550100",
                    "phone_type": "work",
                },
                {
                    "kind": "email",
                    "endpoint_id": "em-1",
                    "address": "pat@example.com",
                    "consumer_used_at": T0 - timedelta(days=30),
                },
            ],
            "debts": [
                {
                    "debt_id": debt_id,
                    "purpose": "consumer",
                    "governing_state": "NY",
                    "time_barred": False,
                    "initial_communication_at": T0 - timedelta(days=60),
                    "validation_notice_provided_at": T0 - timedelta(days=60),
                    "nys_initial_disclosure_sent_at": T0 - timedelta(days=59),
                }
                for debt_id in ("d-1", "d-2")
            ],
            "history": _history(),
            "proposal": {
                "request_id": request_id,
                "channel": "call",
                "endpoint_id": "ph-1",
                "recipient_person_id": "p-1",
                "recipient_role": "consumer",
                "debt_ids": ["d-1", "d-2"],
                "template_type": "AGENT_CALL",
                "content": {
                    "text": "Hi, this is Sam with Fairway Recovery LLC. This call is from a debt "
                    "collector. We can offer a payment plan on your two accounts."
                },
                "intended_send_at": T0,
            },
        }
    )


def pool(size: int = 16) -> list[EvaluationContext]:
    """Fresh context objects: each evaluation in the loops below gets the next one."""
    return [realistic_context(f"r-{i}") for i in range(size)]


def _rate(fn: Any, seconds: float) -> float:
    n, start = 0, clock.perf_counter()
    deadline = start + seconds
    while True:
        for _ in range(200):
            fn()
        n += 200
        now = clock.perf_counter()
        if now >= deadline:
            return n / (now - start)


def _worker_rate(seconds: float) -> float:
    contexts = cycle(pool())
    evaluate(realistic_context())
    return _rate(lambda: evaluate(next(contexts)), seconds)


def parallel_rate(seconds: float, processes: int = 2) -> float:
    """Aggregate decisions/s of `processes` independent gate workers (the gate is partitioned
    per person, so workers share nothing). Reported separately from the in-process figure."""
    from multiprocessing import get_context

    with get_context("spawn").Pool(processes) as pool:
        return sum(pool.map(_worker_rate, [seconds] * processes))


def run(seconds: float = 3.0) -> dict[str, float]:
    """In-process decisions/s for the realistic context and for the baseline, same run."""
    ctx = realistic_context()
    decision = evaluate(ctx)
    if decision.outcome.value != "ALLOW":
        raise RuntimeError(f"benchmark context should be allowed: {decision.reasons}")
    baseline = PackRegistry()
    baseline.register(PackVersion("bench-baseline", {"FED": (TIME_WINDOW,)}))
    contexts = cycle(pool())
    full = _rate(lambda: evaluate(next(contexts)), seconds / 3)
    base = _rate(lambda: evaluate(next(contexts), registry=baseline), seconds / 3)
    cold_contexts = cycle(pool(256))
    cold = _rate(lambda: evaluate(next(cold_contexts)), seconds / 3)
    return {
        "decisions_per_s": round(full),
        "baseline_per_s": round(base),
        "ratio": round(full / base, 3),
        "cold_contexts_per_s": round(cold),
        "rules_in_trace": len(decision.trace),
    }


if __name__ == "__main__":
    result = run()
    # One worker process per core (the gate is partitioned per person): reported separately.
    result["two_process_aggregate_per_s"] = round(parallel_rate(1.5))
    print(result)
