"""Pack 2026.12.2 fixes for validation, disputes and channels (decisions.md D-66 to D-79).

Each scenario asserts the 2026.12.1 answer (the wrong ALLOW the review found, kept so that
recorded decisions replay) and the 2026.12.2 answer, plus the boundary case that must still be
allowed. Based on the review's reproducers (/tmp/audit_restrict/test_findings.py)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from compliance.domain import evaluate
from compliance.domain.context import (
    Dispute,
    EvaluationContext,
    Medium,
    PostalEndpoint,
)
from compliance.domain.results import Outcome
from compliance.domain.rules.validation import VN_ELEMENTS

from .factories import (
    CALL_SCRIPT,
    EMAIL_TEXT,
    INITIAL_TEXT,
    T0,
    email,
    fine,
    phone,
    result,
    with_content,
    with_debt,
    with_proposal,
)

OLD, NEW = "2026.12.1", "2026.12.2"
ENVELOPE = frozenset(["collector_address", "debtor_name_address", "postage"])


def both(ctx: EvaluationContext, rule_id: str) -> tuple[Any, Any]:
    """(2026.12.1 decision, 2026.12.2 decision) and the named rule's results in each."""
    old, new = evaluate(ctx, pack_version=OLD), evaluate(ctx, pack_version=NEW)
    return (old, result(old, rule_id)), (new, result(new, rule_id))


def email_ctx(ctx: EvaluationContext, text: str, tmpl: str = "REMINDER") -> EvaluationContext:
    ctx = with_proposal(ctx, channel="email", endpoint_id="em-1", template_type=tmpl)
    return with_content(ctx, text)


# --- D-66: FED-OVERSHADOW judges the validation notice itself ------------------------------


def _vn_letter(text: str, **meta: Any) -> EvaluationContext:
    ctx = fine(endpoints=[phone(), email(), PostalEndpoint(endpoint_id="po-1", address_id="a-1")])
    ctx = with_debt(
        ctx, initial_communication_at=T0 - timedelta(days=1), validation_notice_provided_at=None
    )
    ctx = with_proposal(ctx, channel="letter", endpoint_id="po-1", template_type="VN")
    fields = {
        "vn_elements": VN_ELEMENTS,
        "validation_period_end_stated": date(2026, 12, 31),
        "envelope_items": ENVELOPE,
        **meta,
    }
    return with_content(ctx, INITIAL_TEXT + text, **fields)


def test_d66_a_validation_notice_with_a_deadline_before_its_own_period_end_is_blocked() -> None:
    ctx = _vn_letter(" Pay the full balance.", payment_deadline=date(2026, 11, 25))
    (old, old_r), (new, new_r) = both(ctx, "FED-OVERSHADOW")
    assert old.allowed and old_r.outcome is Outcome.NOT_APPLICABLE
    assert not new.allowed and new_r.outcome is Outcome.BLOCK


def test_d66_boundary_a_deadline_on_the_stated_period_end_still_passes() -> None:
    ctx = _vn_letter(" Pay the full balance.", payment_deadline=date(2026, 12, 31))
    (old, _), (new, new_r) = both(ctx, "FED-OVERSHADOW")
    assert old.allowed and new.allowed and new_r.outcome is Outcome.ALLOW


def test_d66_a_stated_end_earlier_than_the_lawful_one_does_not_shorten_the_period() -> None:
    # The notice sent on 2026-11-18 cannot end its period before 2026-12-25 (FED-VN-PERIOD
    # blocks the statement too); a deadline of 2026-12-20 is before the lawful end.
    ctx = _vn_letter(
        " Pay the full balance.",
        validation_period_end_stated=date(2026, 12, 10),
        payment_deadline=date(2026, 12, 20),
    )
    new = evaluate(ctx, pack_version=NEW)
    assert result(new, "FED-OVERSHADOW").outcome is Outcome.BLOCK


# --- D-67: deadlines written only in the text ----------------------------------------------

IN_PERIOD = {
    "validation_notice_provided_at": T0 - timedelta(days=2),
    "initial_communication_at": T0 - timedelta(days=2),
}


@pytest.mark.parametrize(
    "sentence",
    [
        "You must pay the full balance by November 25.",
        "Payment is due by Friday, December 4, 2026.",
        "Your due date is Nov. 30.",
        "Please pay by 11/30/2026.",
        "You must pay within 10 days.",
    ],
)
def test_d67_a_deadline_in_the_text_before_the_period_end_is_blocked(sentence: str) -> None:
    ctx = email_ctx(with_debt(fine(), **IN_PERIOD), EMAIL_TEXT + " " + sentence)
    (old, _), (new, new_r) = both(ctx, "FED-OVERSHADOW")
    assert old.allowed
    assert not new.allowed and new_r.outcome is Outcome.BLOCK


