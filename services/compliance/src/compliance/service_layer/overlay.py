"""Facts overlaid on the recorded profile: the person and debts the rules read.

Works on JSON documents (the domain's vocabulary); the context builder validates the result
once. A fact about a debt the profile does not list is kept and applies if the debt appears.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from compliance.domain.rules.time_place import WRITTEN_MEDIA

Doc = dict[str, Any]


def overlay(profile: Doc, facts: list[Doc]) -> Doc:
    # Every apply below replaces top-level keys of the person or of a debt (new lists, new
    # dicts), never changes a nested value in place: copying the document, the person and each
    # debt is enough to leave the recorded profile as it was (no deep copy per decision).
    doc: Doc = dict(profile)
    person: Doc = dict(doc["person"])
    doc["person"] = person
    if "debts" in doc:
        doc["debts"] = [dict(d) for d in doc["debts"]]
    debts: dict[str, Doc] = {d["debt_id"]: d for d in doc.get("debts", [])}
    for fact in facts:
        kind, body = fact["fact"], _body(fact)
        apply = _PERSON.get(kind)
        if apply is not None:
            apply(person, body)
            continue
        also = _DEBT_ON_PERSON.get(kind)
        if also is not None:
            also(person, body)  # whether or not the profile lists the debt
        debt = debts.get(fact.get("debt_id", ""))
        apply = _DEBT.get(kind)
        if debt is not None and apply is not None:
            apply(debt, body)
    return doc


def _body(fact: Doc) -> Doc:
    return {k: v for k, v in fact.items() if k not in ("fact", "debt_id")}


def _append(key: str) -> Callable[[Doc, Doc], None]:
    def apply(target: Doc, body: Doc) -> None:
        target[key] = [*target.get(key, []), body]

    return apply


def _setter(key: str, source: str) -> Callable[[Doc, Doc], None]:
    def apply(target: Doc, body: Doc) -> None:
        target[key] = body[source]

    return apply


def _withdraw(person: Doc, body: Doc) -> None:
    person["consents"] = [
        {**c, "withdrawn_at": c.get("withdrawn_at") or body["withdrawn_at"]}
        if c["consent_id"] == body["consent_id"] else c
        for c in person.get("consents", [])
    ]


def _language(person: Doc, body: Doc) -> None:
    person["language_pref"] = body["language"]
    person["language_pref_requested_at"] = body["requested_at"]


def _validation(debt: Doc, body: Doc) -> None:
    debt["validation_notice_provided_at"] = body["provided_at"]
    if body.get("validation_period_end"):
        debt["validation_period_end"] = body["validation_period_end"]


def _verification(debt: Doc, body: Doc) -> None:
    # Verification answers every dispute received before it was sent (1006.38(d)(2)).
    debt["disputes"] = [
        {**d, "verification_sent_at": d.get("verification_sent_at") or body["sent_at"]}
        if _instant(d["received_at"]) <= _instant(body["sent_at"]) else d
        for d in debt.get("disputes", [])
    ]


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _cease(debt: Doc, body: Doc) -> None:
    # FED-CEASE (1692c(c)) is permanent for the debt from the first receipt of a WRITTEN notice
    # (decisions.md D-39): an oral stop recorded first must not hide a later letter.
    kept = debt.get("cease")
    if not kept or _replaces(body, kept):
        debt["cease"] = body


def _written(notice: Doc) -> bool:
    # A notice received by mail, email, text or social message cannot have been oral, whatever
    # its flag says (FED-CEASE from 2026.12.1, decisions.md D-53): the state keeps it as the
    # pack reads it, so a later letter cannot replace an earlier email.
    return bool(notice.get("written")) or notice.get("medium") in WRITTEN_MEDIA


def _replaces(new: Doc, kept: Doc) -> bool:
    if not _written(new):
        return False  # an oral stop is never 1692c(c): it replaces nothing
    if not _written(kept):
        return True
    # Two letters: the earlier receipt stays, whatever order they were recorded in.
    return _instant(new["received_at"]) < _instant(kept["received_at"])


def _oral_stop(person: Doc, body: Doc) -> None:
    # An oral "stop contacting me" is not 1692c(c); the reference sends it to FED-MEDIUM-OPTOUT
    # (1006.14(h)): at the least the person asked us to stop using the medium they said it in
    # (decisions.md D-39). An oral refusal to pay asks nothing of the kind.
    if _written(body) or body.get("kind", "cease_communication") != "cease_communication":
        return
    optout = {"medium": body["medium"], "requested_at": body["received_at"]}
    person["medium_optouts"] = [*person.get("medium_optouts", []), optout]


def _rpc(person: Doc, body: Doc) -> None:
    # A state recorded for one endpoint (a wrong number, D-42) is read by `endpoint_rpc`.
    if body.get("endpoint_id") is None:
        person["rpc"] = body["rpc"]


# Right-party states from the least to the most restrictive (FED-3P reads them).
_RPC_STRICTNESS = {"verified": 0, "unverified": 1, "failed": 2}


def endpoint_rpc(person_rpc: str, facts: list[Doc], endpoint_id: str) -> str:
    """The right-party state for a contact to `endpoint_id`: the person's, or the state last
    recorded for that endpoint when it is stricter (decisions.md D-42). An endpoint's own
    record only ever narrows: a wrong number stays wrong whoever is verified elsewhere, and a
    later record for the endpoint clears it."""
    found = None
    for fact in facts:
        if fact["fact"] == "rpc_state" and fact.get("endpoint_id") == endpoint_id:
            found = fact["rpc"]
    if found is None or _RPC_STRICTNESS[found] <= _RPC_STRICTNESS.get(person_rpc, 1):
        return person_rpc
    return str(found)


def endpoints_rpc(facts: list[Doc]) -> dict[str, str]:
    """The last right-party state recorded per endpoint (for the restrictions view)."""
    return {f["endpoint_id"]: f["rpc"] for f in facts
            if f["fact"] == "rpc_state" and f.get("endpoint_id") is not None}


def wrong_party_contacts(facts: list[Doc]) -> set[str]:
    """Contacts (history event ids) a recorded fact says reached someone other than the
    person (decisions.md D-40, D-42)."""
    return {f["source_contact_id"] for f in facts
            if f["fact"] == "rpc_state" and f["rpc"] == "failed" and f.get("source_contact_id")}


def _time_barred(debt: Doc, body: Doc) -> None:
    debt["time_barred"] = body["time_barred"]
    if body.get("past_obsolescence") is not None:
        debt["past_obsolescence"] = body["past_obsolescence"]


def _oc_request(debt: Doc, body: Doc) -> None:
    debt["oc_request_at"] = body["requested_at"]
    debt["oc_request_written"] = body["written"]


_PERSON: dict[str, Callable[[Doc, Doc], None]] = {
    "consent": _append("consents"),
    "consent_withdrawn": _withdraw,
    "inconvenient_time": _append("inconvenient_times"),
    "inconvenient_place": _append("inconvenient_places"),
    "medium_optout": _append("medium_optouts"),
    "address_optout": _append("address_optouts"),
    "stated_location": _append("stated_locations"),
    "employer_prohibition": _setter("employer_prohibits", "prohibits"),
    "court_permission": _setter("court_permits_contact", "permits"),
    "rpc_state": _rpc,
    "language_preference": _language,
    "inbound_contact": lambda person, body: None,  # folded into the history instead
}

# Debt facts that also say something about the person as a whole.
_DEBT_ON_PERSON: dict[str, Callable[[Doc, Doc], None]] = {"cease_notice": _oral_stop}

_DEBT: dict[str, Callable[[Doc, Doc], None]] = {
    "cease_notice": _cease,
    "attorney_notice": lambda debt, body: debt.__setitem__("attorney", body),
    "dispute": _append("disputes"),
    "validation_notice_sent": _validation,
    "initial_communication": _setter("initial_communication_at", "at"),
    "verification_sent": _verification,
    "time_barred_status": _time_barred,
    "oc_request": _oc_request,
    "oc_info_sent": _setter("oc_info_sent_at", "sent_at"),
}
