"""What the API shows of a person's state: the recorded profile and the restrictions in force."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from compliance.service_layer.context import initial_communications
from compliance.service_layer.overlay import endpoints_rpc, overlay
from compliance.service_layer.state import PersonState

_SKELETON: dict[str, Any] = {"person": {}, "endpoints": [], "debts": []}
_PERSON_KEYS = ("employer_prohibits", "court_permits_contact", "medium_optouts",
                "address_optouts", "inconvenient_times", "inconvenient_places", "consents",
                "stated_locations", "rpc", "language_pref")
_DEBT_KEYS = ("cease", "attorney", "disputes", "time_barred", "past_obsolescence",
              "validation_notice_provided_at", "validation_period_end",
              "initial_communication_at", "oc_request_at", "oc_info_sent_at")


def restrictions(state: PersonState, now: datetime) -> dict[str, Any]:
    doc = overlay(state.profile or _SKELETON, state.facts)
    initial_communications(doc, state)  # dated as the gate dates it (decisions.md D-40)
    person = doc["person"]
    return {
        "person_id": state.person_id,
        "profile_recorded": state.known,
        "person": {k: person[k] for k in _PERSON_KEYS if k in person},
        "debts": [{"debt_id": d["debt_id"], **{k: d.get(k) for k in _DEBT_KEYS}}
                  for d in doc["debts"]],
        # Right-party states recorded for single endpoints, e.g. a wrong number (D-42).
        "endpoint_rpc": endpoints_rpc(state.facts),
        "outstanding_approvals": [
            {"approval_id": a.approval_id, "channel": a.channel, "debt_ids": list(a.debt_ids),
             "intended_send_at": a.intended_send_at, "expires_at": a.expires_at,
             "expired": a.expires_at <= now}
            for a in state.outstanding()],
        "contacts_recorded": len(state.history),
        "facts_recorded": len(state.facts),
    }


def profile(state: PersonState) -> dict[str, Any]:
    return {"person_id": state.person_id, "profile": state.profile, "facts": state.facts,
            "version": state.version}
