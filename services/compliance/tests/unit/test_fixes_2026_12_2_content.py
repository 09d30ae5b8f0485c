"""Pack 2026.12.2, content fixes (decisions.md D-80 to D-94): each scenario is decided by
2026.12.1 (the review's finding, kept for replay) and by 2026.12.2 (the fix), next to the
boundary case that must still be allowed."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from compliance.domain import EvaluationContext, evaluate
from compliance.domain import lexicon as lx
from compliance.domain.context import (
    CeaseNotice,
    Content,
    IntendedAction,
    Medium,
    MediumOptOut,
    PostalEndpoint,
    RemedyKind,
    TemplateType,
)
from compliance.domain.results import Outcome

from .factories import (
    EMAIL_TEXT,
    INITIAL_TEXT,
    T0,
    email,
    fine,
    message,
    phone,
    result,
    with_content,
    with_debt,
    with_history,
    with_person,
    with_proposal,
)

OLD, NEW = "2026.12.1", "2026.12.2"
ENV = frozenset(["collector_address", "debtor_name_address", "postage"])


def _email(ctx: EvaluationContext, text: str, tmpl: str = "REMINDER", **meta: Any) -> Any:
    ctx = with_proposal(ctx, channel="email", endpoint_id="em-1", template_type=tmpl)
    return with_content(ctx, text, **meta)


def _letter(ctx: EvaluationContext, text: str, tmpl: str) -> EvaluationContext:
    ctx = with_proposal(ctx, channel="letter", endpoint_id="po-1", template_type=tmpl)
    return with_content(ctx, text, envelope_items=ENV)


def _with_post(**debt: Any) -> EvaluationContext:
    endpoints = [phone(), email(), PostalEndpoint(endpoint_id="po-1", address_id="a-1")]
    return with_debt(fine(endpoints=endpoints), **debt)


def _outcome(ctx: EvaluationContext, version: str, rule_id: str) -> Outcome:
    return result(evaluate(ctx, pack_version=version), rule_id).outcome  # type: ignore[no-any-return]


# --- 1. the lexicon: whitespace, markup, paraphrases (D-80, D-81, D-82) -------------------

THREATS = [
    ("We will take legal  action.", "FED-ACTION-THREAT"),  # two spaces
    ("We will take legal\u00a0action.", "FED-ACTION-THREAT"),  # no-break space
    ("We will take <b>legal</b>&nbsp;action.", "FED-ACTION-THREAT"),  # HTML
    ("We will obtain a judgment against you.", "FED-ACTION-THREAT"),
    ("You will be served with a summons.", "FED-ACTION-THREAT"),
    ("We will take legal steps.", "FED-ACTION-THREAT"),
    ("We will deduct the amount from your paycheck.", "FED-ACTION-THREAT"),
    ("We will freeze your bank account.", "FED-ACTION-THREAT"),
    ("Nous allons vous poursuivre en justice.", "FED-ACTION-THREAT"),
    ("We will notify Equifax, Experian and TransUnion.", "FED-CREDIT-STATEMENTS"),
    ("Not paying is fraud and we may refer it to the district attorney.", "FED-NO-CRIMINAL-THREAT"),
    ("You could be detained.", "FED-NO-CRIMINAL-THREAT"),
    ("Our law firm will review your file.", "FED-NO-DECEPTION"),
]


@pytest.mark.parametrize(("phrase", "rule_id"), THREATS)
def test_paraphrased_threats_are_caught_from_2026_12_2(phrase: str, rule_id: str) -> None:
    ctx = _email(fine(), EMAIL_TEXT + " " + phrase)
    assert evaluate(ctx, pack_version=OLD).allowed
    decision = evaluate(ctx, pack_version=NEW)
    assert not decision.allowed
    assert rule_id in decision.reasons


SPANISH = "Fairway Recovery LLC: este mensaje es de una agencia de cobranzas. Su saldo es $120. "


@pytest.mark.parametrize(
    "phrase",
    [
        "Iniciaremos acciones judiciales en su contra.",
        "Usted cometió fraude.",
        "Podría ser detenido.",
        "Lo reportaremos a Equifax.",
        "Obtendremos una sentencia en su contra.",
        "Le quitaremos su salario.",
    ],
)
def test_spanish_paraphrases_are_caught_from_2026_12_2(phrase: str) -> None:
    ctx = _email(fine(), SPANISH + "Para darse de baja, responda STOP. " + phrase, language="es")
    assert evaluate(ctx, pack_version=OLD).allowed
    assert not evaluate(ctx, pack_version=NEW).allowed


@pytest.mark.parametrize(
    "text",
    [
        EMAIL_TEXT,
        EMAIL_TEXT + " We can offer a payment plan.",
        EMAIL_TEXT.replace(" ", "  ") + " Thank you, Bill.",
        "<p>" + EMAIL_TEXT + "</p>",
        EMAIL_TEXT + " If you believe this is fraud or identity theft, tell us.",
    ],
)
def test_ordinary_messages_are_still_allowed(text: str) -> None:
    assert evaluate(_email(fine(), text), pack_version=NEW).allowed


@pytest.mark.parametrize("time_barred", [True, "unknown"])
def test_a_judgment_threat_on_a_time_barred_or_unknown_debt_blocks(time_barred: object) -> None:
    ctx = with_debt(fine(), time_barred=time_barred)
    ctx = _email(ctx, EMAIL_TEXT + " If you do not pay, we will obtain a judgment against you.")
    assert _outcome(ctx, OLD, "FED-TIMEBARRED") is Outcome.NOT_APPLICABLE
    assert _outcome(ctx, NEW, "FED-TIMEBARRED") is Outcome.BLOCK  # 1006.26(b); D-26


def test_a_judgment_threat_backed_and_in_time_is_allowed() -> None:
    action = IntendedAction(kind=RemedyKind.SUE, lawful=True, intended=True)
    ctx = with_debt(fine(), time_barred=False, intended_actions=[action])
    ctx = _email(ctx, EMAIL_TEXT + " If you do not pay, we will obtain a judgment against you.")
    assert evaluate(ctx, pack_version=NEW).allowed


def test_normalise_makes_every_whitespace_run_one_space() -> None:
    assert lx.normalise("a\u00a0\u2009b\t\nc  d<br/>e&nbsp;f\u200bg") == "a b c d e fg"
    assert lx.normalise("plain text") == "plain text"


def test_revision_2_triggers_are_a_superset_of_its_patterns() -> None:
    """Every match of a revision-2 pattern contains a word that starts with one of its
    category's stems (the shortcut changes speed, not answers; D-33)."""
    samples = [phrase for phrase, _ in THREATS] + [
        "acciones judiciales",
        "cometió fraude",
        "detenido",
        "reportaremos a las agencias",
        "una sentencia en su contra",
        "quitaremos su salario",
        "attorneys at law",
        "charged with theft",
        "congelar su cuenta",
        "small claims",
        "file a claim against",
    ]
    pairs = [
        *_REMEDY_PATTERNS(),
        ("criminal", lx._CRIMINAL_V2),
        ("attorney", lx._ATTORNEY_CLAIM_V2),
    ]
    for text in samples:
        low = lx.normalise(text.lower())
        found = lx._triggered(low, lx._CANDIDATES_V2, lx._BY_PREFIX_V2)
        for category, pattern in pairs:
            if pattern.search(low):
                assert category in found, (text, category)


