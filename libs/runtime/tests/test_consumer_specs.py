"""Which fetch wait, and which transactions per fetch, each consumer of a service gets."""

from goodfaith_runtime.service import ConsumerSpec, ServiceRuntime
from goodfaith_runtime.settings import ServiceSettings


def test_a_background_consumer_fetches_with_the_longer_wait() -> None:
    settings = ServiceSettings(database_url="postgresql://unused/x", kafka_fetch_max_wait_ms=10,
                               kafka_background_fetch_max_wait_ms=150)
    runtime = ServiceRuntime(service="s", settings=settings)
    gate = ConsumerSpec(name="gate", topics=["t.requests"], handlers={})
    facts = ConsumerSpec(name="facts", topics=["t.facts"], handlers={}, background=True)
    assert runtime._fetch_wait(gate) == 10
    assert runtime._fetch_wait(facts) == 150



def test_only_a_background_consumer_applies_a_small_fetch_in_one_transaction() -> None:
    settings = ServiceSettings(database_url="postgresql://unused/x", kafka_combine_records=24)
    runtime = ServiceRuntime(service="s", settings=settings)
    gate = ConsumerSpec(name="gate", topics=["t.requests"], handlers={})
    facts = ConsumerSpec(name="facts", topics=["t.facts"], handlers={}, background=True)
    assert runtime._combine_up_to(gate) == 0
    assert runtime._combine_up_to(facts) == 24
