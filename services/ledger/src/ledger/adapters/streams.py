"""Stream ids and the mapping between domain events and stored events.

Stream ids carry the tenant, so a command of one tenant can never load another tenant's
stream, even with a guessed id.

Public contracts go to a dedicated stream per debt (``.../public``) in the same append as the
private event they mirror. A separate stream because the private and public events may share
a name (``ledger.DisputeRaised``), and replaying the debt must never meet a public payload.
Its version needs no read: every private event with a public twin adds exactly one public
event, so the public stream's version is the count of such events in the private stream.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from goodfaith_events.contracts import (
    REGISTRY,
    DebtorErased,
    DisputeRaised,
    InvoiceOverdue,
    Topics,
)
from goodfaith_events.contracts.common import Money as ContractMoney
from goodfaith_runtime.eventstore import NewEvent
from ledger.domain import debt_events as de
from ledger.domain import debtor as debtor_events
from ledger.domain.events import Event, to_payload

PRODUCER = "ledger"


def debt_stream(tenant: str, debt_id: str) -> str:
    return f"ledger/{tenant}/debt/{debt_id}"


def public_stream(tenant: str, debt_id: str) -> str:
    return f"ledger/{tenant}/debt/{debt_id}/public"


def debtor_stream(tenant: str, debtor_id: str) -> str:
    return f"ledger/{tenant}/debtor/{debtor_id}"


def debtor_public_stream(tenant: str, debtor_id: str) -> str:
    return f"ledger/{tenant}/debtor/{debtor_id}/public"


def person_id(tenant: str, debtor_id: str) -> str:
    """The keyring's person id: debtor ids are only unique within a tenant."""
    return f"{tenant}/{debtor_id}"


def private_event(evt: Event, payload: dict[str, Any] | None = None) -> NewEvent:
    return NewEvent(
        type=evt.NAME,
        payload=to_payload(evt) if payload is None else payload,
        schema_version=evt.SCHEMA_VERSION,
    )


PUBLISHED_TYPES = frozenset({de.InvoiceOverdueMilestoneReached.NAME, de.DisputeRaised.NAME})


def public_count(types: Iterable[str]) -> int:
    return sum(1 for t in types if t in PUBLISHED_TYPES)


def _money(value: Any) -> ContractMoney:
    return ContractMoney(amount_minor=value.amount, currency=value.currency)


def _overdue(evt: de.InvoiceOverdueMilestoneReached) -> InvoiceOverdue:
    return InvoiceOverdue(
        debtor_id=evt.debtor_id, debt_id=evt.debt_id, invoice_id=evt.invoice_id,
        due_date=evt.due_date, milestone_days=evt.milestone_days,
        days_past_due=evt.days_past_due, outstanding=_money(evt.outstanding),
        governing_state=evt.governing_state,
    )


def _dispute(evt: de.DisputeRaised, debtor_id: str) -> DisputeRaised:
    return DisputeRaised(
        dispute_id=evt.dispute_id, debtor_id=debtor_id, debt_id=evt.debt_id,
        written=evt.written, medium=evt.medium.value, received_at=evt.occurred_at,
        portion=None if evt.portion is None else _money(evt.portion),
    )


def public_twin(evt: Event, debtor_id: str) -> NewEvent | None:
    """The public contract event mirroring a private one, keyed by the debt (the account)."""
    if isinstance(evt, de.InvoiceOverdueMilestoneReached):
        contract: InvoiceOverdue | DisputeRaised = _overdue(evt)
        topic = Topics.INVOICE_OVERDUE
    elif isinstance(evt, de.DisputeRaised):
        contract, topic = _dispute(evt, debtor_id), Topics.DISPUTE_RAISED
    else:
        return None
    spec = REGISTRY.spec_for(type(contract))
    return NewEvent(
        type=spec.name, payload=contract.model_dump(mode="json"),
        schema_version=spec.version, publish_to=(topic, evt.debt_id),
    )


def erasure_twin(evt: Event) -> NewEvent | None:
    """The public ``ledger.DebtorErased`` announcing an erasure to the other services (each
    erases its own copy of the debtor's personal data), keyed by the debtor: the person."""
    if not isinstance(evt, debtor_events.DebtorErased):
        return None
    contract = DebtorErased(debtor_id=evt.debtor_id, erased_at=evt.occurred_at)
    spec = REGISTRY.spec_for(DebtorErased)
    return NewEvent(
        type=spec.name, payload=contract.model_dump(mode="json"),
        schema_version=spec.version, publish_to=(Topics.DEBTOR_ERASED, evt.debtor_id),
    )
