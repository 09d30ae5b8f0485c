"""The initial communication about a debt, as the person's contact history shows it
(FED-VN-TIMING, FED-MINI-MIRANDA, NYS-INIT-DISC; decisions.md D-40).

A communication conveys information about the debt to the consumer (1692a(2), 1006.2(d)); the
initial one is the first (1006.34(b)(2)). An attempt that conveyed nothing is not one: a call
that was not answered, a limited-content message (1006.2(j), comment 2(d)-2), a message that
bounced, a contact that reached someone else. Works on ContactEvent documents as the state
keeps them (defaults of the domain model where a key is absent).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import datetime
from typing import Any

from compliance.domain.context import TemplateType
from compliance.domain.facts import CONSUMER_ROLES

Doc = dict[str, Any]

# The roles a contact counts as with the consumer, as ContactEvent documents spell them.
CONSUMER_ROLE_VALUES = frozenset(r.value for r in CONSUMER_ROLES)
# 1692g(d) and 1006.34(b)(2): a formal pleading is not an initial communication; a proof of
# claim is filed with a court, not sent to the consumer (D-18 treats them alike).
_NOT_INITIAL = frozenset({TemplateType.FORMAL_PLEADING.value, TemplateType.PROOF_OF_CLAIM.value})
_LCM = TemplateType.LIMITED_CONTENT_MESSAGE.value
# Channels where reaching the endpoint is not conveying: only a live conversation is.
_SPOKEN = frozenset({"call", "visit"})


def conveyed(event: Doc) -> bool:
    """Whether the contact conveyed information to the consumer (D-40)."""
    voicemail = event.get("voicemail") or "none"
    spoke = event.get("conversation") or voicemail == "full"
    if not spoke and (event.get("channel") in _SPOKEN or event.get("direction") == "inbound"):
        return False  # a call that rang or failed, a visit that met no one; the person wrote
    if event.get("recipient_role", "consumer") not in CONSUMER_ROLE_VALUES:
        # Not the consumer (a location contact among them, which must not convey the debt).
        # A location flag on a contact with the consumer changes nothing: it is one (D-102).
        return False
    template = event.get("template_type")
    if template in _NOT_INITIAL:
        return False
    if event.get("conversation"):
        return True  # a live conversation, even on a call meant for a message only
    if template == _LCM or voicemail == "lcm":
        return False
    if spoke:
        return True  # a voicemail that is not an LCM
    # A written or recorded message (SMS, email, letter, social, voicemail drop): conveyed
    # unless it never arrived; an unknown delivery counts (fail closed, reference section 0).
    return event.get("connected") is not False and event.get("undeliverable_at") is None


def first_communications(
    history: Iterable[Doc], debt_ids: Collection[str], excluded: Collection[str] = (),
) -> dict[str, str]:
    """The instant (as recorded) of the earliest communication about each of `debt_ids`;
    `excluded` names contacts known to have reached someone else."""
    found: dict[str, tuple[datetime, str]] = {}
    for event in history:
        about = [d for d in event.get("debt_ids", ()) if d in debt_ids]
        if not about or event.get("event_id") in excluded or not conveyed(event):
            continue
        at = _instant(event["at"])
        for debt_id in about:
            if debt_id not in found or at < found[debt_id][0]:
                found[debt_id] = (at, event["at"])
    return {debt_id: text for debt_id, (_, text) in found.items()}


def earlier(candidate: str, recorded: Any) -> bool:
    """Whether `candidate` comes before the recorded date (None: no date recorded)."""
    if recorded is None:
        return True
    kept = recorded if isinstance(recorded, datetime) else _instant(str(recorded))
    return _instant(candidate) < kept


def _instant(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))
