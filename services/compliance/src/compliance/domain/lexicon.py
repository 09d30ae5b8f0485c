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
The regex list is the gate's documented lexicon; changing it is a new pack version.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from compliance.domain.context import Content, LcmItem, RemedyKind

_I = re.IGNORECASE

SUPPORTED_LANGUAGES = ("en", "es")

_CRIMINAL = re.compile(
    r"\b(arrest\w*|jail\w*|prison\w*|imprison\w*|criminal\w*|crime|police|sheriff|"
    r"warrants?|prosecut\w*|handcuff\w*|felony|misdemeanou?r|deport\w*|"
    r"c[aá]rcel|prisi[oó]n|encarcel\w*|delitos?|polic[ií]a|orden de (?:arresto|captura)|"
    r"denuncia penal)\b",
    _I,
)

_REMEDIES: dict[RemedyKind, re.Pattern[str]] = {
    RemedyKind.SUE: re.compile(
        r"\b(su(?:e|ed|es|ing)|lawsuits?|legal (?:action|proceedings?)|litigation|court|"
        r"demand(?:a|as|ar|aremos|arle|arlo)|acci[oó]n(?:es)? legal(?:es)?|juicio|"
        r"tribunal(?:es)?|corte|litigio)\b",
        _I,
    ),
    RemedyKind.GARNISH: re.compile(r"\b(garnish\w*|embarg\w*)\b", _I),
    RemedyKind.ATTACH: re.compile(
        r"\battach(?:ing|ment)?\s+(?:of\s+)?(?:your\s+)?(?:wages?|salary|property|assets?|"
        r"bank|accounts?|home|car)\b|\b(?:wage|bank|property)\s+attachment\b",
        _I,
    ),
    RemedyKind.SEIZE: re.compile(
        r"\b(seiz\w*|levy|levies|repossess\w*|foreclos\w*|liens?|incaut\w*|confisc\w*|"
        r"ejecuci[oó]n hipotecaria|gravamen)\b",
        _I,
    ),
    RemedyKind.SELL: re.compile(
        r"\b(?:sell|sale of)\s+your\s+(?:home|house|property|car|assets?)\b|"
        r"\bvender su (?:casa|propiedad|auto|coche)\b",
        _I,
    ),
    RemedyKind.ARBITRATE: re.compile(r"\barbitra\w*", _I),
    RemedyKind.REPORT: re.compile(
        r"\b(credit (?:report\w*|bureaus?|file|score)|reporting agenc\w*|"
        r"report (?:this|it|the debt|your (?:debt|account)) to|bur[oó] de cr[eé]dito|"
        r"(?:informe|historial) de cr[eé]dito)\b",
        _I,
    ),
}

# Legal action in the sense of 1006.26(b): suing or threatening any legal action.
LEGAL_REMEDIES = frozenset(RemedyKind) - {RemedyKind.REPORT}

_URGENCY = re.compile(
    r"\b(pay (?:now|today|immediately)|immediately|act now|final (?:notice|warning|demand)|"
    r"last chance|urgent\w*|escalat\w*|pague (?:ahora|hoy|inmediatamente)|inmediatamente|"
    r"urgente|[uú]ltim[oa] (?:aviso|oportunidad)|aviso final)\b",
    _I,
)

_PROFANITY = re.compile(
    r"\b(fuck\w*|shit\w*|bitch\w*|bastard\w*|asshole\w*|mierda|cabr[oó]n)\b", _I
)

# Words that reveal a debt: forbidden in limited-content messages, location contacts,
# household scripts and envelopes.
_DEBT_WORDS = re.compile(
    r"\b(debts?|owe[sd]?|owing|collect\w*|balance|past[- ]due|delinquen\w*|overdue|payments?|"
    r"deudas?|debe\w*|cobr\w*|saldo|pagos?|vencid\w*)\b",
    _I,
)

_PHONE_NUMBER = re.compile(r"(?:\+?1[\s.-]?)?\(?\d{3}\)?[\s.-]?\d{3}[\s.-]?\d{4}")


class _Disclosures(NamedTuple):
    mm_initial: tuple[re.Pattern[str], ...]
    mm_subsequent: re.Pattern[str]
    opt_out: re.Pattern[str]
    reply_request: re.Pattern[str]
    ca_time_barred: tuple[re.Pattern[str], ...]
    ca_rights: tuple[re.Pattern[str], ...]
    ny_time_barred: re.Pattern[str]


