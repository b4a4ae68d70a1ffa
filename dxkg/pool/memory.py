"""MemoryBudget: tells a worker, after each query, whether it holds more memory of its own than allowed.

A worker's own memory is what it no longer shares with the zygote: the pages of the store it copied
(pyoxigraph writes into the structures it reads, so reading a page copies it: a scan of the whole
store copies about 70% of it) and its heap. `/proc/self/smaps_rollup` counts it exactly
(Private_Dirty) but walks the page tables to do so, about 6 ms at 1 M triples, too slow to read after
every query. Every such page arrives through a page fault, though, or grows the resident size (a
huge page arrives in one fault), so the minor-fault count and the resident size, both cheap to read,
bound it from above; the exact figure is read only when that bound passes the budget.
"""

from __future__ import annotations

import os
import resource

PAGE = os.sysconf("SC_PAGE_SIZE")


class MemoryBudget:
    """The private memory a worker may hold after a query; `limit` 0 means no limit."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.private = 0  # at the last exact reading (a fresh fork owns next to nothing)
        self._faults = minor_faults()
        self._resident = resident_bytes()

    def exceeded(self) -> bool:
        """Return whether the worker now holds more than `limit` bytes of its own."""
        if self.limit <= 0:
            return False
        faults, resident = minor_faults(), resident_bytes()
        bound = self.private + (faults - self._faults) * PAGE + max(resident - self._resident, 0)
        if bound <= self.limit:
            return False
        self.private, self._faults, self._resident = private_bytes(), faults, resident
        return self.private > self.limit


def minor_faults() -> int:
    """Return this process's minor page faults so far (a forked child starts from 0)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt


def resident_bytes() -> int:
    """Return this process's resident size (/proc/self/statm: kernel counters, no page walk)."""
    with open("/proc/self/statm", "rb") as statm:
        return int(statm.read().split()[1]) * PAGE


def private_bytes(pid: int | str = "self") -> int:
    """Return the memory only this process maps, written to: Private_Dirty of /proc/PID/smaps_rollup."""
    with open(f"/proc/{pid}/smaps_rollup", "rb") as rollup:
        for line in rollup:
            if line.startswith(b"Private_Dirty:"):
                return int(line.split()[1]) * 1024
    return 0
