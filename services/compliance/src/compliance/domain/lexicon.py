"""Conservative text patterns for the content rules (English and Spanish).

What these regexes are, and are not:
- Threat and legal-action patterns are deliberately broad, and are checked in every supported
  language whatever the declared language, so a Spanish threat in an "en" message is still
  caught. A false positive blocks the message and sends the template to human review, which is
  the safe direction (1692e(4),(5); 1006.26(b)).
- Disclosure patterns (mini-Miranda, opt-out statement, state notices) are narrow and are only
  searched in the declared language: 1006.18(e)(4) wants the disclosure in the language of the
  rest of the communication.
- When there is no rendered text (for example an agent call whose script lives in the dialer),
  the rules fall back to the template metadata flags in `ContentMeta`.
- The text is lower-cased once and every pattern is written in lower case (case-insensitive
  matching costs three times as much in Python's engine).
The regex list is the gate's documented lexicon; changing it is a new pack version.
"""

from __future__ import annotations

import re
from typing import NamedTuple, Protocol

from compliance.domain.context import Content, LcmItem, RemedyKind
from compliance.domain.lazy import lazy

SUPPORTED_LANGUAGES = ("en", "es")

_CRIMINAL = re.compile(
    r"\b(arrest\w*|jail\w*|prison\w*|imprison\w*|criminal\w*|crime|police|sheriff|"
    r"warrants?|prosecut\w*|handcuff\w*|felony|misdemeanou?r|deport\w*|"
    r"c[aá]rcel|prisi[oó]n|encarcel\w*|delitos?|polic[ií]a|orden de (?:arresto|captura)|"
    r"denuncia penal)\b"
)

_REMEDIES: dict[RemedyKind, re.Pattern[str]] = {
    RemedyKind.SUE: re.compile(
        r"\b(su(?:e|ed|es|ing)|lawsuits?|legal (?:action|proceedings?)|litigation|court|"
        r"demand(?:a|as|ar|aremos|arle|arlo)|acci[oó]n(?:es)? legal(?:es)?|juicio|"
        r"tribunal(?:es)?|corte|litigio)\b",
    ),
    RemedyKind.GARNISH: re.compile(r"\b(garnish\w*|embarg\w*)\b"),
    RemedyKind.ATTACH: re.compile(
        r"\battach(?:ing|ment)?\s+(?:of\s+)?(?:your\s+)?(?:wages?|salary|property|assets?|"
        r"bank|accounts?|home|car)\b|\b(?:wage|bank|property)\s+attachment\b",
    ),
    RemedyKind.SEIZE: re.compile(
        r"\b(seiz\w*|levy|levies|repossess\w*|foreclos\w*|liens?|incaut\w*|confisc\w*|"
        r"ejecuci[oó]n hipotecaria|gravamen)\b",
    ),
    RemedyKind.SELL: re.compile(
        r"\b(?:sell|sale of)\s+your\s+(?:home|house|property|car|assets?)\b|"
        r"\bvender su (?:casa|propiedad|auto|coche)\b",
    ),
    RemedyKind.ARBITRATE: re.compile(r"\barbitra\w*"),
    RemedyKind.REPORT: re.compile(
        r"\b(credit (?:report\w*|bureaus?|file|score)|reporting agenc\w*|"
        r"report (?:this|it|the debt|your (?:debt|account)) to|bur[oó] de cr[eé]dito|"
        r"(?:informe|historial) de cr[eé]dito)\b",
    ),
}

# Legal action in the sense of 1006.26(b): suing or threatening any legal action.
LEGAL_REMEDIES = frozenset(RemedyKind) - {RemedyKind.REPORT}

_URGENCY = re.compile(
    r"\b(pay (?:now|today|immediately)|immediately|act now|final (?:notice|warning|demand)|"
    r"last chance|urgent\w*|escalat\w*|pague (?:ahora|hoy|inmediatamente)|inmediatamente|"
    r"urgente|[uú]ltim[oa] (?:aviso|oportunidad)|aviso final)\b"
)

_PROFANITY = re.compile(r"\b(fuck\w*|shit\w*|bitch\w*|bastard\w*|asshole\w*|mierda|cabr[oó]n)\b")

# Words that reveal a debt: forbidden in limited-content messages, location contacts,
# household scripts and envelopes.
_DEBT_WORDS = re.compile(
    r"\b(debts?|owe[sd]?|owing|collect\w*|balance|past[- ]due|delinquen\w*|overdue|payments?|"
    r"deudas?|debe\w*|cobr\w*|saldo|pagos?|vencid\w*)\b"
)