def _REMEDY_PATTERNS() -> list[tuple[object, Any]]:
    return list(lx._REMEDIES_V2.items())


# --- 5. a not-collecting template that asks for payment (D-84) ----------------------------


def test_an_opt_out_confirmation_asking_for_payment_blocks() -> None:
    optout = MediumOptOut(medium=Medium.EMAIL, requested_at=T0 - timedelta(days=1))
    ctx = with_person(fine(), medium_optouts=[optout])
    text = (
        "We confirm you will receive no more emails. Meanwhile, please pay your $120 balance today."
    )
    ctx = _email(ctx, text, tmpl="OPT_OUT_CONFIRMATION")
    assert evaluate(ctx, pack_version=OLD).allowed
    assert _outcome(ctx, NEW, "FED-NO-DECEPTION") is Outcome.BLOCK
    plain = _email(
        ctx, "We confirm you will receive no more emails from us.", "OPT_OUT_CONFIRMATION"
    )
    assert evaluate(plain, pack_version=NEW).allowed


def test_a_non_collection_message_asking_for_payment_during_a_dispute_hold_blocks() -> None:
    from compliance.domain.context import Dispute

    dispute = Dispute(received_at=T0 - timedelta(days=2), medium=Medium.MAIL, written=True)
    ctx = with_debt(
        fine(), validation_notice_provided_at=T0 - timedelta(days=10), disputes=[dispute]
    )
    demand = _email(ctx, EMAIL_TEXT + " Please pay the $120 balance today.", tmpl="NON_COLLECTION")
    assert evaluate(demand, pack_version=OLD).allowed
    assert _outcome(demand, NEW, "FED-NO-DECEPTION") is Outcome.BLOCK
    notice = _email(ctx, EMAIL_TEXT + " You do not need to pay anything now.", "NON_COLLECTION")
    assert evaluate(notice, pack_version=NEW).allowed