@pytest.mark.parametrize(
    "sentence",
    [
        "You may pay by January 31, 2027.",  # after the period end (2026-12-22)
        "You can pay by card or by check.",  # no deadline
        "Your statement is due to arrive by November 25.",  # not about paying
        "Pay online. We will write to you by November 25.",  # another sentence
    ],
)
def test_d67_boundary_no_deadline_before_the_period_end_is_allowed(sentence: str) -> None:
    ctx = email_ctx(with_debt(fine(), **IN_PERIOD), EMAIL_TEXT + " " + sentence)
    new = evaluate(ctx, pack_version=NEW)
    assert new.allowed and result(new, "FED-OVERSHADOW").outcome is Outcome.ALLOW


def test_d67_a_deadline_outside_the_validation_period_is_not_judged() -> None:
    ctx = email_ctx(fine(), EMAIL_TEXT + " You must pay the full balance by November 25.")
    new = evaluate(ctx, pack_version=NEW)
    assert new.allowed and result(new, "FED-OVERSHADOW").outcome is Outcome.NOT_APPLICABLE


def test_d67_an_unreadable_date_goes_to_review() -> None:
    ctx = email_ctx(with_debt(fine(), **IN_PERIOD), EMAIL_TEXT + " Pay by February 30.")
    new = evaluate(ctx, pack_version=NEW)
    assert result(new, "FED-OVERSHADOW").outcome is Outcome.REVIEW


# --- D-68, D-69: FED-DISPUTE-HOLD ---------------------------------------------------------


def _disputed(**dispute: Any) -> EvaluationContext:
    d = Dispute(received_at=T0 - timedelta(days=2), **dispute)
    ctx = with_debt(fine(), validation_notice_provided_at=T0 - timedelta(days=10), disputes=[d])
    return email_ctx(ctx, EMAIL_TEXT)


@pytest.mark.parametrize("medium", [Medium.EMAIL, Medium.MAIL, Medium.TEXT, Medium.SOCIAL])
def test_d68_a_dispute_through_a_written_medium_pauses_whatever_its_flag(medium: Medium) -> None:
    (old, _), (new, new_r) = both(_disputed(medium=medium, written=False), "FED-DISPUTE-HOLD")
    assert old.allowed
    assert not new.allowed and new_r.outcome is Outcome.PAUSE


@pytest.mark.parametrize("medium", [Medium.TELEPHONE, Medium.IN_PERSON])
def test_d68_boundary_an_oral_dispute_still_does_not_pause(medium: Medium) -> None:
    new = evaluate(_disputed(medium=medium, written=False), pack_version=NEW)
    assert result(new, "FED-DISPUTE-HOLD").outcome is Outcome.ALLOW
    assert result(new, "FED-DISPUTE-LATE").outcome is Outcome.REQUIRE  # still marked disputed


def test_d69_a_recorded_late_flag_does_not_override_a_timely_receipt() -> None:
    ctx = _disputed(medium=Medium.MAIL, written=True, within_validation_period=False)
    (old, _), (new, new_r) = both(ctx, "FED-DISPUTE-HOLD")
    assert old.allowed
    assert not new.allowed and new_r.outcome is Outcome.PAUSE


def test_d69_boundary_a_dispute_received_after_the_period_is_still_late() -> None:
    d = Dispute(
        received_at=T0 - timedelta(days=2),
        medium=Medium.MAIL,
        written=True,
        within_validation_period=False,
    )
    ctx = with_debt(fine(), disputes=[d])  # provided 2026-10-01: the period ended in November
    new = evaluate(email_ctx(ctx, EMAIL_TEXT), pack_version=NEW)
    assert result(new, "FED-DISPUTE-HOLD").outcome is Outcome.ALLOW


# --- D-72: FED-DELIVERY, oral validation information only in the initial communication ------


def _oral_vn(initial_days_ago: int | None) -> EvaluationContext:
    first = None if initial_days_ago is None else T0 - timedelta(days=initial_days_ago)
    ctx = with_debt(fine(), initial_communication_at=first, validation_notice_provided_at=None)
    return with_content(
        with_proposal(ctx, template_type="VN"),
        CALL_SCRIPT,
        vn_elements=VN_ELEMENTS,
        validation_period_end_stated=date(2027, 1, 31),
    )


@pytest.mark.parametrize("days", [1, 20])
def test_d72_an_oral_validation_notice_after_the_initial_communication_is_blocked(
    days: int,
) -> None:
    (old, old_r), (new, new_r) = both(_oral_vn(days), "FED-DELIVERY")
    assert old_r.outcome is Outcome.ALLOW
    assert not new.allowed and new_r.outcome is Outcome.BLOCK


def test_d72_boundary_an_oral_validation_notice_in_the_initial_call_is_allowed() -> None:
    new = evaluate(_oral_vn(None), pack_version=NEW)
    assert result(new, "FED-DELIVERY").outcome is Outcome.ALLOW
