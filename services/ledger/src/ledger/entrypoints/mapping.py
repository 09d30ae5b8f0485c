"""HTTP bodies to commands. Value checks (amounts, zones, codes) stay in the domain, which
raises its own errors; those become 422 problems."""

from __future__ import annotations

from ledger.domain import commands as c
from ledger.domain.allocation import AllocationPolicy, InvoiceOrder
from ledger.domain.debt_events import InstalmentTerms, Itemization, SettlementInstalment
from ledger.domain.debtor import make_address
from ledger.domain.money import Money
from ledger.entrypoints import schemas as s


def money(m: s.MoneyIn) -> Money:
    return Money(m.amount_minor, m.currency)


def maybe_money(m: s.MoneyIn | None) -> Money | None:
    return None if m is None else money(m)


def add_address(tenant: str, debtor_id: str, item_id: str, b: s.AddressIn) -> c.AddAddress:
    address = make_address(b.lines, b.city, b.postal_code, b.country, b.time_zone, b.region)
    return c.AddAddress(tenant=tenant, debtor_id=debtor_id, address_id=item_id, address=address)


def register_debtor(tenant: str, debtor_id: str, b: s.RegisterDebtorIn) -> c.RegisterDebtor:
    return c.RegisterDebtor(
        tenant=tenant, debtor_id=debtor_id, given_name=b.given_name, family_name=b.family_name,
        language=b.language, country=b.country, region=b.region,
        other_names=tuple(b.other_names))


def _itemization(b: s.ItemizationIn | None, currency: str) -> Itemization | None:
    if b is None:
        return None
    return Itemization(
        itemization_date=b.itemization_date, principal=Money(b.principal, currency),
        interest=Money(b.interest, currency), fees=Money(b.fees, currency),
        payments=Money(b.payments, currency), credits=Money(b.credits, currency))


def open_debt(tenant: str, debt_id: str, b: s.OpenDebtIn) -> c.OpenDebt:
    return c.OpenDebt(
        tenant=tenant, debt_id=debt_id, debtor_id=b.debtor_id,
        original_creditor=b.original_creditor, account_last4=b.account_last4,
        debt_type=b.debt_type, purpose=b.purpose, currency=b.currency,
        governing_state=b.governing_state, time_zone=b.time_zone,
        charge_off_date=b.charge_off_date, last_payment_date=b.last_payment_date,
        default_date=b.default_date, itemization=_itemization(b.itemization, b.currency))


def update_details(
    tenant: str, debt_id: str, currency: str, b: s.DebtDetailsIn
) -> c.UpdateDebtDetails:
    # Only what the caller sent: an absent field stays, an explicit null clears.
    changes = {name: getattr(b, name) for name in b.model_fields_set - {"reason"}}
    if "itemization" in changes:
        changes["itemization"] = _itemization(b.itemization, currency)
    return c.UpdateDebtDetails(tenant=tenant, debt_id=debt_id, changes=changes,
                               reason=b.reason)


def adjustment(
    tenant: str, debt_id: str, invoice_id: str, b: s.AdjustmentIn
) -> c.AdjustInvoice:
    return c.AdjustInvoice(tenant=tenant, debt_id=debt_id, invoice_id=invoice_id,
                           change=money(b.change), reason=b.reason, component=b.component)


def credit_refund(tenant: str, debt_id: str, refund_id: str, b: s.CreditRefundIn) -> c.RefundCredit:
    return c.RefundCredit(tenant=tenant, debt_id=debt_id, refund_id=refund_id,
                          amount=money(b.amount), reason=b.reason)


def add_invoice(tenant: str, debt_id: str, invoice_id: str, b: s.InvoiceIn) -> c.AddInvoice:
    return c.AddInvoice(
        tenant=tenant, debt_id=debt_id, invoice_id=invoice_id, issued_on=b.issued_on,
        due_on=b.due_on, principal=money(b.principal), interest=maybe_money(b.interest),
        fees=maybe_money(b.fees))


def schedule(
    tenant: str, debt_id: str, schedule_id: str, b: s.ScheduleIn
) -> c.AddInstalmentSchedule:
    terms = tuple(InstalmentTerms(i.due_on, money(i.principal), maybe_money(i.interest),
                                  maybe_money(i.fees)) for i in b.instalments)
    return c.AddInstalmentSchedule(tenant=tenant, debt_id=debt_id, schedule_id=schedule_id,
                                   issued_on=b.issued_on, instalments=terms)


def payment(tenant: str, debt_id: str, b: s.PaymentIn) -> c.ApplyPayment:
    policy = None if b.invoice_order is None else AllocationPolicy(InvoiceOrder(b.invoice_order))
    return c.ApplyPayment(tenant=tenant, debt_id=debt_id, payment_id=b.payment_id,
                          amount=money(b.amount), received_at=b.received_at, policy=policy)


def dispute(tenant: str, debt_id: str, dispute_id: str, b: s.DisputeIn) -> c.RaiseDispute:
    return c.RaiseDispute(tenant=tenant, debt_id=debt_id, dispute_id=dispute_id,
                          written=b.written, medium=b.medium, received_at=b.received_at,
                          portion=maybe_money(b.portion))


def settlement(
    tenant: str, debt_id: str, settlement_id: str, b: s.SettlementIn
) -> c.AgreeSettlement:
    instalments = tuple(SettlementInstalment(i.due_on, money(i.amount)) for i in b.instalments)
    return c.AgreeSettlement(tenant=tenant, debt_id=debt_id, settlement_id=settlement_id,
                             amount=money(b.amount), deadline=b.deadline,
                             instalments=instalments)
