"""Payment deadlines a message's text states, for FED-OVERSHADOW from pack 2026.12.2
(decisions.md D-67): during the validation period a deadline before the period ends
overshadows the right to dispute (1692g(b), 1006.38(b)).

English only, read sentence by sentence. A sentence is read when it is about paying (a pay
word: "pay", "paid", "payment", "repay", "remit", "your check", "money order", or a "due date",
an amount, balance or minimum "due"); in it, a deadline is a keyword ("by", "before", "no later
than", "on or before", "until", "within", "due", "due date is", "the deadline ... is",
"pay(ment) on", "you have N days to") followed by a time. The time is either a date or a span
the send day turns into one (a *demand*: BLOCK when it falls before the period end), or one
that cannot be read as a date ("by Friday", "by the 25th", "by tomorrow": *unreadable*, REVIEW).
Three readings keep what is not a demand out:
- a receipt, what the collector will do with a payment ("your payment will be posted within 3
  days", "we will email your confirmation by November 25"), when nothing in the clause between
  that verb and the keyword asks the consumer for anything;
- no obligation ("you do not have to pay by ...", "no payment is due before ...");
- an instalment of the consumer's own plan ("your first payment under the plan you accepted is
  due on December 1"), named before the deadline, in a sentence that does not cancel the plan:
  REVIEW, so a human checks the plan is the consumer's.
The cost is linear in the text: each sentence is searched a fixed number of times.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
_NUMBERS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20,
    "twenty-one": 21, "thirty": 30, "forty-five": 45, "forty-eight": 48, "sixty": 60,
    "seventy-two": 72, "ninety": 90,
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class TextDeadlines:
    """The payment deadlines a text states: demands, instalments of the consumer's own plan,
    and whether a deadline could not be read as a date."""

    demands: tuple[date, ...] = ()
    plan_instalments: tuple[date, ...] = ()
    unreadable: bool = False


# --- sentences ----------------------------------------------------------------------------
# A sentence ends at "!", "?", a line break, or a "." followed by a space or the end of the text
# ("$120.00" and "fairwayrecovery.com" do not end one) unless it closes an abbreviation.
_SENTENCE_END = re.compile(r"[!?\n]|\.(?=\s|$)")
_ABBREVIATIONS = frozenset(
    {"inc", "co", "corp", "ltd", "llc", "no", "st", "mr", "ms", "mrs", "dr", "jr", "sr", "etc",
     "dept", "ave", "approx", "vs", "e.g", "i.e", "u.s", *(m for m in _MONTHS), "sept"}
)  # fmt: skip
_LAST_WORD = re.compile(r"([\w.]+)$")
_INITIAL = re.compile(r"[a-z]")


def sentences(low: str) -> list[str]:
    out, start = [], 0
    for m in _SENTENCE_END.finditer(low):
        if m.group() == ".":
            word = _LAST_WORD.search(low, start, m.start())
            # An abbreviation, or an initial ("J. Smith"); "December 1." ends a sentence.
            if word and (word.group(1) in _ABBREVIATIONS or _INITIAL.fullmatch(word.group(1))):
                continue
        out.append(low[start : m.start()])
        start = m.end()
    out.append(low[start:])
    return [s for s in out if s.strip()]


# --- what makes a sentence about paying ----------------------------------------------------
_ABOUT_PAYING = re.compile(
    r"\b(?:re)?pa(?:y\w*|id)\b|\bremit\w*|\byour (?:check|cheque)\b|\bmoney order\b"
    r"|\bdue date\b|\b(?:amount|balance|minimum|instal+ment)\b[^!?]{0,40}\bdue\b"
)

# --- deadlines -------------------------------------------------------------------------------
_KEYWORD = re.compile(
    r"\b(?:on or before|no later than|by|before|until|within"
    r"|due(?:\s+date)?(?:\s+(?:is|on|by|before))?\s*:?"
    r"|deadline\b[^!?]{0,30}?\bis|pa(?:y|id|yment)\s+on)\s+"
)
_WEEKDAY = r"(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day,?\s+)?"
_MONTH = r"(?P<month>jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
_YEAR = r"(?:,?\s+(?P<year>\d{4}))?"
_DATES = (
    # November 25[, 2026]; Friday, December 4, 2026; Nov. 25th
    re.compile(_WEEKDAY + _MONTH + r"\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?\b" + _YEAR),
    # 25 November 2026; the 25th of November
    re.compile(
        _WEEKDAY + r"(?:the\s+)?(?P<day>\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?" + _MONTH + _YEAR
    ),
    # 11/25, 11/25/2026, 11-25-26
    re.compile(r"(?P<month>\d{1,2})([/-])(?P<day>\d{1,2})(?:\2(?P<year>\d{4}|\d{2}))?\b"),
)
_NUMBER = r"(?P<n>\d{1,3}|" + "|".join(sorted(_NUMBERS, key=len, reverse=True)) + ")"
_UNIT = r"\s+(?P<unit>(?:calendar\s+|business\s+)?days?|hours?|weeks?)"
_SPAN = re.compile(r"(?:the\s+next\s+)?" + _NUMBER + _UNIT + r"\b")
_YOU_HAVE = re.compile(r"\b(?:you\s+have|allow|give\s+you)\s+" + _NUMBER + _UNIT + r"\s+to\b")
# A time that names no date the text lets us compute: REVIEW.
_VAGUE = re.compile(
    r"(?:this\s+|next\s+)?(?:mon|tues|wednes|thurs|fri|satur|sun)day\b|the\s+\d{1,2}(?:st|nd|rd|th)\b"
    r"|tomorrow|tonight|today|end\s+of\b|the\s+(?:end|close)\b|next\s+(?:week|month)|\d{1,2}\s*[ap]\.?m\b"
)

# --- what is not a demand --------------------------------------------------------------------
_RECEIPT = re.compile(
    r"\b(?:will|should|may|can|usually|typically|normally|generally)\s+(?:\w+\s+)?(?:be\s+)?"
    r"(?:take\s+\w+(?:\s+\w+)?\s+to\s+)?(?:post|process|credit|appl|appear|reflect|clear|show)\w*"
    r"|\bwe(?:'ll|\s+will|\s+shall)\s+(?!need|require|expect|ask|have|want)\w+"
)
# After the receipt, anything that asks the consumer to act makes the deadline theirs.
# ("pay" the verb asks; "payment", the noun a receipt is about, does not.)
_ASKS = re.compile(
    r"\b(?:must|please|need|needs|have to|has to|required?|make|send|submit|if|unless"
    r"|(?:re)?pay)\b"
)
_NO_OBLIGATION = re.compile(
    r"\b(?:not|never)\s+(?:have|need|required|due|necessary|obligated)\b"
    r"|n[\'\u2019]t\s+(?:have|need)\b|\bno\s+(?:payment|need|obligation)\b|\bnothing\s+is\s+due\b"
)
_OWN_PLAN = re.compile(
    r"\b(?:your|the|this)\s+(?:payment\s+|instal+ment\s+)?(?:plan|arrangement)\b"
    r"|\b(?:payment|instal+ment)\s+agreement\b|\binstal+ments?\b"
    r"|\byou\s+(?:accepted|agreed to|chose|selected|set up|requested|signed up for)\b"
)
_PLAN_ENDED = re.compile(r"\b(?:cancel\w*|terminat\w*|revok\w*|default\w*|void\w*|no longer)\b")
_CLAUSE_BREAK = re.compile(r"[,;:\u2014]")
_REACH = 300


def text_deadlines(text: str, send_day: date) -> TextDeadlines:
    low = text.lower()
    if "pa" not in low and "due" not in low and "remit" not in low and "check" not in low:
        return TextDeadlines()
    demands: list[date] = []
    instalments: list[date] = []
    unreadable = False
    for sentence in sentences(low):
        if not _ABOUT_PAYING.search(sentence):
            continue
        plan_ended = None
        for at, found in _deadlines_in(sentence, send_day):
            # Only the _REACH characters before the keyword are read, so that a long sentence
            # with many deadlines costs linear time, not quadratic.
            before = sentence[max(0, at - _REACH) : at]
            clause = before[_clause_start(before) :]
            if _is_receipt(clause) or _NO_OBLIGATION.search(clause):
                continue
            if found is None:
                unreadable = True
                continue
            if _OWN_PLAN.search(before):
                if plan_ended is None:
                    plan_ended = bool(_PLAN_ENDED.search(sentence))
                if not plan_ended:
                    instalments.append(found)
                    continue
            demands.append(found)
    return TextDeadlines(tuple(demands), tuple(instalments), unreadable)


def _deadlines_in(sentence: str, send_day: date) -> list[tuple[int, date | None]]:
    """(where the deadline's keyword starts, its date or None when it names none we can read)."""
    found: list[tuple[int, date | None]] = []
    for k in _KEYWORD.finditer(sentence):
        named, when = _time_at(sentence, k.end(), send_day, within=k.group().startswith("within"))
        if named:
            found.append((k.start(), when))
    for m in _YOU_HAVE.finditer(sentence):
        found.append((m.start(), _span_end(m, send_day)))
    return found


def _time_at(
    sentence: str, at: int, send_day: date, *, within: bool
) -> tuple[bool, date | None]:
    """Whether a time follows at `at` ("pay by card": none), and the date it names (None when
    it names one we cannot read)."""
    if within:
        span = _SPAN.match(sentence, at)
        if span:
            return True, _span_end(span, send_day)
        return bool(_VAGUE.match(sentence, at)), None
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
    n = int(n_text) if n_text.isdigit() else _NUMBERS[n_text]
    unit = m.group("unit")
    if unit.startswith("hour"):
        return send_day + timedelta(days=-(-n // 24))
    if unit.startswith("week"):
        return send_day + timedelta(weeks=n)
    if unit.startswith("business"):
        # The latest N business days can end: every weekend in them, one before the first,
        # and a holiday a week (an upper bound: a deadline before the period end for sure).
        weeks = -(-n // 5)
        return send_day + timedelta(days=n + 3 * weeks + 2)
    return send_day + timedelta(days=n)


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
    except ValueError:
        return None
    if not year_text and found < send_day:
        try:
            found = found.replace(year=year + 1)
        except ValueError:
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
