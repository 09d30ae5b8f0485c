"""The consumer loop's background offset commits (unit: a stand-in for aiokafka's consumer)."""

import asyncio

from aiokafka import TopicPartition
from aiokafka.structs import OffsetAndMetadata

from goodfaith_runtime.consumer import _OffsetCommitter

TP0, TP1 = TopicPartition("t", 0), TopicPartition("t", 1)


class SlowKafka:
    def __init__(self, fail_first: bool = False) -> None:
        self.commits: list[dict[TopicPartition, int]] = []
        self.release = asyncio.Event()
        self.fail_first = fail_first

    async def commit(self, offsets: dict[TopicPartition, OffsetAndMetadata]) -> None:
        await self.release.wait()
        self.commits.append({tp: o.offset for tp, o in offsets.items()})
        if self.fail_first and len(self.commits) == 1:
            raise RuntimeError("rebalance in progress")


def at(offset: int) -> OffsetAndMetadata:
    return OffsetAndMetadata(offset, "")


async def test_offsets_submitted_during_a_commit_are_merged_into_the_next_one() -> None:
    kafka = SlowKafka()
    committer = _OffsetCommitter(kafka, "c")  # type: ignore[arg-type]
    committer.submit({TP0: at(5)})
    await asyncio.sleep(0)
    committer.submit({TP0: at(7), TP1: at(2)})
    committer.submit({TP0: at(9)})
    kafka.release.set()
    await committer.flush()
    # One commit at a time, in order, the newest offset per partition: never a step back.
    assert kafka.commits == [{TP0: 5}, {TP0: 9, TP1: 2}]


async def test_a_failed_commit_is_logged_and_the_next_offsets_still_go() -> None:
    kafka = SlowKafka(fail_first=True)
    committer = _OffsetCommitter(kafka, "c")  # type: ignore[arg-type]
    kafka.release.set()
    committer.submit({TP0: at(5)})
    await committer.flush()
    committer.submit({TP0: at(6)})
    await committer.flush()
    assert kafka.commits == [{TP0: 5}, {TP0: 6}]
