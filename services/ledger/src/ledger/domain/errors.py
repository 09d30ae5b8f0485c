"""The ledger's domain errors.

One base class, ``LedgerError``, so the HTTP layer can map the whole family to 4xx problems
(RFC 9457) and let anything else surface as a 500. Each subclass names one broken rule.
"""

from __future__ import annotations

from datetime import datetime


class LedgerError(Exception):
    """Base for every rule the ledger domain refuses to break."""


class InvalidAmount(LedgerError):
    """A money amount is zero, negative, not an integer, or larger than allowed."""


class InvalidCurrency(LedgerError):
    """A currency code is not three upper-case ISO 4217 letters."""


class CurrencyMismatch(LedgerError):
    """Two amounts in different currencies met in one operation."""


class InvalidTimestamp(LedgerError):
    """A datetime is naive (no tz); the ledger only accepts timezone-aware instants."""


class InvalidTimeZone(LedgerError):
    """A time zone is not a known IANA name."""


class InvalidField(LedgerError):
    """A field failed validation (empty id, malformed code, bad date order, ...)."""


class InvalidPhoneNumber(InvalidField):
    """A phone number is not in E.164 form."""


class InvalidEmail(InvalidField):
    """An email address is malformed."""


class InvalidLanguageTag(InvalidField):
    """A language is not a BCP 47 tag."""


class InvalidAccountNumber(InvalidField):
    """An account number is not a last-four mask (a full number must never be stored)."""


class UnknownContactPoint(LedgerError):
    """A phone, email or address id does not exist on the debtor."""


class DuplicateContactPoint(LedgerError):
    """A phone, email or address id is already used on the debtor."""


class DebtorAlreadyErased(LedgerError):
    """The debtor's personal data was erased; contact details can no longer change."""


class DebtClosed(LedgerError):
    """The debt is paid off, settled or written off and refuses the command."""


class UnknownInvoice(LedgerError):
    """The invoice id does not exist on the debt."""


class DuplicateInvoice(LedgerError):
    """The invoice id is already used on the debt."""


class UnknownPayment(LedgerError):
    """The payment id was never applied to the debt."""


class PaymentIdConflict(LedgerError):
    """A payment id was reused with a different amount, or after its reversal."""


class UnknownDispute(LedgerError):
    """The dispute id does not exist on the debt."""


class DuplicateDispute(LedgerError):
    """The dispute id is already used on the debt."""


class DisputeAlreadyResolved(LedgerError):
    """The dispute was resolved already."""


class SettlementRefused(LedgerError):
    """A settlement cannot be agreed (not below the balance, one already active, ...)."""


class NoActiveSettlement(LedgerError):
    """The command needs an active settlement and there is none."""


class DetailChangeRefused(LedgerError):
    """A debt detail may not change after opening (currency, debtor, account), or not in that
    direction (a consumer debt reclassified as business)."""


class InvoiceChangeRefused(LedgerError):
    """An invoice cannot be rescheduled or adjusted that way (earlier due date, below what
    was paid, during an active settlement, a paid invoice)."""


class InsufficientCredit(LedgerError):
    """A credit refund is larger than the credit the debt holds."""


class RefundIdConflict(LedgerError):
    """A refund id was reused with a different amount."""


class UnknownParkedPayment(LedgerError):
    """No parked payment with this id exists for the tenant."""


class NothingToWriteOff(LedgerError):
    """The debt has no outstanding balance; a write-off of zero is refused."""


class PlacementRefused(LedgerError):
    """The debt is already placed with an agency, or is closed."""


class NotPlaced(LedgerError):
    """A recall names a placement that is not active."""


class MilestoneNotDue(LedgerError):
    """An overdue milestone was requested before the invoice reached it, or on a paid invoice."""


class UnknownEventType(LedgerError):
    """A stored event name or schema version has no class or upcaster."""


class UnknownDebt(LedgerError):
    """No debt with this id exists for the tenant (another tenant's id looks the same)."""


class UnknownDebtor(LedgerError):
    """No debtor with this id exists for the tenant (another tenant's id looks the same)."""


class DebtorMismatch(LedgerError):
    """A payment names a debtor who does not owe the debt it names."""


class RetentionHold(LedgerError):
    """The debtor's records must still be kept (12 CFR 1006.100(a),(b)), so their personal
    data cannot be erased yet: a debt is still open, or its last collection activity is less
    than 3 years ago, or a parked payment of theirs is unresolved. ``keep_until`` is known
    once every debt is closed; until then ``open_debt_ids`` names the debts that keep the
    records (``unresolved_payment_ids`` the payments)."""

    RULE_ID = "FED-RECORDS"
    CITATION = "12 CFR 1006.100(a),(b)"

    def __init__(self, detail: str, *, keep_until: datetime | None = None,
                 open_debt_ids: tuple[str, ...] = (),
                 unresolved_payment_ids: tuple[str, ...] = ()) -> None:
        super().__init__(detail)
        self.keep_until = keep_until
        self.open_debt_ids = open_debt_ids
        self.unresolved_payment_ids = unresolved_payment_ids
