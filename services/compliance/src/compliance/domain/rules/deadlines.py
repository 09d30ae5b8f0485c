"""Payment deadlines a message's text states, for FED-OVERSHADOW from pack 2026.12.2
(decisions.md D-67, which lists exactly what is read): during the validation period a deadline
before the period ends overshadows the right to dispute (1692g(b), 1006.38(b)).

English only, sentence by sentence on the normalised text. A deadline is a keyword ("by",
"before", "until", "within", "due", "deadline", "expires", "you have N days to" ...) followed by
a time: a date or a span from the send day, or a time that names no date we compute ("by
Friday", "due upon receipt"). What the sentences around it say decides what it is:
- *demand* (BLOCK before the period end): the sentence is about paying ("pay", "paid",
  "payment", "remit", "your check", a "due date", an amount or balance "due");
- *uncertain* (REVIEW): an offer or money named without a demand, a sentence next to a payment,
  a deadline to call us;
- *unreadable* (REVIEW): a deadline with no computable date;
- *instalment* (REVIEW): the consumer's own plan or scheduled payment, named before the deadline
  or in the sentence before, and not cancelled or refused;
- nothing: a receipt (what the collector will do with a payment, when nothing after that verb
  asks the consumer to act), no obligation to pay, the office's own hours, the dispute right's
  own deadline.
Linear in the text: each sentence is searched a fixed number of times, and every look-back is
bounded (_REACH, _WORD_LENGTH).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from compliance.domain.lexicon import normalise

_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
_NUMBERS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20,
    "twenty-one": 21, "thirty": 30, "forty": 40, "forty-five": 45, "forty-eight": 48,
    "fifty": 50, "sixty": 60, "seventy-two": 72, "ninety": 90,
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class TextDeadlines:
    """The payment deadlines a text states: demands (BLOCK before the period end), instalments
    of the consumer's own plan and dates near a payment or an offer that may be deadlines
    (REVIEW before it), and whether a deadline names no date we can compute (REVIEW)."""

    demands: tuple[date, ...] = ()
    plan_instalments: tuple[date, ...] = ()
    uncertain: tuple[date, ...] = ()
    unreadable: bool = False


# --- sentences ----------------------------------------------------------------------------
# The text is normalised first (lexicon.normalise, D-80): markup and entities go, and every run
# of whitespace, line breaks included, is one space, so a hard-wrapped letter reads as its
# sentences. A sentence ends at "!", "?" or a "." before a space or the end ("$120.00",
# "11.25.2026" and "fairwayrecovery.com" do not end one), except after an initial, a title or
# other abbreviation that precedes what it names, and after a company form or "etc." unless the
# next word starts with a capital ("Acme Inc. by November 25" is one sentence, "... Acme Inc.
# Please pay" two).
_SENTENCE_END = re.compile(r"[!?]|\.(?=\s|$)")
_NEVER_ENDS = frozenset(
    {"mr", "ms", "mrs", "dr", "prof", "rev", "hon", "st", "jr", "sr", "no", "nos", "vs", "approx",
     "dept", "ave", "blvd", "rd", "apt", "ste", "p.o", "po", "e.g", "i.e", "a.m", "p.m", "sept",
     *(m for m in _MONTHS), "mon", "tue", "tues", "wed", "thu", "thur", "thurs", "fri", "sat",
     "sun"}
)  # fmt: skip
_ENDS_BEFORE_CAPITAL = frozenset({"inc", "co", "corp", "ltd", "llc", "l.l.c", "etc", "u.s"})
_LAST_WORD = re.compile(r"([\w.]+)$")
_INITIAL = re.compile(r"[a-z]")
_WORD_LENGTH = 8  # the longest abbreviation above, and then some: the look-back is bounded


def sentences(text: str) -> list[str]:
    """The text's sentences, lower-cased (linear in the text)."""
    norm = normalise(text)
    out, start = [], 0
    for m in _SENTENCE_END.finditer(norm):
        if m.group() == "." and not _ends_sentence(norm, start, m.start()):
            continue
        out.append(norm[start : m.start()].lower())
        start = m.end()
    out.append(norm[start:].lower())
    return [s for s in out if s.strip()]


