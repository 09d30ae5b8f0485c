"""A reported attempt: its entry in the contact history, and whether it broke the gate protocol.

Every attempt counts for the caps whatever its approval (reference FED-7IN7: unanswered calls
and voicemails count). An attempt is a violation when it was made without an approval that
covers exactly it (architecture, gate steps 3 and 4).
"""

from __future__ import annotations

from typing import Any

from compliance.domain.context import PersonRole, TemplateType
from compliance.service_layer.communications import CONSUMER_ROLE_VALUES
from compliance.service_layer.context import matches_endpoint
from compliance.service_layer.state import Approval, PersonState
from goodfaith_events.contracts import AttemptOutcome, ContactAttempted
from goodfaith_runtime.pii import ERASED

_ROLES = {r.value for r in PersonRole}
_TEMPLATES = {t.value for t in TemplateType}


def violation(
    state: PersonState, attempt: ContactAttempted, approved_endpoint: str | None,
) -> str | None:
    """The reason code of the violation, or None when the attempt was properly approved."""
    if attempt.approval_id is None:
        return "NO_APPROVAL"
    approval = state.approvals.get(attempt.approval_id)
    if approval is None:
        return "UNKNOWN_APPROVAL"
    mismatch = _mismatch(approval, attempt, approved_endpoint)
    if mismatch is None and state.used.get(approval.approval_id, attempt.attempt_id) != (
            attempt.attempt_id):
        return "APPROVAL_REUSED"  # one approval, one contact
    return mismatch


def _mismatch(
    approval: Approval, attempt: ContactAttempted, approved_endpoint: str | None,
) -> str | None:
    return (_mistimed(approval, attempt) or _misdirected(approval, attempt, approved_endpoint)
            or _other_content(approval, attempt) or _other_debts(approval, attempt))


def _mistimed(approval: Approval, attempt: ContactAttempted) -> str | None:
    if attempt.attempted_at >= approval.expires_at:
        return "APPROVAL_EXPIRED"
    if attempt.attempted_at < approval.granted_at:
        return "BEFORE_APPROVAL"
    # The rules judged the contact at the approval's intended instant, and its lifetime runs
    # from there (approvals.py): earlier, the time rules (FED-TIME-WINDOW, FED-TIME-DESIGNATED,
    # the caps' days) were never applied to it (decisions.md D-41).
    if attempt.attempted_at < approval.intended_send_at:
        return "BEFORE_JUDGED_TIME"
    return None


def _misdirected(
    approval: Approval, attempt: ContactAttempted, approved_endpoint: str | None,
) -> str | None:
    if str(attempt.channel) != approval.channel:
        return "OTHER_CHANNEL"
    if approved_endpoint == ERASED:
        # The person was erased since: the approved endpoint is gone, so the record can no
        # longer show the approval covered this one (decisions.md D-38).
        return "ENDPOINT_UNVERIFIABLE"
    if approved_endpoint is None or attempt.endpoint != approved_endpoint:
        return "OTHER_ENDPOINT"
    return None


def _other_content(approval: Approval, attempt: ContactAttempted) -> str | None:
    if attempt.content_hash is None:
        # Nothing shows this was the content the rules judged (the content rules, the LCM
        # and disclosure checks): not provably approved (decisions.md D-41).
        return "CONTENT_UNVERIFIED" if approval.content_hash else None
    if attempt.content_hash != approval.content_hash:
        return "OTHER_CONTENT"
    return None


def _other_debts(approval: Approval, attempt: ContactAttempted) -> str | None:
    return None if set(attempt.debt_ids) <= set(approval.debt_ids) else "OTHER_DEBTS"


def contact(state: PersonState, attempt: ContactAttempted) -> dict[str, Any]:
    """The ContactEvent document (domain vocabulary) the attempt adds to the history."""
    approval = state.approvals.get(attempt.approval_id or "")
    outcome = attempt.outcome
    template = attempt.template_type if attempt.template_type in _TEMPLATES else None
    role = _counted_role(state, approval)
    voicemail = "none"
    if outcome is AttemptOutcome.VOICEMAIL:
        voicemail = "lcm" if template == TemplateType.LIMITED_CONTENT_MESSAGE.value else "full"
    return {
        "event_id": attempt.attempt_id, "at": attempt.attempted_at.isoformat(),
        "channel": str(attempt.channel), "endpoint_id": _endpoint_id(state, attempt, approval),
        "person_id": state.person_id,
        "recipient_role": role,
        "debt_ids": sorted(attempt.debt_ids),
        "connected": _connected(attempt),
        "conversation": attempt.conversation, "voicemail": voicemail,
        "consent_id": approval.consent_id if approval else None,
        "responding_to_consumer_request": approval.responding if approval else False,
        "location_contact": _location_contact(approval, role, attempt),
        "template_type": template,
        "consent_request": template == TemplateType.CONSENT_REQUEST.value,
        "undeliverable_at": attempt.attempted_at.isoformat()
        if outcome is AttemptOutcome.BOUNCED else None,
        "approval_id": attempt.approval_id,
    }


# Outcomes that show the call reached the dialed number (decisions.md D-98).
_REACHED = frozenset({
    AttemptOutcome.NO_ANSWER, AttemptOutcome.VOICEMAIL, AttemptOutcome.CONVERSATION,
    AttemptOutcome.PROMISE_TO_PAY, AttemptOutcome.WRONG_PARTY, AttemptOutcome.OPTED_OUT,
})


def _connected(attempt: ContactAttempted) -> bool:
    """Whether the attempt counts as connected to the dialed number (FED-FREQ-EXCL (ii) takes
    a call that was not out of both counters). Ring-no-answer, a voicemail and a conversation
    reached the number whatever the dialer's `connected` flag says (many dialers mean
    "answered" by it): the reference says an unanswered call is connected and counts. A
    `not_connected` outcome with the flag set contradicts itself and counts too (decisions.md
    D-98)."""
    return attempt.outcome in _REACHED or attempt.connected


def _location_contact(approval: Approval | None, role: str, attempt: ContactAttempted) -> bool:
    """The attempt is the third party's one location communication (1692b(3), FED-LOC): made
    on a location-inquiry approval, or on no approval at all (its purpose is unknown: fail
    closed), to someone who is not the consumer, and it reached the number (ring-no-answer
    included; a busy line or a network error communicated nothing). To a consumer or spouse
    the flag means nothing: the contact is an ordinary one, which may be the initial
    communication (decisions.md D-102)."""
    asked = approval.location_inquiry if approval is not None else True
    return asked and role not in CONSUMER_ROLE_VALUES and _connected(attempt)


def _counted_role(state: PersonState, approval: Approval | None) -> str:
    """The role the attempt counts under: its approval's (the one the rules judged, which the
    gate only grants for the profile's role), else the profile's, else the consumer's. Never
    the dialer's own label: "creditor" or "attorney" on a call to the consumer would take it
    out of every cap (FED-FREQ-EXCL (iii); decisions.md D-98)."""
    if approval is not None:
        return approval.recipient_role
    role = ((state.profile or {}).get("person") or {}).get("role")
    return role if role in _ROLES else PersonRole.CONSUMER.value


def _endpoint_id(
    state: PersonState, attempt: ContactAttempted, approval: Approval | None,
) -> str | None:
    if attempt.endpoint_id:
        return str(attempt.endpoint_id)
    for endpoint in (state.profile or {}).get("endpoints", []):
        if matches_endpoint(endpoint, attempt.endpoint):
            found: str = endpoint["endpoint_id"]
            return found
    return approval.endpoint_id if approval else None
