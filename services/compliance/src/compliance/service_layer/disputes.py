"""The ledger's DisputeRaised as a compliance dispute fact (FED-DISPUTE-HOLD reads it).

The ledger's debtor id is the person id compliance knows the debtor by (one id per person
across services). The ledger's medium is free text; anything not recognised counts as mail when
written and as the telephone otherwise, so the hold always applies.
"""

from __future__ import annotations

from compliance.domain.context import Medium
from compliance.service_layer.facts import DisputeFact
from goodfaith_events.contracts import DisputeRaised

_MEDIA = {
    "mail": Medium.MAIL, "letter": Medium.MAIL, "post": Medium.MAIL, "email": Medium.EMAIL,
    "portal": Medium.EMAIL, "web": Medium.EMAIL, "online": Medium.EMAIL,
    "phone": Medium.TELEPHONE, "call": Medium.TELEPHONE, "telephone": Medium.TELEPHONE,
    "sms": Medium.TEXT, "text": Medium.TEXT, "in_person": Medium.IN_PERSON,
}


def dispute_fact(d: DisputeRaised) -> DisputeFact:
    medium = _MEDIA.get(d.medium.lower(), Medium.MAIL if d.written else Medium.TELEPHONE)
    return DisputeFact(
        fact="dispute", debt_id=d.debt_id, received_at=d.received_at, medium=medium,
        written=d.written, portion_minor=d.portion.amount_minor if d.portion else None)