def _ends_sentence(norm: str, start: int, dot: int) -> bool:
    found = _LAST_WORD.search(norm, max(start, dot - _WORD_LENGTH), dot)
    word = found.group(1).lower() if found else ""
    if _INITIAL.fullmatch(word) or word in _NEVER_ENDS:
        return False
    if word in _ENDS_BEFORE_CAPITAL:
        after = norm[dot + 1 : dot + 3].lstrip()
        return after[:1].isupper()
    return True


# --- what makes a sentence about paying ----------------------------------------------------
# Firm: a deadline in the sentence is a payment deadline. An offer or money without a demand
# ("settle", "offer", "discount", "balance", "$120"), or either of them or a payment in the
# sentence before or after, makes a deadline a possible one: REVIEW ("Please pay $120. The
# deadline is November 25."; "This offer expires November 25."; "Your balance is $120. It is
# due November 25.").
_ABOUT_PAYING = re.compile(
    r"\b(?:re)?pa(?:y\w*|id)\b|\bremit\w*|\b(?:your|a|the)\s+(?:check|cheque)\b|\bmoney order\b"
    r"|\bdue date\b|\b(?:amount|balance|minimum|instal+ment)\b[^!?]{0,40}\bdue\b"
)
_ABOUT_OFFERS = re.compile(
    r"\bsettle\w*|\boffer\w*|\bdiscount\w*|\bsavings?\b|\bbalance\b|\byou\s+owe\b"
    r"|\bamount\s+owed\b|\$\s?\d"
)

# --- deadlines -------------------------------------------------------------------------------
_KEYWORD = re.compile(
    r"\b(?:on or before|no later than|by|before|until|till|within|in\s+the\s+next"
    r"|due(?:\s+date)?(?:\s+(?:is|on|by|before))?|(?:payment\s+)?deadline(?:\b[^!?]{0,30}?\bis)?"
    r"|pay\s+on|(?:make|making|submit|send|schedul\w*)\s+(?:your|a|the)\s+payment\s+on"
    r"|expir\w*(?:\s+on)?|(?:good|valid)\s+(?:through|until)|ends?(?:\s+on)?)"
    r"(?!\w)\s*:?\s*[\"\u201c\u201d'\u2018\u2019]?"
)
_SPANS_AFTER = ("within", "in ")
_WEEKDAY = (
    r"(?:(?:mon|tue|tues|wed|wednes|thu|thur|thurs|fri|sat|satur|sun)(?:day)?\.?,?\s+)?"
)
# "5 pm", "5:00 p.m. cst,", "close of business on", "noon": the hour before the date.
_HOUR = (
    r"(?:(?:(?:the\s+)?(?:close|end)\s+of\s+(?:business|day)|noon|midnight"
    r"|\d{1,2}(?::\d\d)?\s*[ap]\.?m\.?(?:\s+[a-z]{1,4}t)?)\s*,?\s*(?:on\s+)?)?"
)
_HOUR_ONLY = re.compile(r"(?:noon|midnight|\d{1,2}(?::\d\d)?\s*[ap]\.?m)\b")  # no date after it
_MONTH = r"(?P<month>jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
_YEAR = r"(?:(?:,?\s+|-)(?P<year>\d{4}))?"
_DATES = (
    # 2026-11-25
    re.compile(_HOUR + r"(?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})\b"),
    # November 25[, 2026]; Friday, December 4, 2026; Wed., Nov. 25th; Nov-25-2026
    re.compile(_HOUR + _WEEKDAY + _MONTH + r"(?:\s+|-)(?P<day>\d{1,2})(?:st|nd|rd|th)?\b" + _YEAR),
    # 25 November 2026; the 25th of November; 25-Nov-2026
    re.compile(
        _HOUR + _WEEKDAY + r"(?:the\s+)?(?P<day>\d{1,2})(?:st|nd|rd|th)?(?:\s+(?:of\s+)?|-)"
        + _MONTH + _YEAR
    ),
    # 11/25, 11/25/2026, 11-25-26, 11.25.2026
    re.compile(
        _HOUR + _WEEKDAY
        + r"(?P<month>\d{1,2})([/.-])(?P<day>\d{1,2})(?:\2(?P<year>\d{4}|\d{2}))?\b"
    ),
)
_NUMBER = (
    r"(?P<n>\d{1,3}|an?|" + "|".join(sorted(_NUMBERS, key=len, reverse=True)) + r")"
    r"(?:\s*\(\d{1,3}\))?"  # "seven (7) days"
)
_UNIT = r"\s+(?P<unit>(?:calendar\s+|business\s+)?days?|hours?|weeks?|months?)"
_SPAN = re.compile(r"(?:the\s+next\s+)?" + _NUMBER + _UNIT + r"\b")
_YOU_HAVE = re.compile(
    r"\b(?:you\s+have|you\s+will\s+have|you've\s+got|allow|give\s+you)\s+" + _NUMBER + _UNIT
    + r"(?:\s+in\s+which)?\s+to\b"
)
# A time that names no date we compute: REVIEW.
_VAGUE = re.compile(
    r"(?:this\s+|next\s+)?(?:mon|tue|tues|wed|wednes|thu|thur|thurs|fri|sat|satur|sun)(?:day)?\b"
    r"|the\s+\d{1,2}(?:st|nd|rd|th)\b|tomorrow|tonight|today|now\b|immediately|(?:up)?on\s+receipt"
    r"|(?:the\s+)?(?:end|close)\s+of\b|month[\s'\u2019-]*s?\s*end|year[\s-]end|next\s+(?:week|month)"
    r"|thanksgiving|christmas|new\s+year|the\s+holidays|noon|midnight|\d{1,2}(?::\d\d)?\s*[ap]\.?m"
    r"|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+[a-z]+(?:-[a-z]+)?"
    r"(?:st|nd|rd|th)\b"  # "November twenty-fifth"
)