_DISCLOSURES: dict[str, _Disclosures] = {
    "en": _Disclosures(
        mm_initial=(
            re.compile(r"\battempt(?:ing)? to collect a debt\b", _I),
            re.compile(r"\bany information obtained will be used for that purpose\b", _I),
        ),
        mm_subsequent=re.compile(r"(?:\bfrom|\bby|\bis|\bare|\bam|,) a debt collector\b", _I),
        opt_out=re.compile(r"\b(?:reply|text|send) stop\b|\bunsubscribe\b|\bopt[ -]?out\b", _I),
        reply_request=re.compile(
            r"\b(call (?:us|me) back|please (?:call|return|contact|reply)|"
            r"return (?:my|our|this) call|call (?:us|me) at)\b",
            _I,
        ),
        ca_time_barred=(
            re.compile(r"\bthe law limits how long you can be sued on a debt\b", _I),
            re.compile(r"\bwill not sue you\b", _I),
        ),
        ca_rights=(
            re.compile(r"\brosenthal fair debt collection practices act\b", _I),
            re.compile(r"\bbefore 8 a\.?m\.? or after 9 p\.?m\b", _I),
        ),
        ny_time_barred=re.compile(
            r"\b(?:we|the law) (?:are not permitted to|cannot|will not|may not) sue you\b", _I
        ),
    ),
    "es": _Disclosures(
        mm_initial=(
            re.compile(r"\bintento de cobrar una deuda\b", _I),
            re.compile(
                r"\bcualquier informaci[oó]n (?:que se )?obten(?:ida|ga) (?:ser[aá] )?"
                r"(?:utilizada|usada) (?:para|con) (?:ese|dicho|este) (?:fin|prop[oó]sito)\b",
                _I,
            ),
        ),
        mm_subsequent=re.compile(
            r"\b(?:de|es|por) una? (?:cobrador(?:a)? de deudas|agencia de cobr\w+|"
            r"recaudador\w* de deudas)\b",
            _I,
        ),
        opt_out=re.compile(
            r"\b(?:responda|env[ií]e) (?:stop|alto|baja)\b|\bdarse de baja\b|"
            r"\bcancelar (?:la )?suscripci[oó]n\b",
            _I,
        ),
        reply_request=re.compile(
            r"\b(ll[aá]menos|ll[aá]meme|devu[eé]lva(?:nos|me)? la llamada|"
            r"por favor (?:llame|comun[ií]quese|responda))\b",
            _I,
        ),
        ca_time_barred=(
            re.compile(r"\bla ley limita el tiempo\b", _I),
            re.compile(r"\bno (?:le )?demandar[aá]\b", _I),
        ),
        ca_rights=(
            re.compile(r"\bley rosenthal\b", _I),
            re.compile(r"\bantes de las 8 a\.?m\.? o despu[eé]s de las 9 p\.?m\b", _I),
        ),
        ny_time_barred=re.compile(r"\bno (?:podemos|se nos permite) demandarle\b", _I),
    ),
}


class ContentFindings(NamedTuple):
    has_text: bool
    language_supported: bool
    mm_initial: bool
    mm_subsequent: bool
    opt_out_statement: bool
    reply_request: bool
    callback_number: bool
    debt_words: tuple[str, ...]
    criminal_words: tuple[str, ...]
    remedies: frozenset[RemedyKind]
    urgency_words: tuple[str, ...]
    profanity: bool
    ca_time_barred_notice: bool
    ca_rights_notice: bool
    ny_time_barred_notice: bool

    @property
    def legal_action(self) -> frozenset[RemedyKind]:
        return self.remedies & LEGAL_REMEDIES


def _all(patterns: tuple[re.Pattern[str], ...], text: str) -> bool:
    return all(p.search(text) for p in patterns)


def _words(pattern: re.Pattern[str], text: str) -> tuple[str, ...]:
    return tuple(sorted({m.group(0).lower() for m in pattern.finditer(text)}))


def analyse(content: Content) -> ContentFindings:
    """Scan the rendered text once; every content rule reads the result."""
    meta = content.meta
    text = content.text
    remedies = set(meta.threatens)
    if text is None:
        return ContentFindings(
            False,
            content.language in _DISCLOSURES,
            meta.mm_initial,
            meta.mm_subsequent or meta.mm_initial,
            meta.opt_out_statement,
            LcmItem.REPLY_REQUEST in (meta.lcm_items or ()),
            LcmItem.CALLBACK_NUMBER in (meta.lcm_items or ()),
            (),
            ("(template flag)",) if meta.mentions_arrest_or_crime else (),
            frozenset(remedies),
            (),
            False,
            "CA_TB" in meta.state_notices,
            "CA_1812_700" in meta.state_notices,
            "NYS_TB" in meta.state_notices,
        )
    remedies.update(kind for kind, pattern in _REMEDIES.items() if pattern.search(text))
    criminal = _words(_CRIMINAL, text)
    if meta.mentions_arrest_or_crime:
        criminal += ("(template flag)",)
    d = _DISCLOSURES.get(content.language)
    mm_initial = d is not None and _all(d.mm_initial, text)
    return ContentFindings(
        True,
        d is not None,
        mm_initial,
        mm_initial or (d is not None and bool(d.mm_subsequent.search(text))),
        d is not None and bool(d.opt_out.search(text)),
        d is not None and bool(d.reply_request.search(text)),
        bool(_PHONE_NUMBER.search(text)),
        _words(_DEBT_WORDS, text),
        criminal,
        frozenset(remedies),
        _words(_URGENCY, text),
        bool(_PROFANITY.search(text)),
        d is not None and _all(d.ca_time_barred, text),
        d is not None and _all(d.ca_rights, text),
        d is not None and bool(d.ny_time_barred.search(text)),
    )


def debt_words(text: str | None) -> tuple[str, ...]:
    return _words(_DEBT_WORDS, text) if text else ()


def mentions(name: str, text: str | None) -> bool:
    return bool(text) and name.casefold() in (text or "").casefold()


_ATTORNEY_CLAIM = re.compile(
    r"\b(?:our|my|the) (?:attorneys?|lawyers?|legal department)\b|\bnuestros? abogados?\b", _I
)
_GOVERNMENT_CLAIM = re.compile(
    r"\b(?:government|federal|state) (?:agency|agent|official)\b|\b(?:irs|fbi)\b", _I
)


def claims_attorney(text: str | None) -> bool:
    return bool(text) and bool(_ATTORNEY_CLAIM.search(text or ""))


def claims_government(text: str | None) -> bool:
    return bool(text) and bool(_GOVERNMENT_CLAIM.search(text or ""))
