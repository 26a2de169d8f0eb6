"""The projects in order of when they would finish one more message, kept between turns.

Routing wants the project that would finish a message earliest. Asking every
project each time costs a visit per project per message; this index instead
keeps each project under absolute times that stay valid while time passes and
change only when the project does (work added, a push answered, a status
correction), so a turn re-files only the projects it touched and pops only as
many as it routes to.

A project is filed with three times. ``opens``: when it may take work at all
(its backlog down to the refill level). ``idle_from`` and ``lead``: it would
finish one more message at ``max(idle_from, now) + lead``, an absolute time
until ``idle_from`` (work on its phone, or its request window, still ahead) and
``lead`` after now from then on. Three heaps hold the entries: closed (by
``opens``), busy (by ``idle_from + lead``) and idle (by ``lead``); entries move
to the next heap when they surface past its time. Re-filing a project leaves
its old entry behind, recognised as stale by a version number.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Hashable
from typing import Generic, TypeVar

__all__ = ["FinishIndex"]

T = TypeVar("T", bound=Hashable)

# (key, order, version, target, opens, idle_from, lead); order breaks ties.
_Entry = tuple[float, int, int, T, float, float, float]

_COMPACT_AT = 4


class FinishIndex(Generic[T]):
    """Targets by expected finish, each popped at most once until filed again."""

    __slots__ = ("_busy", "_closed", "_idle", "_stamps", "_versions")

    def __init__(self) -> None:
        self._closed: list[_Entry[T]] = []
        self._busy: list[_Entry[T]] = []
        self._idle: list[_Entry[T]] = []
        self._versions: dict[T, int] = {}  # the live entry's version of each filed target
        self._stamps = itertools.count()

    def __len__(self) -> int:
        return len(self._versions)

    def file(self, target: T, *, order: int, opens: float, idle_from: float, lead: float) -> None:
        """(Re-)file ``target``; ``opens`` is ``math.inf`` while it can take nothing."""
        version = self._versions[target] = next(self._stamps)
        heapq.heappush(self._closed, (opens, order, version, target, opens, idle_from, lead))
        if len(self._closed) + len(self._busy) + len(self._idle) > _COMPACT_AT * len(self) + 64:
            self._compact()

    def remove(self, target: T) -> None:
        """Forget ``target`` until it is filed again."""
        self._versions.pop(target, None)

    def peek(self, now: float) -> tuple[float, int] | None:
        """The (finish, order) of the target :meth:`pop` would return, or ``None``."""
        heap = self._front(now)
        return None if heap is None else (self._finish(heap[0], now), heap[0][1])

    def pop(self, now: float) -> tuple[float, int, T] | None:
        """Remove and return the open target that finishes earliest, with its (finish, order)."""
        heap = self._front(now)
        if heap is None:
            return None
        entry = heapq.heappop(heap)
        del self._versions[entry[3]]
        return self._finish(entry, now), entry[1], entry[3]

    # -- moving entries along ------------------------------------------

    def _is_live(self, entry: _Entry[T]) -> bool:
        return self._versions.get(entry[3]) == entry[2]

    @staticmethod
    def _finish(entry: _Entry[T], now: float) -> float:
        return max(entry[5], now) + entry[6]

    def _open(self, now: float) -> None:
        """Move open entries from closed to busy, and idle ones from busy to idle."""
        closed, busy, idle = self._closed, self._busy, self._idle
        while closed and closed[0][0] <= now:
            entry = heapq.heappop(closed)
            if self._is_live(entry):
                _, order, version, target, opens, idle_from, lead = entry
                moved = (idle_from + lead, order, version, target, opens, idle_from, lead)
                heapq.heappush(busy, moved)
        # A busy entry idle since then sits no later than its finish: the front
        # of the busy heap is the earliest busy finish once no idle one is there.
        while busy and (not self._is_live(busy[0]) or busy[0][5] <= now):
            entry = heapq.heappop(busy)
            if self._is_live(entry):
                _, order, version, target, opens, idle_from, lead = entry
                heapq.heappush(idle, (lead, order, version, target, opens, idle_from, lead))
        while idle and not self._is_live(idle[0]):
            heapq.heappop(idle)

    def _front(self, now: float) -> list[_Entry[T]] | None:
        """The heap whose first entry finishes earliest, or ``None`` when both are empty."""
        self._open(now)
        busy, idle = self._busy, self._idle
        if not busy or not idle:
            return busy or idle or None
        if (busy[0][0], busy[0][1]) <= (now + idle[0][0], idle[0][1]):
            return busy
        return idle

    def _compact(self) -> None:
        for heap in (self._closed, self._busy, self._idle):
            heap[:] = [entry for entry in heap if self._is_live(entry)]
            heapq.heapify(heap)