_PHONE_NUMBER = re.compile(r"(?:\+?1[\s.-]?)?\(?\d{3}\)?[\s.-]?\d{3}[\s.-]?\d{4}")


class _Searcher(Protocol):
    def search(self, text: str, /) -> object: ...


_WORD_END = re.compile(r"\b")


class _Preceded:
    """A literal phrase, ending a word, that must be preceded by one of a few short words.

    Same matches as the pattern `<literal>\\b` preceded by `before`, found with `str.find` (the
    literal cannot overlap itself, so every occurrence is tried, as `finditer` would)."""

    def __init__(self, literal: str, before: re.Pattern[str]) -> None:
        self.literal, self.before = literal, before

    def search(self, text: str) -> bool:
        literal, before = self.literal, self.before
        start = text.find(literal)
        while start >= 0:
            if _WORD_END.match(text, start + len(literal)) and before.search(
                text, max(0, start - 6), start
            ):
                return True
            start = text.find(literal, start + 1)
        return False

    def search_affirmed(self, text: str) -> bool:
        """`search`, ignoring a match that a negation precedes (decisions.md D-85)."""
        literal, before = self.literal, self.before
        start = text.find(literal)
        while start >= 0:
            if _WORD_END.match(text, start + len(literal)) and before.search(
                text, max(0, start - 6), start
            ):
                window = text[start - 30 if start > 30 else 0 : start]  # _negated, inlined
                if ("no" not in window and "n't" not in window and "never" not in window) or (
                    not _NEGATED.search(window)
                ):
                    return True
            start = text.find(literal, start + 1)
        return False


class _Disclosures(NamedTuple):
    mm_initial: tuple[re.Pattern[str], ...]
    mm_subsequent: _Searcher
    opt_out: re.Pattern[str]
    reply_request: re.Pattern[str]
    ca_time_barred: tuple[re.Pattern[str], ...]
    ca_rights: tuple[re.Pattern[str], ...]
    ny_time_barred: re.Pattern[str]


_DISCLOSURES: dict[str, _Disclosures] = {
    "en": _Disclosures(
        mm_initial=(
            re.compile(r"\battempt(?:ing)? to collect a debt\b"),
            re.compile(r"\bany information obtained will be used for that purpose\b"),
        ),
        # "from a debt collector" (also "by", "is", "are", "am" or an apposition ", a debt
        # collector"); written literal-first because that is ten times faster to search.
        mm_subsequent=_Preceded("a debt collector", re.compile(r"(?:\b(?:from|by|is|are|am)|,) $")),
        opt_out=re.compile(r"\b(?:reply|text|send) stop\b|\bunsubscribe\b|\bopt[ -]?out\b"),
        reply_request=re.compile(
            r"\b(call (?:us|me) back|please (?:call|return|contact|reply)|"
            r"return (?:my|our|this) call|call (?:us|me) at)\b",
        ),
        ca_time_barred=(
            re.compile(r"\bthe law limits how long you can be sued on a debt\b"),
            re.compile(r"\bwill not sue you\b"),
        ),
        ca_rights=(
            re.compile(r"\brosenthal fair debt collection practices act\b"),
            re.compile(r"\bbefore 8 a\.?m\.? or after 9 p\.?m\b"),
        ),
        ny_time_barred=re.compile(
            r"\b(?:we|the law) (?:are not permitted to|cannot|will not|may not) sue you\b"
        ),
    ),
    "es": _Disclosures(
        mm_initial=(
            re.compile(r"\bintento de cobrar una deuda\b"),
            re.compile(
                r"\bcualquier informaci[oó]n (?:que se )?obten(?:ida|ga) (?:ser[aá] )?"
                r"(?:utilizada|usada) (?:para|con) (?:ese|dicho|este) (?:fin|prop[oó]sito)\b",
            ),
        ),
        mm_subsequent=re.compile(
            r"\b(?:de|es|por) una? (?:cobrador(?:a)? de deudas|agencia de cobr\w+|"
            r"recaudador\w* de deudas)\b",
        ),
        opt_out=re.compile(
            r"\b(?:responda|env[ií]e) (?:stop|alto|baja)\b|\bdarse de baja\b|"
            r"\bcancelar (?:la )?suscripci[oó]n\b",
        ),
        reply_request=re.compile(
            r"\b(ll[aá]menos|ll[aá]meme|devu[eé]lva(?:nos|me)? la llamada|"
            r"por favor (?:llame|comun[ií]quese|responda))\b",
        ),
        ca_time_barred=(
            re.compile(r"\bla ley limita el tiempo\b"),
            re.compile(r"\bno (?:le )?demandar[aá]\b"),
        ),
        ca_rights=(
            re.compile(r"\bley rosenthal\b"),
            re.compile(r"\bantes de las 8 a\.?m\.? o despu[eé]s de las 9 p\.?m\b"),
        ),
        ny_time_barred=re.compile(r"\bno (?:podemos|se nos permite) demandarle\b"),
    ),
}


