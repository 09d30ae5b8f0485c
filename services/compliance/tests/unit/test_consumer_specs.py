"""The compliance consumers' fetch classes."""

from compliance.bootstrap import bootstrap
from compliance.config import ComplianceSettings
from compliance.entrypoints import consumers


def test_compliance_fetches_only_its_facts_in_the_background() -> None:
    compliance = bootstrap(ComplianceSettings(database_url="postgresql://unused/x"))
    background = {spec.name: spec.background for spec in compliance.runtime.consumers}
    assert background == {consumers.GATE: False, consumers.FACTS: True}
