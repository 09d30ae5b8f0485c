"""Pack version 2026.12.2: the fail-closed fixes of an adversarial review of every rule against
the reference (decisions.md D-56 onwards). The version must keep every rule id in its place,
leave 2026.12.1 and 2026.11.1 replaying exactly, and answer every golden context as 2026.12.1
does except the cases listed in CHANGED_IN_2026_12_2, each a fix with its decision."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from compliance.domain import CURRENT_VERSION, DEFAULT_REGISTRY, EvaluationContext, evaluate
from compliance.domain.policy_params import POLICY_2026_12_2, PolicyParams

from .factories import fine

PREVIOUS, FIXED = "2026.12.1", "2026.12.2"
GOLDEN = Path(__file__).parent / "golden" / "decisions.json"
_UNIT = "services/compliance/tests/unit/"
_VN = _UNIT + "test_validation.py::"

# Golden contexts 2026.12.2 decides differently from 2026.12.1, with its (outcome, reasons).
CHANGED_IN_2026_12_2: dict[str, tuple[str, tuple[str, ...]]] = {
    # -- time, place and frequency (D-56 to D-65) --
    # D-58: a zone that is not an IANA name blocks every rule that needs the zones, not only
    # FED-TZ-ALL (FED-TIME-WINDOW, FED-7IN7, FED-CONV-COOLDOWN, POL-LAST-DIAL), one reason each.
    _UNIT + "test_time_place.py::test_unknown_zone_blocks_as_missing_data_without_raising#1": (
        "BLOCK",
        ("DATA_MISSING:person.addresses[0].tz",) * 5,
    ),

    # -- validation, disputes and channels (D-66 to D-79) --
    # D-66: FED-OVERSHADOW now judges the validation notice itself (NOT_APPLICABLE -> ALLOW
    # in the trace; these notices carry no deadline, so no outcome changes).
    _VN + "test_the_validation_notice_itself_may_go_out_late#1": (
        "BLOCK",
        ("FED-MINI-MIRANDA",),
    ),
    _VN + "test_a_validation_notice_with_every_element_and_a_correct_end_date_passes#1": (
        "ALLOW",
        (),
    ),
    _VN + "test_a_validation_notice_missing_an_element_is_blocked#1": (
        "BLOCK",
        ("FED-VN-CONTENT",),
    ),
    _VN + "test_a_validation_notice_stating_too_early_an_end_date_is_blocked#1": (
        "BLOCK",
        ("FED-VN-PERIOD",),
    ),
    _VN + "test_a_validation_notice_without_an_end_date_is_missing_data#1": (
        "BLOCK",
        ("DATA_MISSING:proposal.content.meta.validation_period_end_stated",),
    ),
    _VN + "test_an_emailed_validation_notice_needs_esign_consent_or_a_safe_harbour_method#1": (
        "BLOCK",
        ("FED-DELIVERY",),
    ),
    _VN + "test_an_emailed_validation_notice_needs_esign_consent_or_a_safe_harbour_method#2": (
        "ALLOW",
        (),
    ),

    # -- content (D-80 to D-94) --
    # D-89: a remedy notice with no remedy recorded as lawful (and intended) is not true.
    _UNIT + "test_time_place.py::test_cease_allows_a_notice_of_remedies_ordinarily_invoked#1": (
        "BLOCK",
        ("FED-ACTION-THREAT",),
    ),
    _UNIT + "test_time_place.py::test_cease_allows_a_notice_of_a_specified_remedy#1": (
        "BLOCK",
        ("FED-ACTION-THREAT",),
    ),

    # -- pack selection, state overlays and the service layer (D-95 onwards) --
}


def test_2026_12_2_is_the_default_and_the_older_versions_are_still_registered() -> None:
    assert CURRENT_VERSION == FIXED
    assert DEFAULT_REGISTRY.versions == ("2026.11.1", PREVIOUS, FIXED)
    assert evaluate(fine()).pack_version == FIXED


def test_2026_12_2_keeps_every_rule_id_in_the_same_order() -> None:
    previous, fixed = DEFAULT_REGISTRY.get(PREVIOUS), DEFAULT_REGISTRY.get(FIXED)
    assert previous.rule_ids() == fixed.rule_ids()


def test_the_older_versions_keep_the_new_switches_off() -> None:
    defaults = PolicyParams()
    for name, value in POLICY_2026_12_2.items():
        assert getattr(DEFAULT_REGISTRY.get(FIXED).policy, name) == value, name
        for version in ("2026.11.1", PREVIOUS):
            assert getattr(DEFAULT_REGISTRY.get(version).policy, name) == getattr(
                defaults, name), (version, name)


def test_2026_12_2_answers_the_golden_contexts_as_2026_12_1_except_the_fixed_gaps() -> None:
    cases: list[dict[str, Any]] = json.loads(GOLDEN.read_text())
    changed = []
    for case in cases:
        ctx = EvaluationContext.model_validate(case["context"])
        before = evaluate(ctx, pack_version=PREVIOUS).as_record()
        record = evaluate(ctx, pack_version=FIXED).as_record()
        expected = CHANGED_IN_2026_12_2.get(case["name"])
        if expected is None:
            assert record == {**before, "pack_version": FIXED}, case["name"]
        else:
            changed.append(case["name"])
            assert (record["outcome"], tuple(record["reasons"])) == expected, case["name"]
            assert record != {**before, "pack_version": FIXED}, case["name"]
    assert sorted(changed) == sorted(CHANGED_IN_2026_12_2)