def test_a_termination_notice_asking_for_payment_after_a_cease_blocks() -> None:
    cease = CeaseNotice(received_at=T0 - timedelta(days=3), medium=Medium.MAIL, written=True)
    ctx = _with_post(cease=cease)
    demand = _letter(
        ctx,
        "Fairway Recovery LLC is a debt collector. We will stop contacting you. Before we do, "
        "please pay your $120 balance this week.",
        "TERMINATION_NOTICE",
    )
    assert evaluate(demand, pack_version=OLD).allowed
    assert _outcome(demand, NEW, "FED-NO-DECEPTION") is Outcome.BLOCK
    plain = _letter(
        ctx,
        "Fairway Recovery LLC is a debt collector. We will no longer contact you about this debt.",
        "TERMINATION_NOTICE",
    )
    assert evaluate(plain, pack_version=NEW).allowed


def test_a_reminder_may_ask_for_payment() -> None:
    ctx = _email(fine(), EMAIL_TEXT + " Please pay the $120 balance today.")
    assert evaluate(ctx, pack_version=NEW).allowed


# --- 2. negated and other-language disclosures (D-85, D-86) ------------------------------


def test_a_negated_subsequent_disclosure_is_none() -> None:
    text = (
        "Fairway Recovery LLC: this message is not from a debt collector. Your balance is $120. "
        "Reply STOP to opt out."
    )
    ctx = _email(fine(), text)
    assert _outcome(ctx, OLD, "FED-MINI-MIRANDA") is Outcome.REQUIRE
    assert _outcome(ctx, NEW, "FED-MINI-MIRANDA") is Outcome.BLOCK


def test_a_negated_initial_disclosure_is_none() -> None:
    ctx = with_debt(fine(), initial_communication_at=None, validation_notice_provided_at=None)
    negated = INITIAL_TEXT.replace("We are attempting", "We are not attempting")
    ctx = _email(ctx, negated + " Reply STOP to opt out.")
    assert _outcome(ctx, OLD, "FED-MINI-MIRANDA") is Outcome.REQUIRE
    assert _outcome(ctx, NEW, "FED-MINI-MIRANDA") is Outcome.BLOCK
    plain = _email(ctx, INITIAL_TEXT + " Reply STOP to opt out.")
    assert _outcome(plain, NEW, "FED-MINI-MIRANDA") is Outcome.REQUIRE


# decisions.md D-104: the model validation notice's own words (Model Form B-1).
MODEL_FORM = (
    "Fairway Recovery LLC is a debt collector. We are trying to collect a debt that you owe to "
    "Acme Bank. We will use any information you give us to help collect the debt."
)


def test_d104_the_model_forms_words_are_the_initial_disclosure() -> None:
    ctx = with_debt(fine(), initial_communication_at=None, validation_notice_provided_at=None)
    ctx = _email(ctx, MODEL_FORM + " Reply STOP to opt out.")
    assert _outcome(ctx, OLD, "FED-MINI-MIRANDA") is Outcome.BLOCK  # as released
    assert _outcome(ctx, NEW, "FED-MINI-MIRANDA") is Outcome.REQUIRE  # satisfied


@pytest.mark.parametrize("text", [
    MODEL_FORM.replace("We are trying", "We are not trying"),
    MODEL_FORM.replace(" We will use any information you give us to help collect the debt.", ""),
])
def test_d104_boundary_a_negated_or_half_model_disclosure_is_none(text: str) -> None:
    ctx = with_debt(fine(), initial_communication_at=None, validation_notice_provided_at=None)
    ctx = _email(ctx, text + " Reply STOP to opt out.")
    assert _outcome(ctx, NEW, "FED-MINI-MIRANDA") is Outcome.BLOCK


