"""The pure domain of the compliance gate: no I/O, no clock, no framework.

Public API:
    evaluate(ctx, *, pack_version=None) -> Decision
    EvaluationContext (and the models in compliance.domain.context)
    caps.contacts(history, approvals), caps.check_window(...)
    timezones.candidate_tz(person, endpoints), timezones.validation_period_end(date)
"""

from compliance.domain.context import EvaluationContext
from compliance.domain.decision import Decision, DecisionOutcome, evaluate
from compliance.domain.errors import ComplianceError, UnknownPackVersion
from compliance.domain.packs import CURRENT_VERSION, DEFAULT_REGISTRY, PackRegistry, PackVersion
from compliance.domain.results import Obligation, Outcome, RuleResult

__all__ = [
    "CURRENT_VERSION",
    "DEFAULT_REGISTRY",
    "ComplianceError",
    "Decision",
    "DecisionOutcome",
    "EvaluationContext",
    "Obligation",
    "Outcome",
    "PackRegistry",
    "PackVersion",
    "RuleResult",
    "UnknownPackVersion",
    "evaluate",
]
