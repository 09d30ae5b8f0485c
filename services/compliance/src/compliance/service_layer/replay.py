"""Replaying a recorded decision: the sealed context, evaluated again with the recorded pack
version (decisions.md D-35), must give the same record (12 CFR 1006.100)."""

from __future__ import annotations

from typing import Any

from compliance.domain import EvaluationContext, evaluate
from compliance.service_layer.records import expand_record


def replay(context_json: str, pack_version: str, recorded: dict[str, Any]) -> dict[str, Any]:
    recorded = expand_record(recorded)
    ctx = EvaluationContext.model_validate_json(context_json)
    again = evaluate(ctx, pack_version=pack_version).as_record()
    before = {r["rule_id"]: r for r in recorded["trace"]}
    after = {r["rule_id"]: r for r in again["trace"]}
    differing = sorted(rule for rule in before.keys() | after.keys()
                       if before.get(rule) != after.get(rule))
    return {
        "pack_version": pack_version, "matches": again == recorded,
        "recorded_outcome": recorded["outcome"], "replayed_outcome": again["outcome"],
        "differing_rules": differing,
    }