# --- what is not a demand --------------------------------------------------------------------
# What the collector will do with a payment; "we will" only with the collector's own duties
# ("we will be expecting your payment by ..." is a demand).
_RECEIPT = re.compile(
    r"\b(?:will|should|may|can|usually|typically|normally|generally)\s+(?:\w+\s+)?(?:be\s+)?"
    r"(?:take\s+\w+(?:\s+\w+)?\s+to\s+)?"
    r"(?:post|process|credit|appl|appear|reflect|clear|show|e?mail|sen[dt]|issu|deliver|confirm"
    r"|arriv)\w*"
    r"|\b(?:we(?:'ll|\u2019ll|\s+will|\s+shall)|and\s+will)\s+(?:e?mail|send|mail|post|process"
    r"|credit|apply|confirm|issue|write|notify|contact|call|let\s+you\s+know|update|respond"
    r"|reply|review|investigate|provide)\b"
    # The office's own hours and closures ("our offices will be closed from ... until ...").
    r"|\b(?:office|offices|we|our\s+\w+)\s+(?:will\s+be\s+|are\s+|is\s+)?(?:closed|open"
    r"|unavailable|available)\b"
)
# After the receipt, anything that asks the consumer to act or sets a condition on the payment
# makes the deadline theirs ("will be credited only when received by"). "pay" the verb asks;
# "payment", the noun a receipt is about, does not.
_ASKS = re.compile(
    r"\b(?:must|please|need|needs|have to|has to|required?|make|send|submit|if|unless|only|when"
    r"|once|provided|(?:re)?pay)\b"
)
# No obligation to pay, in the clause before the deadline ("you do not have to pay by ...").
# Narrow: "if no payment is received by" and "you do not have to call us to pay by" are demands.
_NO_OBLIGATION = re.compile(
    r"\b(?:not|never)\s+(?:have|need|be\s+required|required|obligated)\s+to\s+(?:re)?pay\b"
    r"|n[\'\u2019]t\s+(?:have|need)\s+to\s+(?:re)?pay\b"
    r"|\bno\s+(?:payment|need\s+to\s+pay)\s+(?:is\s+|will\s+be\s+)?(?:due|required|needed"
    r"|necessary|expected)\b|\bis\s+not\s+(?:due|required)\b"
    r"|\bnothing\s+(?:is\s+|will\s+be\s+)?(?:due|owed)\b|\bnothing\s+needs\s+to\s+be\s+paid\b"
    r"|\b(?:will|do|does)\s+not\s+(?:require|expect|ask\s+for|need)\s+(?:any\s+)?payment\b"
)
_OWN_PLAN = re.compile(
    r"\b(?:your|the|this)\s+(?:payment\s+|instal+ment\s+)?(?:plan|arrangement)\b"
    r"|\b(?:payment|instal+ment)\s+agreement\b|\binstal+ments?\b"
    r"|\byou\s+(?:accepted|agreed to|chose|selected|set up|requested|signed up for|scheduled"
    r"|authori[sz]ed)\b|\b(?:scheduled|automatic|recurring)\s+payments?\b|\bautopay\b"
)
# A plan cancelled, refused or not the consumer's: its sentence's deadlines are demands.
_NOT_OWN_PLAN = re.compile(
    r"\b(?:cancel\w*|terminat\w*|revok\w*|default\w*|void\w*|no\s+longer|cannot|unavailable"
    r"|declin\w*|reject\w*|instead\s+of)\b|\bcan[\'\u2019]?t\b|\bno\s+(?:instal|payment\s+plan|plan)"
    r"|\bnot\s+(?:offer|available|eligible|want|accept)"
)
# A demand in its own words: a plan named only in the sentence before does not soften it.
_DEMANDS = re.compile(r"\b(?:must|please|need\s+to|have\s+to|has\s+to|required|demand\w*)\b")
_DISPUTE = re.compile(
    r"\bdisput\w*|\bnotify\s+(?:this|our)\s+office\b|\bverification\b|\bvalidity\b"
)
_CALL_US = re.compile(
    r"\b(?:call|contact|reach|e?mail|write\s+to|text|respond\s+to|reply\s+to)"
    r"\s+(?:us|me|our\s+\w+)\s*$"
)
_TO_PAY = re.compile(r"\bto\s+(?:make\s+(?:a|your|the)\s+payment|(?:re)?pay|settle|arrange)\b")
_CLAUSE_BREAK = re.compile(r"[,;:\u2014()]|\.\s")
_REACH = 300