# Revision 2 (decisions.md D-104) also takes the model validation notice's own words for the
# initial disclosure (Regulation F Model Form B-1: "We are trying to collect a debt ... We will
# use any information you give us to help collect the debt"), which 1006.34(d)(2) makes a safe
# harbour for; revision 1 read only the statute's wording.
_DISCLOSURES_V2: dict[str, _Disclosures] = {
    **_DISCLOSURES,
    "en": _DISCLOSURES["en"]._replace(
        mm_initial=(
            re.compile(r"\b(?:attempt(?:ing)?|trying) to collect (?:a|this) debt\b"),
            re.compile(
                r"\bany information (?:obtained|you give us|you provide)\s+will be used for that "
                r"purpose\b|\bwe will use any information (?:you give us|obtained|you provide)"
                r" to (?:help )?collect (?:the|this|a) debt\b"
            ),
        )
    ),
}

# 1006.34(d)(3)(vi)(A): a validation notice may offer a Spanish copy in these words (Model Form
# B-1). The offer alone is not Spanish text that needs the disclosure in Spanish (D-105).
_SPANISH_COPY_OFFER = re.compile(
    r"p[o\u00f3]ngase en contacto con nosotros para solicitar una copia de este "
    r"(?:aviso|formulario) en espa[\u00f1n]ol[.!]?"
)

_ATTORNEY_CLAIM = re.compile(
    r"\b(?:our|my|the) (?:attorneys?|lawyers?|legal department)\b|\bnuestros? abogados?\b"
)
_GOVERNMENT_CLAIM = re.compile(
    r"\b(?:government|federal|state) (?:agency|agent|official)\b|\b(?:irs|fbi)\b"
)


# A cheap trigger before the scan patterns run: every scan-pattern match contains a word that
# starts with one of these stems (a unit test checks it against the patterns). Most messages
# contain none, so the threat patterns rarely run at all; this keeps the gate fast.
# decisions.md D-33.
_TRIGGER_STEMS: dict[str, tuple[str, ...]] = {
    "criminal": (
        "arrest",
        "jail",
        "prison",
        "imprison",
        "criminal",
        "crime",
        "police",
        "sheriff",
        "warrant",
        "prosecut",
        "handcuff",
        "felony",
        "misdemean",
        "deport",
        "cárcel",
        "carcel",
        "prisi",
        "encarcel",
        "delito",
        "polic",
        "orden",
        "denuncia",
    ),
    RemedyKind.SUE: (
        "sue",
        "suing",
        "lawsuit",
        "legal",
        "litigation",
        "court",
        "demand",
        "acci",
        "juicio",
        "tribunal",
        "corte",
        "litigio",
    ),
    RemedyKind.GARNISH: ("garnish", "embarg"),
    RemedyKind.ATTACH: ("attach",),
    RemedyKind.SEIZE: (
        "seiz",
        "levy",
        "levies",
        "repossess",
        "foreclos",
        "lien",
        "incaut",
        "confisc",
        "ejecuci",
        "gravamen",
    ),
    RemedyKind.SELL: ("sell", "sale", "vender"),
    RemedyKind.ARBITRATE: ("arbitra",),
    RemedyKind.REPORT: ("credit", "report", "bur", "informe", "historial"),
    "profanity": ("fuck", "shit", "bitch", "bastard", "asshole", "mierda", "cabr"),
    "attorney": ("attorney", "lawyer", "legal", "abogad"),
    "government": ("government", "federal", "state", "irs", "fbi"),
}

