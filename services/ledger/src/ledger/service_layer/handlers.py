"""Command handlers: load, call one domain method. The message bus opens the unit of work,
retries on a concurrency conflict and commits."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from ledger.domain import commands as c
from ledger.domain.debt import Debt, DebtStatus
from ledger.domain.debtor import Debtor
from ledger.domain.errors import (
    DebtClosed,
    DebtorAlreadyErased,
    DebtorMismatch,
    LedgerError,
    UnknownDebtor,
)
from ledger.domain.retention import require_erasable
from ledger.service_layer.unit_of_work import UnitOfWork


async def register_debtor(cmd: c.RegisterDebtor, uow: UnitOfWork) -> None:
    uow.debtors.add(Debtor.register(
        debtor_id=cmd.debtor_id, tenant_id=cmd.tenant, given_name=cmd.given_name,
        family_name=cmd.family_name, language=cmd.language, country=cmd.country,
        region=cmd.region, other_names=cmd.other_names, at=uow.now()))


async def add_phone(cmd: c.AddPhone, uow: UnitOfWork) -> None:
    debtor = await uow.debtors.get(cmd.tenant, cmd.debtor_id)
    debtor.add_phone(cmd.phone_id, cmd.number, cmd.kind, uow.now())


async def add_email(cmd: c.AddEmail, uow: UnitOfWork) -> None:
    debtor = await uow.debtors.get(cmd.tenant, cmd.debtor_id)
    debtor.add_email(cmd.email_id, cmd.address, cmd.provenance, uow.now())


async def add_address(cmd: c.AddAddress, uow: UnitOfWork) -> None:
    debtor = await uow.debtors.get(cmd.tenant, cmd.debtor_id)
    debtor.add_address(cmd.address_id, cmd.address, uow.now())


async def remove_contact_point(cmd: c.RemoveContactPoint, uow: UnitOfWork) -> None:
    debtor = await uow.debtors.get(cmd.tenant, cmd.debtor_id)
    remove = {"phone": debtor.remove_phone, "email": debtor.remove_email,
              "address": debtor.remove_address}[cmd.kind]
    remove(cmd.item_id, uow.now())


async def change_language(cmd: c.ChangeLanguage, uow: UnitOfWork) -> None:
    debtor = await uow.debtors.get(cmd.tenant, cmd.debtor_id)
    debtor.change_language(cmd.language, uow.now())


async def erase_debtor(cmd: c.EraseDebtor, uow: UnitOfWork) -> None:
    debtor = await uow.debtors.get(cmd.tenant, cmd.debtor_id)
    if not debtor.erased:  # a repeated erasure stays the harmless no-op it always was
        held = await uow.retention.of_debtor(cmd.tenant, cmd.debtor_id)
        require_erasable(held.debts, held.debtor_activity_at, uow.now(),
                         unresolved_payments=held.unresolved_payments)
    debtor.erase(cmd.reason, uow.now())


async def open_debt(cmd: c.OpenDebt, uow: UnitOfWork) -> None:
    erased = await uow.debtors.erased(cmd.tenant, cmd.debtor_id)
    if erased is None:
        raise UnknownDebtor(f"debtor {cmd.debtor_id} does not exist")
    if erased:  # a debt of nobody's: no identity to collect from, no retention hold to pass
        raise DebtorAlreadyErased(f"debtor {cmd.debtor_id} was erased; no debt can be opened")
    uow.debts.add(Debt.open(
        debt_id=cmd.debt_id, tenant_id=cmd.tenant, debtor_id=cmd.debtor_id,
        original_creditor=cmd.original_creditor, account_last4=cmd.account_last4,
        debt_type=cmd.debt_type, purpose=cmd.purpose, currency=cmd.currency,
        governing_state=cmd.governing_state, time_zone=cmd.time_zone,
        charge_off_date=cmd.charge_off_date, last_payment_date=cmd.last_payment_date,
        default_date=cmd.default_date, itemization=cmd.itemization, at=uow.now()))


async def _collectable_debt(uow: UnitOfWork, tenant: str, debt_id: str) -> Debt:
    """The debt, for a command that adds collection activity or money to it: refused once its
    debtor is erased. Their records were released after the retention hold, and a reopened,
    invoiced or paid debt would be activity about nobody (a payment is parked instead).
    Winding down stays possible: resolving a dispute, writing off, recalling a placement,
    refunding credit. The debtor's row is read FOR SHARE before the debt's row is locked, the
    order an erasure takes them in (adapters/retention.py), so the two cannot deadlock."""
    if await uow.debtors.erased_for_debt(tenant, debt_id):
        raise DebtorAlreadyErased(f"the debtor of debt {debt_id} was erased")
    return await uow.debts.get(tenant, debt_id)


async def add_invoice(cmd: c.AddInvoice, uow: UnitOfWork) -> None:
    debt = await _collectable_debt(uow, cmd.tenant, cmd.debt_id)
    debt.add_invoice(cmd.invoice_id, issued_on=cmd.issued_on, due_on=cmd.due_on,
                     principal=cmd.principal, interest=cmd.interest, fees=cmd.fees,
                     at=uow.now())


async def add_instalment_schedule(cmd: c.AddInstalmentSchedule, uow: UnitOfWork) -> None:
    debt = await _collectable_debt(uow, cmd.tenant, cmd.debt_id)
    debt.add_instalment_schedule(cmd.schedule_id, issued_on=cmd.issued_on,
                                 instalments=cmd.instalments, at=uow.now())


async def apply_payment(cmd: c.ApplyPayment, uow: UnitOfWork) -> None:
    debt = await _collectable_debt(uow, cmd.tenant, cmd.debt_id)
    if cmd.debtor_id is not None and cmd.debtor_id != debt.debtor_id:
        raise DebtorMismatch(f"debt {cmd.debt_id} is not owed by the debtor named")
    closed = debt.status in (DebtStatus.SETTLED, DebtStatus.WRITTEN_OFF)
    if closed and cmd.payment_id not in debt.payments:
        # Money for a closed account needs a person's decision (refund or reopen), not credit.
        # A payment applied before the account closed is still a no-op when delivered again.
        raise DebtClosed(f"debt {cmd.debt_id} is {debt.status.value}")
    debt.apply_payment(cmd.payment_id, cmd.amount, cmd.received_at, cmd.policy)


async def reverse_payment(cmd: c.ReversePayment, uow: UnitOfWork) -> None:
    debt = await _collectable_debt(uow, cmd.tenant, cmd.debt_id)
    debt.reverse_payment(cmd.payment_id, cmd.reason, uow.now())


async def raise_dispute(cmd: c.RaiseDispute, uow: UnitOfWork) -> None:
    debt = await _collectable_debt(uow, cmd.tenant, cmd.debt_id)
    debt.raise_dispute(cmd.dispute_id, written=cmd.written, medium=cmd.medium,
                       received_at=cmd.received_at, portion=cmd.portion)


async def resolve_dispute(cmd: c.ResolveDispute, uow: UnitOfWork) -> None:
    debt = await uow.debts.get(cmd.tenant, cmd.debt_id)
    debt.resolve_dispute(cmd.dispute_id, outcome=cmd.outcome, at=uow.now(),
                         verification_sent_at=cmd.verification_sent_at)


async def agree_settlement(cmd: c.AgreeSettlement, uow: UnitOfWork) -> None:
    debt = await _collectable_debt(uow, cmd.tenant, cmd.debt_id)
    debt.agree_settlement(cmd.settlement_id, amount=cmd.amount, deadline=cmd.deadline,
                          at=uow.now(), instalments=cmd.instalments)


async def write_off(cmd: c.WriteOff, uow: UnitOfWork) -> None:
    debt = await uow.debts.get(cmd.tenant, cmd.debt_id)
    debt.write_off(cmd.reason, uow.now())


async def place_with_agency(cmd: c.PlaceWithAgency, uow: UnitOfWork) -> None:
    debt = await _collectable_debt(uow, cmd.tenant, cmd.debt_id)
    debt.place_with_agency(cmd.placement_id, cmd.agency_id, uow.now())


async def recall_placement(cmd: c.RecallPlacement, uow: UnitOfWork) -> None:
    debt = await uow.debts.get(cmd.tenant, cmd.debt_id)
    debt.recall_placement(cmd.reason, uow.now())


async def update_debt_details(cmd: c.UpdateDebtDetails, uow: UnitOfWork) -> None:
    debt = await _collectable_debt(uow, cmd.tenant, cmd.debt_id)
    debt.update_details(cmd.changes, reason=cmd.reason, at=uow.now())


async def reschedule_invoice(cmd: c.RescheduleInvoice, uow: UnitOfWork) -> None:
    debt = await _collectable_debt(uow, cmd.tenant, cmd.debt_id)
    debt.reschedule_invoice(cmd.invoice_id, due_on=cmd.due_on, reason=cmd.reason, at=uow.now())


async def adjust_invoice(cmd: c.AdjustInvoice, uow: UnitOfWork) -> None:
    debt = await _collectable_debt(uow, cmd.tenant, cmd.debt_id)
    debt.adjust_invoice(cmd.invoice_id, change=cmd.change, reason=cmd.reason, at=uow.now(),
                        component=cmd.component)


async def refund_credit(cmd: c.RefundCredit, uow: UnitOfWork) -> None:
    debt = await uow.debts.get(cmd.tenant, cmd.debt_id)
    debt.refund_credit(cmd.refund_id, cmd.amount, reason=cmd.reason, at=uow.now())


async def retry_parked_payment(cmd: c.RetryParkedPayment, uow: UnitOfWork) -> None:
    """Run the parked payment's command again; a refusal is recorded, not raised, so the
    attempt is kept and the caller sees the new reason."""
    parked = await uow.parked.lock(cmd.tenant, cmd.payment_id)
    if parked.status != "open":
        return
    try:
        await apply_payment(parked.command(), uow)
    except LedgerError as exc:
        await uow.parked.refused_again(parked, exc, uow.now())
        return
    await uow.parked.resolve(parked, uow.now())


Handler = Callable[[Any, UnitOfWork], Awaitable[None]]

HANDLERS: dict[type[c.Command], Handler] = {
    c.RegisterDebtor: register_debtor,
    c.AddPhone: add_phone,
    c.AddEmail: add_email,
    c.AddAddress: add_address,
    c.RemoveContactPoint: remove_contact_point,
    c.ChangeLanguage: change_language,
    c.EraseDebtor: erase_debtor,
    c.OpenDebt: open_debt,
    c.AddInvoice: add_invoice,
    c.AddInstalmentSchedule: add_instalment_schedule,
    c.ApplyPayment: apply_payment,
    c.ReversePayment: reverse_payment,
    c.RaiseDispute: raise_dispute,
    c.ResolveDispute: resolve_dispute,
    c.AgreeSettlement: agree_settlement,
    c.WriteOff: write_off,
    c.PlaceWithAgency: place_with_agency,
    c.RecallPlacement: recall_placement,
    c.UpdateDebtDetails: update_debt_details,
    c.RescheduleInvoice: reschedule_invoice,
    c.AdjustInvoice: adjust_invoice,
    c.RefundCredit: refund_credit,
    c.RetryParkedPayment: retry_parked_payment,
}