def text_deadlines(text: str, send_day: date) -> TextDeadlines:
    """The deadlines `text` states, as D-67 reads them."""
    low = text.lower()
    if not any(w in low for w in ("pa", "due", "remit", "check", "settle", "offer", "discount")):
        return TextDeadlines()
    found = _Found()
    parts = sentences(text)
    paying = [bool(_ABOUT_PAYING.search(s)) for s in parts]
    offers = [bool(_ABOUT_OFFERS.search(s)) for s in parts]
    for i, sentence in enumerate(parts):
        near = any(paying[j] or offers[j] for j in (i - 1, i + 1) if 0 <= j < len(parts))
        if paying[i] or offers[i] or near:
            # "Thank you for setting up your payment plan. Your first payment is due ...": the
            # plan named in the sentence before counts as named before the deadline.
            plan_before = i > 0 and _names_own_plan(parts[i - 1])
            found.read(sentence, send_day, firm=paying[i], plan_before=plan_before)
    return TextDeadlines(
        tuple(found.demands), tuple(found.instalments), tuple(found.uncertain), found.unreadable
    )


class _Found:
    def __init__(self) -> None:
        self.demands: list[date] = []
        self.instalments: list[date] = []
        self.uncertain: list[date] = []
        self.unreadable = False

    def read(self, sentence: str, send_day: date, *, firm: bool, plan_before: bool) -> None:
        """A firm sentence's deadlines are demands; another's (an offer's, or a sentence next
        to a payment) are uncertain."""
        plan_ended = None
        for at, end, when in _deadlines_in(sentence, send_day):
            # Only the _REACH characters before the keyword are read, so that a long sentence
            # with many deadlines costs linear time, not quadratic.
            before = sentence[max(0, at - _REACH) : at]
            clause = before[_clause_start(before) :]
            if _is_receipt(clause) or _NO_OBLIGATION.search(clause + sentence[at:end]):
                continue
            if not firm and _DISPUTE.search(sentence):
                continue  # the dispute right's own deadline ("within 30 days ... dispute")
            if when is None:
                self.unreadable = True
            elif not firm or _asks_to_call(clause, sentence[end : end + _REACH]):
                self.uncertain.append(when)
            elif (plan_before and not _DEMANDS.search(clause)) or _OWN_PLAN.search(
                sentence, max(0, at - _REACH), end  # the keyword too: "you scheduled a payment on"
            ):
                if plan_ended is None:
                    plan_ended = bool(_NOT_OWN_PLAN.search(sentence))
                (self.demands if plan_ended else self.instalments).append(when)
            else:
                self.demands.append(when)


