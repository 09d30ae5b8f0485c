"""Pack 2026.12.2, FED-LOC (decisions.md D-103): a location script that names the creditor
reveals the debt, and a location call that never connected was no communication."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from compliance.domain import evaluate
from compliance.domain.context import Content, ContentMeta, PersonRole, RpcState
from compliance.domain.results import Outcome

from .factories import T0, call, fine, result, with_history, with_person, with_proposal

OLD, NEW = "2026.12.1", "2026.12.2"
SCRIPT = "Hi, this is Sam. I am confirming location information for Pat Doe."


def _location(text: str = SCRIPT, **proposal: Any) -> Any:
    third_party = with_person(fine(), role=PersonRole.THIRD_PARTY, rpc=RpcState.UNVERIFIED)
    return with_proposal(
        third_party, location_inquiry=True, template_type="LOCATION_INQUIRY",
        content=Content(text=text, meta=ContentMeta(location_script=True)), **proposal)


def test_a_location_script_without_debt_words_is_allowed() -> None:
    assert evaluate(_location(), pack_version=NEW).allowed


def test_d103_a_location_script_naming_the_creditor_is_blocked() -> None:
    ctx = _location("Hi, this is Sam calling for Pat Doe on behalf of Acme Bank.")  # the creditor
    assert evaluate(ctx, pack_version=OLD).allowed  # as released
    new = evaluate(ctx, pack_version=NEW)
    r = result(new, "FED-LOC")
    assert r.outcome is Outcome.BLOCK and "acme bank" in r.explanation


@pytest.mark.parametrize(("connected", "blocked"), [(False, False), (True, True), (None, True)])
def test_d103_only_a_location_call_that_connected_was_the_one_communication(
    connected: bool | None, blocked: bool,
) -> None:
    earlier = call(T0 - timedelta(days=3), location_contact=True, connected=connected)
    new = evaluate(with_history(_location(), earlier), pack_version=NEW)
    assert (result(new, "FED-LOC").outcome is Outcome.BLOCK) is blocked
