"""The consumer loop after a failed batch (unit: stand-ins for aiokafka's consumer and the
database)."""

from aiokafka import TopicPartition
from aiokafka.errors import IllegalStateError

from goodfaith_runtime.consumer import KafkaConsumerLoop

TP0, TP1 = TopicPartition("t", 0), TopicPartition("t", 1)


class Record:
    def __init__(self, offset: int) -> None:
        self.offset = offset


class FailingConsumer:
    name = "c"

    async def process(self, records) -> None:  # type: ignore[no-untyped-def]
        raise RuntimeError("the database said no")


class RebalancedKafka:
    """Holds only TP0: a rebalance gave TP1 to another member while its batch ran."""

    def __init__(self) -> None:
        self.seeks: list[tuple[TopicPartition, int]] = []

    def assignment(self) -> set[TopicPartition]:
        return {TP0}

    def seek(self, tp: TopicPartition, offset: int) -> None:
        if tp not in self.assignment():
            raise IllegalStateError(f"No current assignment for partition {tp}")
        self.seeks.append((tp, offset))


async def test_a_failed_batch_rewinds_only_the_partitions_still_assigned() -> None:
    loop = KafkaConsumerLoop(FailingConsumer(), bootstrap="127.0.0.1:1",  # type: ignore[arg-type]
                             topics=["t"], failure_backoff=0)
    await loop._kafka.stop()  # never started: the stand-in takes its place
    kafka = RebalancedKafka()
    loop._kafka = kafka  # type: ignore[assignment]
    done = await loop._apply({TP0: [Record(5), Record(6)], TP1: [Record(9)]})
    # Nothing to commit; TP0 is read again from the failed batch. TP1's new owner starts from
    # its committed offset, before the failed batch, so nothing is skipped.
    assert done == {}
    assert kafka.seeks == [(TP0, 5)]
