"""Scheduled state changes, run lazily up to the clock's "now".

Nothing runs in the background: every request first runs the events that are
due, in time order, each with the instant it was due at, so a resource's
timestamps are those of the simulated moment it changed state, whatever the
moment it is read.  An event may schedule further events; those that fall due
before "now" run in the same pass.
"""
from __future__ import annotations

import heapq
import itertools
from typing import Callable

Action = Callable[[float], None]


class Timer:
    __slots__ = ("when", "action", "cancelled")

    def __init__(self, when: float, action: Action) -> None:
        self.when = when
        self.action = action
        self.cancelled = False

    def cancel(self) -> None:
        self.cancelled = True


class Timeline:
    def __init__(self) -> None:
        self._heap: list[tuple[float, int, Timer]] = []
        self._seq = itertools.count()

    def at(self, when: float, action: Action) -> Timer:
        timer = Timer(round(when, 3), action)
        heapq.heappush(self._heap, (timer.when, next(self._seq), timer))
        return timer

    def run_until(self, now: float) -> None:
        heap = self._heap
        while heap and heap[0][0] <= now:
            when, _, timer = heapq.heappop(heap)
            if not timer.cancelled:
                timer.action(when)

    def pending(self) -> int:
        return sum(1 for _, _, t in self._heap if not t.cancelled)

    def next_due(self) -> float | None:
        for when, _, timer in sorted(self._heap):
            if not timer.cancelled:
                return when
        return None