# Literal fragments one of which every match of a disclosure pattern contains: a substring test
# is far cheaper than a regex search, and most messages carry only one of the disclosures.
_NEEDLES: dict[str, tuple[str, ...]] = {
    "mm_initial": ("collect a debt", "collect this debt", "cobrar una deuda"),
    "mm_subsequent": ("debt collector", "cobr", "recaudador"),
    "opt_out": ("stop", "unsubscribe", "opt", "alto", "baja", "suscripci"),
    "reply_request": ("call", "return", "reply", "contact", "llam", "devu", "por favor"),
    "ca_time_barred": ("sued on a debt", "la ley limita"),
    "ca_rights": ("rosenthal",),
    "ny_time_barred": ("sue you", "demandarle"),
}
_BY_PREFIX: dict[str, list[tuple[str, object]]] = {}
for _category, _stems in _TRIGGER_STEMS.items():
    for _stem in _stems:
        _BY_PREFIX.setdefault(_stem[:3], []).append((_stem, _category))
_WORD = re.compile(r"\w+")


def _candidates_pattern(prefixes: list[str]) -> re.Pattern[str]:
    """Whole words starting with one of `prefixes`, grouped by first letter for speed."""
    by_first: dict[str, list[str]] = {}
    for prefix in sorted(prefixes, key=lambda p: (-len(p), p)):
        by_first.setdefault(prefix[0], []).append(re.escape(prefix[1:]))
    branches = [f"{re.escape(c)}(?:{'|'.join(rests)})" for c, rests in sorted(by_first.items())]
    return re.compile(r"\b(?:" + "|".join(branches) + r")\w*")


# Every word _WORD would find whose first three letters key _BY_PREFIX (usually none).
_CANDIDATES = _candidates_pattern(list(_BY_PREFIX))


def _triggered(
    low: str,
    candidates: re.Pattern[str] = _CANDIDATES,
    by_prefix: dict[str, list[tuple[str, object]]] = _BY_PREFIX,
) -> set[object]:
    found: set[object] = set()
    for word in candidates.findall(low):
        for stem, category in by_prefix.get(word[:3], ()):
            if word.startswith(stem):
                found.add(category)
    return found


# --- revision 2 of the lexicon: pack 2026.12.2 (decisions.md D-80 to D-83) ------------------
# Revision 1 above is unchanged (2026.11.1 and 2026.12.1 replay with it). Revision 2 matches
# the same patterns plus the ones below on a normalised text, with its own trigger stems.

# Anything other than single spaces between words, or markup: most texts have none, so the
# normalisation costs one search.
_ODD_TEXT = re.compile(r"[^\S ]|  |[<&\u00ad\u200b-\u200d\u2060\ufeff]")
_INVISIBLE = re.compile(r"[\u00ad\u200b-\u200d\u2060\ufeff]")
_TAG = re.compile(r"<[^<>]{0,300}>")
_ENTITIES = {
    "&nbsp;": " ",
    "&#160;": " ",
    "&#xa0;": " ",
    "&ensp;": " ",
    "&emsp;": " ",
    "&thinsp;": " ",
    "&amp;": "&",
    "&quot;": '"',
    "&apos;": "'",
    "&#39;": "'",
    "&lt;": "<",
    "&gt;": ">",
}
_ENTITY = re.compile("|".join(re.escape(e) for e in _ENTITIES))
_RUNS = re.compile(r"\s+")


def normalise(low: str) -> str:
    """The lower-cased text with HTML tags replaced by a space, common entities decoded,
    invisible characters (soft hyphen, zero-width) removed and every run of Unicode whitespace
    (non-breaking and thin spaces, tabs, line breaks) made one space: the patterns are written
    with single spaces (decisions.md D-80)."""
    # str.isprintable is False for every whitespace character but the space, and for the
    # invisible ones (Unicode categories Z and C): a fast first test.
    if low.isprintable() and "  " not in low and "<" not in low and "&" not in low:
        return low
    if not _ODD_TEXT.search(low):
        return low
    if "<" in low:
        low = _TAG.sub(" ", low)
    if "&" in low:
        low = _ENTITY.sub(lambda m: _ENTITIES[m.group(0)], low)
    low = _INVISIBLE.sub("", low)
    return _RUNS.sub(" ", low)


