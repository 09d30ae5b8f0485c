"""Contracts registered for the runtime's own tests: only public contracts can be published."""

from goodfaith_events.contracts.common import Contract
from goodfaith_events.registry import REGISTRY


class Happened(Contract):
    stream: str | None = None
    n: int


class ThingCreated(Happened):
    pass


for model, name in ((Happened, "test.Happened"), (ThingCreated, "test.ThingCreated")):
    if not REGISTRY.knows(name):
        REGISTRY.register(model, name=name, version=1, topic="test")
