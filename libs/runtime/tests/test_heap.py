import gc

from goodfaith_runtime.heap import settle


def test_settle_moves_start_up_objects_out_of_the_collectors_sight() -> None:
    built_at_start_up = {"rule packs": [object() for _ in range(10)]}
    try:
        frozen = settle()
        assert frozen >= 1
        assert gc.get_freeze_count() == frozen
        # A full pass no longer walks it: the collector's generations do not hold it.
        assert not any(o is built_at_start_up for o in gc.get_objects())
    finally:
        gc.unfreeze()
    assert any(o is built_at_start_up for o in gc.get_objects())