# Paraphrases the review found (decisions.md D-81), each narrow. French threat words are a
# safety net for a sentence in an unsupported language inside a supported-language message.
_CRIMINAL_V2 = re.compile(
    r"\b(?:(?:not paying|non-?payment|failure to pay|failing to pay)[\w ]{0,30} "
    r"(?:is|was|constitutes?|amounts? to|may be|could be) (?:a |an act of )?fraud\w*|"
    r"commit\w* (?:a |an act of )?fraud\w*|"
    r"fraud charges?|charged with (?:fraud|theft)|theft of services|district attorney\w*|"
    r"detain\w*|detention|"
    r"(?:comete|cometi[oó]|cometer|cometiendo) (?:un )?fraude|"
    r"(?:no pagar|falta de pago)[\w ]{0,30} (?:es|constituye) (?:un )?fraude|"
    r"fraude (?:penal|criminal)|detenid[oa]s?|detener\w*|detenci[oó]n|fiscal[ií]a|"
    r"ministerio p[uú]blico|emprisonn\w*|poursuites? p[ée]nales?)\b"
)

_REMEDIES_V2: dict[RemedyKind, re.Pattern[str]] = {
    RemedyKind.SUE: re.compile(
        r"\b(?:(?:obtain|get|seek|pursue|enter|file for|request|win|secure)(?:ing|ed|s)? "
        r"(?:a |an )?(?:default |court )?judge?ments?|judge?ments? against you|summons\w*|"
        r"served with (?:legal |court )?(?:papers|process)|"
        r"legal (?:steps?|measures?|remed\w*|process|recourse)|"
        r"file (?:a )?(?:claim|complaint|case|suit) against|small claims|"
        r"(?:acci[oó]n|acciones|procedimientos?|procesos?|demandas?) judicial(?:es)?|"
        r"(?:obten\w*|consegui\w*|solicita\w*) (?:una )?sentencia|"
        r"sentencia (?:en su contra|judicial|contra usted)|"
        r"en justice|poursuites? judiciaires?|huissiers?)\b"
    ),
    RemedyKind.GARNISH: re.compile(
        r"\b(?:(?:deduct|withh[oe]ld|dock|take|taki|garnish)\w* (?:[\w$.,]+ ){0,4}?"
        r"(?:from|out of|off) your (?:paychecks?|paycheques?|wages?|salary|earnings)|"
        r"wage (?:deductions?|withholding|assignments?)|"
        r"(?:quit|descont|reten|deduc)\w* (?:\w+ ){0,3}?(?:de |del )?su (?:salario|sueldo|cheque)|"
        r"saisies? (?:sur|de) (?:votre )?salaire)\b"
    ),
    RemedyKind.ATTACH: re.compile(
        r"\b(?:(?:freez\w*|lock|block) (?:your |the )?(?:bank |checking |savings )?"
        r"(?:accounts?|funds|assets|deposits)|"
        r"(?:congel|bloque)\w* (?:su |sus )?(?:cuentas?|fondos)|"
        r"(?:geler|bloquer) (?:votre )?compte)\b"
    ),
    RemedyKind.REPORT: re.compile(
        r"\b(?:equifax|experian|trans ?union|innovis|"
        r"reportar\w* (?:a |al |ante )?(?:las? |los )?(?:agencias?|bur[oó]s?))\b"
    ),
}

_ATTORNEY_CLAIM_V2 = re.compile(
    r"\b(?:(?:our|my|the) (?:law (?:firm|offices?)|legal (?:team|counsel|staff)|counsel)|"
    r"law (?:firm|offices?) of|attorneys? at law|esq|"
    r"(?:nuestr[oa]|el|la) (?:bufete|despacho|firma) (?:de abogados|legal)|bufete)\b"
)

# Words that reveal a debt, added for limited-content messages and every other debt-word test
# (decisions.md D-87): "account", "loan", "bill" (after a determiner: Bill is a first name).
_DEBT_WORDS_V2 = re.compile(
    r"\b(accounts?|loans?|(?:your|the|this|an?|unpaid|overdue|outstanding|open) bills?|billing|"
    r"arrears?|unpaid|outstanding (?:amount|balance)|settle\w*|creditors?|credit cards?|"
    r"invoices?|amount due|mortgage|cuentas?|pr[eé]stamos?|facturas?|atrasad\w*|impag\w*|"
    r"morosidad|moros[oa]s?|tarjetas? de cr[eé]dito|acreedor\w*)\b"
)

