"""The benchmark's CPU accounting: a known amount of work lands on the role that did it."""

import subprocess
import sys
import time

from bench import cpu


def test_a_busy_process_is_charged_to_its_role_and_an_idle_one_is_not() -> None:
    busy = subprocess.Popen([sys.executable, "-c",
                             "import time\nend = time.process_time() + 0.4\n"
                             "while time.process_time() < end: pass\n"
                             "time.sleep(5)"])
    idle = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(5)"])
    try:
        time.sleep(0.2)  # both started (interpreter start-up is before the first snapshot)
        before = cpu.snapshot()
        time.sleep(0.8)
        after = cpu.snapshot()
    finally:
        busy.kill()
        idle.kill()
    spent = cpu.by_role(before, after, {"busy": lambda pid, _: pid == busy.pid,
                                        "idle": lambda pid, _: pid == idle.pid})
    assert 0.15 <= spent["busy"] <= 0.5
    assert spent["idle"] < 0.05
    assert set(spent) == {"busy", "idle", "other"}


def test_a_process_seen_by_one_snapshot_only_is_not_counted() -> None:
    before = {1: ("init", 1.0)}
    after = {1: ("init", 1.5), 2: ("new one", 9.0)}
    assert cpu.by_role(before, after, {}) == {"other": 0.5}


def test_a_window_charges_the_work_done_while_it_was_open() -> None:
    import os

    window = cpu.Window({"this process": lambda pid, _: pid == os.getpid()})
    assert window.close() == {}  # never opened: nothing measured
    window.open()
    end = time.process_time() + 0.3
    while time.process_time() < end:
        pass
    spent = window.close()
    assert 0.2 <= spent["this process"] <= 0.6
    assert window.seconds >= 0.3
