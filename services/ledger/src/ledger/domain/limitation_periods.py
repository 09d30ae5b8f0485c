"""Statute-of-limitations periods, as data. NOT legal advice; every row needs counsel.

One row per (state, legal basis). A row lists the debt types it may cover; when a debt type
could be sued on under more than one basis (a credit card as a written contract or as an open
account, a medical bill as an oral contract), every candidate row is listed and
``limitations.time_barred`` answers only when all of them agree. Student loans are left out
everywhere on purpose: federal student loans have no limitation period (20 U.S.C. 1091a) and
the ledger cannot tell federal from private loans. ``other`` is never covered.

Confidence tags follow the compliance reference: [V] checked against primary text, [S] a
reliable secondary source, [M] working knowledge only. Nothing here is better than [S]; treat
every [M] row as a to-do for counsel before ``time_barred`` drives any decision.

Tolling, revival by payment or acknowledgment, and choice-of-law clauses are not modelled.
"""

from __future__ import annotations

from dataclasses import dataclass

from ledger.domain.debt_events import DebtPurpose, DebtType

M = "[M] needs counsel"
S = "[S] secondary source; confirm with counsel"

_CARD = DebtType.CREDIT_CARD
_MED = DebtType.MEDICAL
_AUTO = DebtType.AUTO
_LOAN = DebtType.PERSONAL_LOAN
_UTIL = DebtType.UTILITY
_TEL = DebtType.TELECOM

WRITTEN = frozenset({_CARD, _LOAN, _AUTO, _MED, _UTIL, _TEL})
ACCOUNT = frozenset({_CARD, _MED, _UTIL, _TEL})
ORAL = frozenset({_MED, _UTIL, _TEL})


@dataclass(frozen=True)
class LimitationPeriod:
    state: str
    basis: str
    years: int
    debt_types: frozenset[DebtType]
    source: str
    confidence: str
    # None = any purpose; NY's consumer-credit statute applies to consumer debts only.
    purpose: DebtPurpose | None = None


def _row(
    state: str,
    basis: str,
    years: int,
    debt_types: frozenset[DebtType],
    source: str,
    confidence: str = M,
    purpose: DebtPurpose | None = None,
) -> LimitationPeriod:
    return LimitationPeriod(state, basis, years, debt_types, source, confidence, purpose)


_CONSUMER = DebtPurpose.CONSUMER
_BUSINESS = DebtPurpose.BUSINESS

LIMITATION_PERIODS: tuple[LimitationPeriod, ...] = (
    _row("CA", "written_contract", 4, WRITTEN, "Cal. Code Civ. Proc. 337(a)", S),
    _row("CA", "open_book_account", 4, ACCOUNT, "Cal. Code Civ. Proc. 337(b)"),
    _row("CA", "oral_contract", 2, ORAL, "Cal. Code Civ. Proc. 339(1)"),
    _row(
        "NY",
        "consumer_credit",
        3,
        frozenset({_CARD, _LOAN, _AUTO, _UTIL, _TEL}),
        "N.Y. CPLR 214-i (Consumer Credit Fairness Act, 2022)",
        purpose=_CONSUMER,
    ),
    _row("NY", "medical_debt", 3, frozenset({_MED}), "N.Y. CPLR 213-d", purpose=_CONSUMER),
    # Whether a utility or telecom bill is a "consumer credit transaction" under 214-i is not
    # settled here, so the general contract period is listed too and the two must agree.
    _row("NY", "contract", 6, frozenset({_UTIL, _TEL}), "N.Y. CPLR 213(2)", purpose=_CONSUMER),
    _row("NY", "contract", 6, WRITTEN, "N.Y. CPLR 213(2)", purpose=_BUSINESS),
    _row("MA", "contract", 6, WRITTEN, "Mass. Gen. Laws ch. 260, 2"),
    _row("WA", "written_contract", 6, WRITTEN, "Rev. Code Wash. 4.16.040(1)"),
    _row("WA", "account_receivable", 6, ACCOUNT, "Rev. Code Wash. 4.16.040(2)"),
    _row("WA", "oral_contract", 3, ORAL, "Rev. Code Wash. 4.16.080(3)"),
    _row("WV", "written_contract", 10, WRITTEN, "W. Va. Code 55-2-6"),
    _row("WV", "unwritten_contract", 5, ACCOUNT, "W. Va. Code 55-2-6"),
    _row("DC", "contract", 3, WRITTEN | ACCOUNT, "D.C. Code 12-301(7)"),
    _row("TX", "debt", 4, WRITTEN | ACCOUNT, "Tex. Civ. Prac. & Rem. Code 16.004(a)(3), (c)"),
    _row("FL", "written_contract", 5, WRITTEN, "Fla. Stat. 95.11(2)(b)"),
    _row("FL", "unwritten_contract", 4, ACCOUNT, "Fla. Stat. 95.11(3)(k)"),
)
