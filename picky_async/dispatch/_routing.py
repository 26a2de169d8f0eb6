"""Routing: which project gets a message.

Two rules. By default a message goes to the healthy project that would finish
it earliest (its backlog plus one message's time), so work spreads in
proportion to phone speed and never piles onto a slow phone. With sticky
routing a recipient always gets the same project, chosen by rendezvous hashing
over the healthy projects, so that losing one project moves only its own
recipients.
"""

from __future__ import annotations

import hashlib
import heapq
import itertools
from collections.abc import Sequence
from typing import Any, Generic, TypeVar

__all__ = ["EarliestFinish", "rendezvous"]

T = TypeVar("T")


def _score(name: str, key: str) -> int:
    digest = hashlib.blake2b(f"{name}\0{key}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big")


def rendezvous(key: str, names: Sequence[str]) -> int:
    """The index of the name that ``key`` sticks to (highest random weight).

    Stable across processes and runs; removing a name moves only the keys
    that stuck to it.

    Raises:
        ValueError: when ``names`` is empty.
    """
    if not names:
        raise ValueError("rendezvous hashing needs at least one name")
    return max(range(len(names)), key=lambda i: _score(names[i], key))


class EarliestFinish(Generic[T]):
    """Hands out message slots on targets in order of expected finish time.

    Each target offers ``room`` slots; taking one moves its expected finish
    ``step`` seconds later, so faster targets (smaller steps) are taken more
    often: water-filling, one heap operation per message.
    """

    __slots__ = ("_heap", "_order")

    def __init__(self) -> None:
        # [finish, order, step, room, target]; order breaks ties by offer.
        self._heap: list[list[Any]] = []
        self._order = itertools.count()

    def offer(self, target: T, *, finish: float, step: float, room: int) -> None:
        """Make ``room`` slots of ``target`` available, the first finishing at ``finish``."""
        if room > 0:
            heapq.heappush(self._heap, [finish, next(self._order), step, room, target])

    def __bool__(self) -> bool:
        return bool(self._heap)

    def take(self) -> T:
        """The target that would finish one more message earliest; uses one slot.

        Raises:
            IndexError: when no slot is left.
        """
        heap = self._heap
        slot = heap[0]
        target: T = slot[4]
        slot[3] -= 1
        if slot[3]:
            slot[0] += slot[2]
            heapq.heapreplace(heap, slot)
        else:
            heapq.heappop(heap)
        return target
