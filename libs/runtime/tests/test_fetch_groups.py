"""How the consumer loop splits one fetch into transactions (unit)."""

from aiokafka import TopicPartition

from goodfaith_runtime.consumer import fetch_groups

TP0, TP1, TP2 = (TopicPartition("t", p) for p in range(3))


def test_a_small_fetch_over_several_partitions_is_one_transaction() -> None:
    batches = {TP0: ["a", "b"], TP1: ["c"], TP2: ["d", "e"]}
    assert fetch_groups(batches, combine_up_to=5) == [batches]


def test_a_large_fetch_runs_partition_by_partition() -> None:
    batches = {TP0: ["a", "b", "c"], TP1: ["d", "e", "f"]}
    assert fetch_groups(batches, combine_up_to=5) == [{TP0: ["a", "b", "c"]},
                                                       {TP1: ["d", "e", "f"]}]


def test_combining_can_be_turned_off_and_an_empty_fetch_applies_nothing() -> None:
    batches = {TP0: ["a"], TP1: ["b"]}
    assert fetch_groups(batches, combine_up_to=0) == [{TP0: ["a"]}, {TP1: ["b"]}]
    assert fetch_groups({}, combine_up_to=16) == []