def test_spanish_text_with_only_the_english_disclosure_goes_to_review() -> None:
    text = (
        "Fairway Recovery LLC: this message is from a debt collector. Estimado cliente, su saldo "
        "de $120 esta pendiente. Pague hoy por favor. Reply STOP to opt out."
    )
    ctx = _email(fine(), text)
    assert _outcome(ctx, OLD, "FED-MINI-MIRANDA") is Outcome.REQUIRE
    assert _outcome(ctx, NEW, "FED-MINI-MIRANDA") is Outcome.REVIEW
    both = text.replace("Estimado", "Este mensaje es de una agencia de cobranzas. Estimado")
    assert _outcome(_email(fine(), both), NEW, "FED-MINI-MIRANDA") is Outcome.REQUIRE


def test_d105_the_notices_offer_of_a_spanish_copy_is_not_spanish_text() -> None:
    offer = " Póngase en contacto con nosotros para solicitar una copia de este aviso en español."
    ctx = _email(fine(), EMAIL_TEXT + offer)
    assert _outcome(ctx, NEW, "FED-MINI-MIRANDA") is Outcome.REQUIRE
    # More Spanish than the offer is still Spanish text (D-86).
    more = offer + " Estimado cliente, su saldo de $120 esta pendiente."
    assert _outcome(_email(fine(), EMAIL_TEXT + more), NEW, "FED-MINI-MIRANDA") is Outcome.REVIEW


def test_an_english_message_naming_a_spanish_place_is_not_mixed() -> None:
    ctx = _email(fine(), EMAIL_TEXT + " Our office is at 1 Calle de la Paz, Los Angeles.")
    assert _outcome(ctx, NEW, "FED-MINI-MIRANDA") is Outcome.REQUIRE


# --- 6. remedy notices must be backed by a recorded action (D-89, D-90) -------------------


@pytest.mark.parametrize("tmpl", ["INTENDS_TO_INVOKE_SPECIFIED_REMEDY", "MAY_INVOKE_REMEDIES"])
def test_a_remedy_notice_after_a_cease_needs_a_recorded_remedy(tmpl: str) -> None:
    cease = CeaseNotice(received_at=T0 - timedelta(days=3), medium=Medium.MAIL, written=True)
    text = "Fairway Recovery LLC is a debt collector. We may take further steps."
    ctx = _letter(_with_post(cease=cease, intended_actions=[]), text, tmpl)
    assert evaluate(ctx, pack_version=OLD).allowed
    assert _outcome(ctx, NEW, "FED-ACTION-THREAT") is Outcome.BLOCK
    intended = tmpl == "INTENDS_TO_INVOKE_SPECIFIED_REMEDY"
    action = IntendedAction(kind=RemedyKind.SUE, lawful=True, intended=intended)
    backed = _letter(_with_post(cease=cease, intended_actions=[action]), text, tmpl)
    assert evaluate(backed, pack_version=NEW).allowed


def test_an_intent_notice_needs_an_intended_remedy() -> None:
    action = IntendedAction(kind=RemedyKind.SUE, lawful=True, intended=False)
    text = "Fairway Recovery LLC is a debt collector. We may take further steps."
    ctx = _letter(_with_post(intended_actions=[action]), text, "INTENDS_TO_INVOKE_SPECIFIED_REMEDY")
    assert _outcome(ctx, NEW, "FED-ACTION-THREAT") is Outcome.BLOCK


def test_a_remedy_notice_on_a_time_barred_debt_blocks() -> None:
    action = IntendedAction(kind=RemedyKind.SUE, lawful=True, intended=True)
    text = "Fairway Recovery LLC is a debt collector. We may take further steps."
    ctx = _letter(
        _with_post(intended_actions=[action], time_barred=True), text, "MAY_INVOKE_REMEDIES"
    )
    assert _outcome(ctx, OLD, "FED-TIMEBARRED") is Outcome.NOT_APPLICABLE
    assert _outcome(ctx, NEW, "FED-TIMEBARRED") is Outcome.BLOCK


# --- 3. non-communications are not the initial written communication (D-88) ---------------


