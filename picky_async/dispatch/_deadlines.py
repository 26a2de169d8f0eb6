"""Deadlines: each project's next moment to act, in one heap under one alarm.

A project's deadline (a linger ending, its request window opening, a status
poll or probe falling due) is an absolute ``loop.time()``, so it stays valid
while time passes and only changes when the project does. Changing it pushes a
new entry and leaves the old one in the heap, recognised as stale when it
surfaces (lazy invalidation): no entry is ever searched for.
"""

from __future__ import annotations

import heapq
import itertools
import math
from collections.abc import Hashable
from typing import Generic, TypeVar

__all__ = ["Deadlines"]

T = TypeVar("T", bound=Hashable)

# Stale entries are dropped all at once when they outnumber the live ones by
# this much, so the heap stays proportional to the projects with a deadline.
_COMPACT_AT = 4


class Deadlines(Generic[T]):
    """The next deadline of each target; the earliest is found in O(1), the due in O(log n) each."""

    __slots__ = ("_heap", "_order", "_when")

    def __init__(self) -> None:
        self._heap: list[tuple[float, int, T]] = []
        self._when: dict[T, float] = {}  # each target's one live deadline
        self._order = itertools.count()  # equal deadlines come out in the order set

    def set(self, target: T, when: float) -> None:
        """Make ``when`` the target's deadline (``math.inf`` for none), replacing its last."""
        if self._when.get(target, math.inf) == when:
            return
        if when == math.inf:
            self._when.pop(target, None)
            return
        self._when[target] = when
        heapq.heappush(self._heap, (when, next(self._order), target))
        if len(self._heap) > _COMPACT_AT * len(self._when) + 64:
            self._compact()

    def pop_due(self, now: float) -> list[T]:
        """Remove and return the targets whose deadline is ``now`` or earlier, earliest first."""
        heap, live = self._heap, self._when
        due: list[T] = []
        while heap and heap[0][0] <= now:
            when, _, target = heapq.heappop(heap)
            if live.get(target) == when:
                del live[target]
                due.append(target)
        return due

    def earliest(self) -> float:
        """The earliest deadline of any target, ``math.inf`` when none has one."""
        heap, live = self._heap, self._when
        while heap and live.get(heap[0][2]) != heap[0][0]:
            heapq.heappop(heap)
        return heap[0][0] if heap else math.inf

    def _compact(self) -> None:
        self._heap = [entry for entry in self._heap if self._when.get(entry[2]) == entry[0]]
        heapq.heapify(self._heap)
