"""CPU time by process role, from Linux's /proc, between two snapshots.

Everything in a Kafka benchmark shares this machine's cores, so a latency figure means little
without where the CPU went: the service process, its PostgreSQL backends, the broker, the load
generator. A snapshot reads each process's user + system time (/proc/PID/stat fields 14 and 15,
in clock ticks) and its command line; the difference of two snapshots, grouped by role, is the
CPU each role spent in between. Processes that started or ended in between count only for the
time both snapshots saw them.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable
from pathlib import Path

_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100

Snapshot = dict[int, tuple[str, float]]  # pid -> (command line, CPU seconds so far)


def snapshot() -> Snapshot:
    taken: Snapshot = {}
    for entry in Path("/proc").iterdir() if Path("/proc").is_dir() else ():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(
                errors="replace")
        except OSError:  # it ended while we looked
            continue
        # The command name (field 2) is in parentheses and may hold spaces: split after it.
        fields = stat.rsplit(")", 1)[1].split()
        taken[int(entry.name)] = (command, (int(fields[11]) + int(fields[12])) / _TICKS)
    return taken


Role = Callable[[int, str], bool]


def roles(service_pids: Iterable[int], load_pid: int) -> dict[str, Role]:
    """The roles of a Kafka benchmark on the embedded infrastructure, checked in this order."""
    service = set(service_pids)
    return {
        "service process": lambda pid, _: pid in service,
        "load generator": lambda pid, _: pid == load_pid,
        "PostgreSQL": lambda _, command: "postgres" in command,
        "Tansu broker": lambda _, command: "tansu" in command,
    }


def by_role(before: Snapshot, after: Snapshot, named: dict[str, Role]) -> dict[str, float]:
    """CPU seconds per role between the snapshots; whatever matches no role is "other"."""
    spent = dict.fromkeys([*named, "other"], 0.0)
    for pid, (command, seconds) in after.items():
        if pid not in before:
            continue
        role = next((name for name, match in named.items() if match(pid, command)), "other")
        spent[role] += max(0.0, seconds - before[pid][1])
    return spent


class Window:
    """CPU by role between `open()` and `close()`. Each snapshot takes a few ms and is taken
    right there, on the caller's thread: read in a thread instead, it lags behind a busy event
    loop (it needs the GIL for every file) and the window's edges move."""

    def __init__(self, named: dict[str, Role]) -> None:
        self._named = named
        self._before: Snapshot | None = None
        self._opened_at = 0.0
        self.seconds = 0.0

    def open(self) -> None:
        self._before, self._opened_at = snapshot(), time.perf_counter()

    def close(self) -> dict[str, float]:
        """CPU seconds per role since `open()` (nothing if it was never opened)."""
        if self._before is None:
            return {}
        after = snapshot()
        self.seconds = time.perf_counter() - self._opened_at
        return by_role(self._before, after, self._named)
