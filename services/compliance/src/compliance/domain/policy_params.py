"""Tunable policy parameters. They are part of a pack version: changing one is a new version,
so a recorded decision can always be replayed with the numbers it used."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time


# decisions.md D-27: the numbers of pack POL in version 2026.11.1.
@dataclass(frozen=True, slots=True)
class PolicyParams:
    # The strict FED window (decisions.md D-03), reused by POL for first-party outreach.
    window_start: time = time(8, 0)
    window_end: time = time(21, 0)
    # A call dialled at 20:58 can run past 21:00: no dial after this local time (reference
    # FED-TIME-WINDOW edge cases; policy).
    last_dial: time = time(20, 45)
    # FED-HARASS-GENERAL / POL-SOFT-CAP: no federal number exists for texts and emails, so a
    # soft cap routes heavy electronic outreach to a human (comment 14(a)-1.i).
    soft_cap_texts_per_day: int = 3
    soft_cap_electronic_per_7_days: int = 10
    # POL-CALL-CAP: the Reg F numbers applied to first-party creditors as a safe baseline.
    first_party_calls_per_7_days: int = 7
    # UK-TIME default window (CONC 7.9 gives no hours; this is our configuration).
    uk_window_start: time = time(8, 0)
    uk_window_end: time = time(21, 0)
    # Fail-closed switches of shared helpers, added in 2026.12.1. Each default is 2026.11.1's
    # behaviour, so that version replays exactly; 2026.12.1 sets them.
    # decisions.md D-43: an address without a time zone is a location whose local time is
    # unknown: every rule that needs the candidate zones blocks DATA_MISSING:<address>.tz.
    address_zone_required: bool = False
    # decisions.md D-46: an email consent (1006.6(d)(4)(i)) with no record of its disclosure
    # (disclosure_shown unknown) does not qualify the address.
    email_consent_disclosure_required: bool = False
    # decisions.md D-53: a cease notice received through a written medium (mail, email, text,
    # social message) is a written notice for FED-CEASE whatever its `written` flag says.
    cease_written_by_medium: bool = False
    # decisions.md D-54: an original-creditor request is timely when its earliest local date
    # of receipt (any candidate zone) is within the validation period, as for disputes.
    oc_request_local_date: bool = False

    # Fail-closed switches added in 2026.12.2 (decisions.md D-56 onwards): each default is
    # 2026.12.1's behaviour, so that version replays exactly; 2026.12.2 sets them
    # (POLICY_2026_12_2 below).

    # -- time, place and frequency (D-56 to D-65) --
    # decisions.md D-56: the one-reply exception (FED-TP-EXCEPT (iii)) judges the latest
    # inbound contact in the reply's own medium, not the latest inbound of any medium.
    one_reply_same_medium: bool = False
    # decisions.md D-57: FED-FREQ-EXCL (i) uses only a consent in force at the call, given
    # before it, covering its debts, and not used up (by frequency group: 1006.14(b)(4)).
    freq_consent_in_force: bool = False
    # decisions.md D-58: a recorded zone that is not a known IANA name blocks every rule that
    # needs the candidate zones, as an address without a zone does (D-02, D-43).
    invalid_zone_fatal: bool = False
    # decisions.md D-59: a designated time whose start equals its end is the whole day.
    designation_equal_ends_whole_day: bool = False
    # decisions.md D-60: a call or conversation recorded with no debt ids is about every debt.
    unknown_debts_all: bool = False
    # decisions.md D-63: the one reply must be sent within this many minutes of the inbound
    # contact it answers ("at that time or place", comment 6(b)(1)-2); 0 means no bound.
    one_reply_max_minutes: int = 0

    # -- validation, disputes and channels (D-66 to D-79) --
    # decisions.md D-68: a dispute received by mail, email, text or social message is written
    # for FED-DISPUTE-HOLD whatever its `written` flag says (as D-53 for cease notices).
    dispute_written_by_medium: bool = False
    # decisions.md D-69: a recorded within_validation_period=False does not override the
    # computed receipt date: the dispute is timely if either says so.
    dispute_timely_computed: bool = False
    # decisions.md D-70: an email or text consent qualifies (1006.6(d)(4)(i), (d)(5)(ii)) only
    # the address or number it names; one tied to none blocks as DATA_MISSING.
    contact_consent_endpoint_required: bool = False
    # decisions.md D-73: the 1006.6(d)(4)(ii) creditor path never reaches an email address
    # recorded at work (place=work), not only one flagged employer_provided.
    creditor_email_path_excludes_work: bool = False

    # -- content (D-80 to D-94) --
    # decisions.md D-80 to D-86: the content rules read lexicon revision 2 (normalised
    # whitespace and markup, paraphrase patterns, negated disclosures ignored, other-language
    # text detected): Facts.content is revision 2, for every rule of the version.
    content_lexicon_v2: bool = False
    # decisions.md D-87: debt-word tests (FED-LCM and others) use lexicon revision 2's words
    # (account, loan, bill, arrears, the creditor's name ...): read by their callers through
    # ContentFindings.reveals_debt / lexicon.debt_words_v2.
    debt_words_v2: bool = False

    # -- pack selection, state overlays and the service layer (D-95 onwards) --
    # decisions.md D-95: an address in a US territory is a US place, and an address in any
    # other country but GB keeps the FDCPA (packs._person_places).
    fdcpa_beyond_us_addresses: bool = False


# The switches 2026.12.2 turns on, by area (packs.V2026_12_2 applies them over 2026.12.1's).
TIME_AND_FREQUENCY_2026_12_2: dict[str, object] = {
    "one_reply_same_medium": True,
    "freq_consent_in_force": True,
    "invalid_zone_fatal": True,
    "designation_equal_ends_whole_day": True,
    "unknown_debts_all": True,
    "one_reply_max_minutes": 60,
}

VALIDATION_AND_CHANNELS_2026_12_2: dict[str, object] = {
    "dispute_written_by_medium": True,
    "dispute_timely_computed": True,
    "contact_consent_endpoint_required": True,
    "creditor_email_path_excludes_work": True,
}

CONTENT_2026_12_2: dict[str, object] = {"content_lexicon_v2": True, "debt_words_v2": True}

SELECTION_AND_STATES_2026_12_2: dict[str, object] = {
    "fdcpa_beyond_us_addresses": True,
}

POLICY_2026_12_2: dict[str, object] = {
    **TIME_AND_FREQUENCY_2026_12_2,
    **VALIDATION_AND_CHANNELS_2026_12_2,
    **CONTENT_2026_12_2,
    **SELECTION_AND_STATES_2026_12_2,
}