# A demand or solicitation of payment (decisions.md D-84): imperative or soliciting forms
# only; "the amount owed is $120" (a statement, as in a verification) is not one.
_PAYMENT_DEMAND = re.compile(
    r"\b(?:pay (?:now|today|immediately|in full|online|off|the|your|this|that|it|us|what|any|"
    r"all|\$|\d)|"
    r"(?:make|submit|send|remit|mail) (?:a |an |your |the |us |us a |us your )?(?:\w+ )?payments?|"
    r"payments? (?:is |are )?(?:due|required|expected|needed)|"
    r"(?:balance|amount)s? (?:is |are )?(?:due|owed|owing) (?:by|before|on|today|now|"
    r"immediately|within|no later)|"
    r"please (?:pay|remit|settle)|"
    r"(?:settle|resolve|clear) (?:your|this|the) (?:balance|debt|account)|"
    r"to pay,? (?:call|visit|go|log|click|reply|text)|"
    r"payment (?:plans?|arrangements?|options?|portal|link)|"
    r"pague\w*|pagar (?:hoy|ahora|su|el|la)|(?:haga|realice|env[ií]e) (?:un |su )?pago|"
    r"plan de pagos?|debe pagar|payez|veuillez payer)"
)

# A disclosure or demand preceded by a negation ("is not from a debt collector", "we are not
# attempting to collect a debt", "you do not need to pay the balance"): up to two words apart.
_NEGATED = re.compile(r"(?:\bnot|n't|\bnever|\bno)(?: \w+){0,2} $")


def _negated(low: str, start: int) -> bool:
    window = low[max(0, start - 30) : start]
    if "no" not in window and "n't" not in window and "never" not in window:
        return False  # the usual case, without a regex search
    return bool(_NEGATED.search(window))


# Marker words of each supported language: a message with 3 distinct markers of a language
# has text in it (decisions.md D-86). Words are split on spaces only (cheap): a marker with
# punctuation attached is not counted, which only makes the test less eager.
_MARKERS: dict[str, frozenset[str]] = {
    "en": frozenset(
        {
            "the",
            "and",
            "your",
            "you",
            "this",
            "please",
            "will",
            "with",
            "our",
            "that",
            "have",
            "are",
            "for",
        }
    ),
    "es": frozenset(
        {
            "usted",
            "su",
            "sus",
            "que",
            "por",
            "para",
            "los",
            "las",
            "del",
            "una",
            "esta",
            "está",
            "pague",
            "saldo",
            "estimado",
            "estimada",
            "cuenta",
            "deuda",
            "favor",
            "hoy",
            "gracias",
            "mensaje",
            "nuestro",
            "nuestra",
            "puede",
            "le",
            "con",
        }
    ),
}


_TRIGGER_STEMS_V2: dict[str, tuple[str, ...]] = {
    **_TRIGGER_STEMS,
    "criminal": (
        *_TRIGGER_STEMS["criminal"],
        "fraud",
        "theft",
        "district",
        "detain",
        "detention",
        "detenid",
        "detener",
        "detenci",
        "fiscal",
        "ministerio",
        "emprisonn",
        "poursuite",
    ),
    RemedyKind.SUE: (
        *_TRIGGER_STEMS[RemedyKind.SUE],
        "judg",
        "summon",
        "served",
        "file",
        "small",
        "judici",
        "sentenc",
        "justice",
        "poursuite",
        "huissier",
    ),
    # Verbs rather than "paycheck": "pay..." would fire on every "payment".
    RemedyKind.GARNISH: (
        *_TRIGGER_STEMS[RemedyKind.GARNISH],
        "deduct",
        "withh",
        "dock",
        "take",
        "taki",
        "wage",
        "quit",
        "descont",
        "reten",
        "deduc",
        "saisie",
    ),
    RemedyKind.ATTACH: (
        *_TRIGGER_STEMS[RemedyKind.ATTACH],
        "freez",
        "lock",
        "block",
        "congel",
        "bloque",
        "geler",
    ),
    RemedyKind.REPORT: (
        *_TRIGGER_STEMS[RemedyKind.REPORT],
        "equifax",
        "experian",
        "trans",
        "innovis",
    ),
    "attorney": (
        *_TRIGGER_STEMS["attorney"],
        "law",
        "counsel",
        "esq",
        "bufete",
        "despacho",
        "firma",
    ),
}
_BY_PREFIX_V2: dict[str, list[tuple[str, object]]] = {}
for _category2, _stems2 in _TRIGGER_STEMS_V2.items():
    for _stem2 in _stems2:
        _BY_PREFIX_V2.setdefault(_stem2[:3], []).append((_stem2, _category2))
_CANDIDATES_V2 = _candidates_pattern(list(_BY_PREFIX_V2))