@pytest.mark.parametrize("prior", ["opt_out_confirmation", "bounced"])
def test_the_first_delivered_collection_email_after_an_oral_one_needs_the_full_notice(
    prior: str,
) -> None:
    ctx = with_debt(
        fine(), initial_communication_at=T0 - timedelta(days=3), validation_notice_provided_at=None
    )
    kw: dict[str, Any] = (
        {"template_type": TemplateType.OPT_OUT_CONFIRMATION}
        if prior == "opt_out_confirmation"
        else {"connected": False, "undeliverable_at": T0 - timedelta(days=2)}
    )
    ctx = with_history(ctx, message(T0 - timedelta(days=2), "email", **kw))
    short = _email(ctx, EMAIL_TEXT)
    assert _outcome(short, OLD, "FED-MINI-MIRANDA") is Outcome.REQUIRE
    assert _outcome(short, NEW, "FED-MINI-MIRANDA") is Outcome.BLOCK
    full = _email(ctx, INITIAL_TEXT + " Reply STOP to opt out.")
    assert _outcome(full, NEW, "FED-MINI-MIRANDA") is Outcome.REQUIRE


def test_after_a_delivered_collection_email_the_short_statement_suffices() -> None:
    ctx = with_debt(
        fine(), initial_communication_at=T0 - timedelta(days=3), validation_notice_provided_at=None
    )
    ctx = with_history(
        ctx, message(T0 - timedelta(days=2), "email", template_type=TemplateType.REMINDER)
    )
    assert _outcome(_email(ctx, EMAIL_TEXT), NEW, "FED-MINI-MIRANDA") is Outcome.REQUIRE


# --- 7. the consumer's identity check on a call flagged as a location inquiry (D-92) -------


def test_a_call_to_the_consumer_flagged_location_inquiry_still_needs_the_caller_id() -> None:
    ctx = with_proposal(fine(), location_inquiry=True)
    ctx = with_content(ctx, "Hi, this call is from a debt collector. Can you confirm your address?")
    assert _outcome(ctx, OLD, "FED-CALLER-ID") is Outcome.ALLOW
    assert _outcome(ctx, NEW, "FED-CALLER-ID") is Outcome.BLOCK
    named = with_content(ctx, "Hi, this is Sam with Fairway Recovery LLC, a debt collector.")
    assert _outcome(named, NEW, "FED-CALLER-ID") is Outcome.REQUIRE


# --- 4. the debt-revealing words of revision 2 (D-87), for FED-LCM's owner ----------------


@pytest.mark.parametrize(
    "text",
    [
        "This is Sam from Fairway Services about your Acme Bank credit card account ending 1234.",
        "This is Sam from Fairway Services regarding your loan.",
        "This is Sam from Fairway Services about your unpaid bill.",
        "This is Sam from Fairway Services. You are in arrears.",
    ],
)
def test_revision_2_debt_words_reveal_accounts_loans_bills_and_the_creditor(text: str) -> None:
    assert lx.debt_words(text) == ()
    assert lx.debt_words_v2(text)
    found = lx.analyse(Content(text=text), 2)
    assert found.reveals_debt("Acme Bank")
    assert lx.analyse(Content(text=text)).reveals_debt()


def test_revision_2_debt_words_leave_an_lcm_alone() -> None:
    text = "Hello, this is Bill Lee from Fairway Services. Please call us back at 312-555-0199."
    assert lx.debt_words_v2(text) == ()
    assert lx.analyse(Content(text=text), 2).reveals_debt("Acme Bank") == ()


def test_revision_2_trigger_words_match_the_word_by_word_reference() -> None:
    """The revision-2 candidate regex finds exactly the words a word-by-word scan would."""
    import random
    import re

    pieces = [s for stems in lx._TRIGGER_STEMS_V2.values() for s in stems]
    pieces += [" ", ".", ",", "x", "é", "ing", "s", "\u00a0"]
    rng = random.Random(5)
    for _ in range(20_000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 8)))
        expected: set[object] = set()
        for word in re.findall(r"\w+", text):
            for stem, category in lx._BY_PREFIX_V2.get(word[:3], ()):
                if word.startswith(stem):
                    expected.add(category)
        assert lx._triggered(text, lx._CANDIDATES_V2, lx._BY_PREFIX_V2) == expected, repr(text)


def test_a_spanish_translation_offer_does_not_make_an_english_message_mixed() -> None:
    text = EMAIL_TEXT + " Para recibir este mensaje en español, llame al 312-555-0199."
    assert _outcome(_email(fine(), text), NEW, "FED-MINI-MIRANDA") is Outcome.REQUIRE