def _names_own_plan(sentence: str) -> bool:
    return bool(_OWN_PLAN.search(sentence)) and not _NOT_OWN_PLAN.search(sentence)


def _deadlines_in(sentence: str, send_day: date) -> list[tuple[int, int, date | None]]:
    """(where the deadline's keyword starts and ends, its date or None when it names none we
    can read)."""
    found: list[tuple[int, int, date | None]] = []
    for k in _KEYWORD.finditer(sentence):
        spans = k.group().startswith(_SPANS_AFTER)
        named, when = _time_at(sentence, k.end(), send_day, spans=spans)
        if named and when is None and k.group().startswith(("until", "till")):
            # Office hours ("Monday to Friday from 8 am until 8 pm"): an hour alone after
            # "until" is a time of day, not a deadline.
            named = not _HOUR_ONLY.match(sentence, k.end())
        if named:
            found.append((k.start(), k.end(), when))
    for m in _YOU_HAVE.finditer(sentence):
        found.append((m.start(), m.end(), _span_end(m, send_day)))
    return found


def _asks_to_call(clause: str, after: str) -> bool:
    """"Call us by November 25 if you have questions": a deadline to get in touch, not to pay
    (REVIEW), unless the sentence says the call is to pay ("... to make a payment")."""
    return bool(_CALL_US.search(clause)) and not _TO_PAY.search(after)


def _time_at(sentence: str, at: int, send_day: date, *, spans: bool) -> tuple[bool, date | None]:
    """Whether a time follows at `at` ("pay by card": none), and the date it names (None when
    it names one we cannot read)."""
    if spans:
        span = _SPAN.match(sentence, at)
        if span:
            return True, _span_end(span, send_day)
    for pattern in _DATES:
        m = pattern.match(sentence, at)
        if m:
            month = m.group("month")
            number = _MONTHS.get(month[:3]) if month.isalpha() else int(month)
            return True, _date(m, number, send_day)
    # A weekday, "the 25th", "tomorrow", or a span after another keyword ("due 10 days after
    # you receive this"): a deadline, but no date we can compute.
    return bool(_VAGUE.match(sentence, at) or _SPAN.match(sentence, at)), None


def _span_end(m: re.Match[str], send_day: date) -> date | None:
    n_text = m.group("n")
    n = int(n_text) if n_text.isdigit() else _NUMBERS.get(n_text, 1)  # "a", "an": one
    unit = m.group("unit")
    if unit.startswith("hour"):
        days = -(-n // 24)
    elif unit.startswith("week"):
        days = 7 * n
    elif unit.startswith("month"):
        days = 31 * n  # the longest month: a deadline before the period end for sure
    elif unit.startswith("business"):
        # The latest N business days can end: every weekend in them, one before the first,
        # and a holiday a week (an upper bound: a deadline before the period end for sure).
        days = n + 3 * -(-n // 5) + 2
    else:
        days = n
    try:
        return send_day + timedelta(days=days)
    except OverflowError:
        return None


def _date(m: re.Match[str], month: int | None, send_day: date) -> date | None:
    """The date a matched deadline names; a date without a year is its next occurrence on or
    after the send day. None when the text names no valid date (read as unparsed: REVIEW)."""
    if month is None or not 1 <= month <= 12:
        return None
    year_text = m.group("year")
    year = int(year_text) if year_text else send_day.year
    if year < 100:
        year += 2000
    try:
        found = date(year, month, int(m.group("day")))
        if not year_text and found < send_day:
            found = found.replace(year=year + 1)
    except (ValueError, OverflowError):
        return None
    return found


def _last(pattern: re.Pattern[str], text: str) -> re.Match[str] | None:
    found = None
    for found in pattern.finditer(text):  # noqa: B007 (the last one is wanted)
        pass
    return found


def _clause_start(before: str) -> int:
    last = _last(_CLAUSE_BREAK, before)
    return last.end() if last else 0


def _is_receipt(clause: str) -> bool:
    """The clause before the deadline ends in what the collector will do with a payment, and
    nothing after that verb asks the consumer to act."""
    last = _last(_RECEIPT, clause)
    return last is not None and not _ASKS.search(clause, last.end())