class ContentFindings:
    """What the content says, computed lazily from the lower-cased text (or the metadata when
    there is no text). Each property is computed at most once per evaluation.

    `revision` 1 is the lexicon of 2026.11.1 and 2026.12.1 (and `analyse(content)`); revision 2
    (switch `content_lexicon_v2`, decisions.md D-80 to D-83) first normalises whitespace and
    markup, adds the paraphrase patterns, ignores negated disclosures and extends the
    debt-revealing words."""

    def __init__(self, content: Content, revision: int = 1, low: str | None = None) -> None:
        self._content = content
        self._meta = content.meta
        self.has_text = content.text is not None
        self.revision = revision
        if low is None:
            low = (content.text or "").lower()
        self._low = normalise(low) if revision >= 2 else low
        self._d = (_DISCLOSURES_V2 if revision >= 2 else _DISCLOSURES).get(content.language)
        self.language_supported = self._d is not None

    @lazy
    def _categories(self) -> set[object]:
        if not self.has_text:
            found: set[object] = set()
        elif self.revision >= 2:
            found = _triggered(self._low, _CANDIDATES_V2, _BY_PREFIX_V2)
        else:
            found = _triggered(self._low)
        if not found:
            # No trigger word (most messages): the answers that need one are known now, each
            # exactly what its own derivation below gives for no category.
            flagged = ("(template flag)",) if self._meta.mentions_arrest_or_crime else ()
            remedies = frozenset(self._meta.threatens)
            self.__dict__.update(
                criminal_words=flagged,
                profanity=False,
                remedies=remedies,
                legal_action=remedies & LEGAL_REMEDIES,
                claims_attorney=False,
                claims_government=False,
            )
        return found

    def _disclosure(self, pick: str, flag: bool) -> bool:
        if not self.has_text:
            return flag
        if self._d is None:
            return False
        low = self._low
        for needle in _NEEDLES[pick]:
            if needle in low:
                break
        else:
            return False
        found = getattr(self._d, pick)
        if self.revision >= 2:
            # decisions.md D-85: a negated disclosure ("not from a debt collector") is none.
            if isinstance(found, _Preceded):
                return found.search_affirmed(low)
            if isinstance(found, tuple):
                return all(_affirmed(p, low) for p in found)
            return _affirmed(found, low)
        if isinstance(found, tuple):
            return all(p.search(low) for p in found)
        return bool(found.search(low))

    def disclosed_in(self, language: str, pick: str) -> bool:
        """Whether the text carries disclosure `pick` (a _Disclosures field) in `language`,
        not negated (revision 2; decisions.md D-86)."""
        d = _DISCLOSURES_V2.get(language)
        if d is None or not self.has_text:
            return False
        found = getattr(d, pick)
        if isinstance(found, tuple):
            return all(_affirmed(p, self._low) for p in found)
        return _affirmed(found, self._low)

    @lazy
    def other_languages(self) -> tuple[str, ...]:
        """Supported languages other than the declared one with at least 3 distinct marker
        words in the text (decisions.md D-86): the message has text in them too."""
        if not self.has_text:
            return ()
        declared, low = self._content.language, self._low
        if "spa" in low:  # decisions.md D-105: the notice's optional offer of a Spanish copy
            low = _SPANISH_COPY_OFFER.sub(" ", low)
        return tuple(
            lang
            for lang, markers in _MARKERS.items()
            if lang != declared and len(markers.intersection(low.split())) >= 3
        )

    @lazy
    def payment_demand(self) -> tuple[str, ...]:
        """Phrases demanding or soliciting payment, negated ones left out (decisions.md D-84)."""
        low = self._low
        return tuple(
            sorted(
                {m.group(0) for m in _PAYMENT_DEMAND.finditer(low) if not _negated(low, m.start())}
            )
        )

    def reveals_debt(self, creditor_name: str | None = None) -> tuple[str, ...]:
        """Debt-revealing words of revision 2 on the normalised text, with the creditor's name
        when it appears (decisions.md D-87): for FED-LCM and the other debt-word tests, which
        read this when their switch `debt_words_v2` is on."""
        low = self._low if self.revision >= 2 else normalise(self._low)
        words = _words(_DEBT_WORDS, low) + _words(_DEBT_WORDS_V2, low)
        if creditor_name and creditor_name.casefold() in low:
            words += (creditor_name.casefold(),)
        return tuple(sorted(set(words)))

    @lazy
    def mm_initial(self) -> bool:
        return self._disclosure("mm_initial", self._meta.mm_initial)

    @lazy
    def mm_subsequent(self) -> bool:
        return self.mm_initial or self._disclosure("mm_subsequent", self._meta.mm_subsequent)

    @lazy
    def opt_out_statement(self) -> bool:
        return self._disclosure("opt_out", self._meta.opt_out_statement)

    @lazy
    def reply_request(self) -> bool:
        flag = LcmItem.REPLY_REQUEST in (self._meta.lcm_items or ())
        return self._disclosure("reply_request", flag)

    @lazy
    def callback_number(self) -> bool:
        if not self.has_text:
            return LcmItem.CALLBACK_NUMBER in (self._meta.lcm_items or ())
        return bool(_PHONE_NUMBER.search(self._low))

    @lazy
    def ca_time_barred_notice(self) -> bool:
        return self._disclosure("ca_time_barred", "CA_TB" in self._meta.state_notices)

    @lazy
    def ca_rights_notice(self) -> bool:
        return self._disclosure("ca_rights", "CA_1812_700" in self._meta.state_notices)

    @lazy
    def ny_time_barred_notice(self) -> bool:
        return self._disclosure("ny_time_barred", "NYS_TB" in self._meta.state_notices)

    @lazy
    def debt_words(self) -> tuple[str, ...]:
        if self.revision >= 2:
            return self.reveals_debt()
        return _words(_DEBT_WORDS, self._low)

    @lazy
    def urgency_words(self) -> tuple[str, ...]:
        return _words(_URGENCY, self._low)

    @lazy
    def criminal_words(self) -> tuple[str, ...]:
        words = _words(_CRIMINAL, self._low) if "criminal" in self._categories else ()
        if self.revision >= 2 and "criminal" in self._categories:
            words = tuple(sorted({*words, *_words(_CRIMINAL_V2, self._low)}))
        return words + (("(template flag)",) if self._meta.mentions_arrest_or_crime else ())

    @lazy
    def profanity(self) -> bool:
        return "profanity" in self._categories and bool(_PROFANITY.search(self._low))

    @lazy
    def remedies(self) -> frozenset[RemedyKind]:
        categories = self._categories
        if not categories:  # no trigger word: only the template flags can name a remedy
            return frozenset(self._meta.threatens)
        found = set(self._meta.threatens)
        found.update(
            kind
            for kind, pattern in _REMEDIES.items()
            if kind in categories and pattern.search(self._low)
        )
        if self.revision >= 2:
            found.update(
                kind
                for kind, pattern in _REMEDIES_V2.items()
                if kind in categories and kind not in found and pattern.search(self._low)
            )
        return frozenset(found)

    @lazy
    def legal_action(self) -> frozenset[RemedyKind]:
        return self.remedies & LEGAL_REMEDIES

    @lazy
    def claims_attorney(self) -> bool:
        if "attorney" not in self._categories:
            return False
        if _ATTORNEY_CLAIM.search(self._low):
            return True
        return self.revision >= 2 and bool(_ATTORNEY_CLAIM_V2.search(self._low))

    @lazy
    def claims_government(self) -> bool:
        return "government" in self._categories and bool(_GOVERNMENT_CLAIM.search(self._low))


