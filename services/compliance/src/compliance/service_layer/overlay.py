"""Facts overlaid on the recorded profile: the person and debts the rules read.

Works on JSON documents (the domain's vocabulary); the context builder validates the result
once. A fact about a debt the profile does not list is kept and applies if the debt appears.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

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
        apply = _PERSON.get(fact["fact"])
        if apply is not None:
            apply(person, _body(fact))
            continue
        debt = debts.get(fact.get("debt_id", ""))
        apply = _DEBT.get(fact["fact"])
        if debt is not None and apply is not None:
            apply(debt, _body(fact))
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
    # FED-CEASE is permanent for the debt: a later notice never replaces the first receipt.
    if not debt.get("cease"):
        debt["cease"] = body


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
    "rpc_state": _setter("rpc", "rpc"),
    "language_preference": _language,
    "inbound_contact": lambda person, body: None,  # folded into the history instead
}

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