def _words(pattern: re.Pattern[str], low: str) -> tuple[str, ...]:
    return tuple(sorted({m.group(0) for m in pattern.finditer(low)}))


def analyse(content: Content, revision: int = 1) -> ContentFindings:
    """Findings for one rendered message; every content rule reads the same object. Revision 2
    is the lexicon of pack 2026.12.2 (switch `content_lexicon_v2`, decisions.md D-80)."""
    return ContentFindings(content, revision)


def _affirmed(pattern: _Searcher, low: str) -> bool:
    """Some match of `pattern` in `low` that no negation precedes (decisions.md D-85)."""
    if isinstance(pattern, _Preceded):
        return pattern.search_affirmed(low)
    if not isinstance(pattern, re.Pattern):
        return bool(pattern.search(low))
    return any(not _negated(low, m.start()) for m in pattern.finditer(low))


def debt_words_v2(text: str | None) -> tuple[str, ...]:
    """`debt_words` of lexicon revision 2 (normalised text, extended words; D-87)."""
    if not text:
        return ()
    low = normalise(text.lower())
    return tuple(sorted({*_words(_DEBT_WORDS, low), *_words(_DEBT_WORDS_V2, low)}))


def debt_words(text: str | None) -> tuple[str, ...]:
    return _words(_DEBT_WORDS, text.lower()) if text else ()


def mentions(name: str, text: str | None) -> bool:
    return bool(text) and name.casefold() in (text or "").casefold()
