"""Routing: which project gets a message.

Two rules. By default a message goes to the healthy project that would finish
it earliest (its backlog plus one message's time), so work spreads in
proportion to phone speed and never piles onto a slow phone. With sticky
routing a recipient always gets the same project, chosen by rendezvous hashing
over the healthy projects, so that losing one project moves only its own
recipients.
"""

from __future__ import annotations

import functools
import hashlib
import heapq
import itertools
import math
from collections.abc import Sequence
from typing import Any, Generic, TypeVar

__all__ = ["EarliestFinish", "rendezvous"]

T = TypeVar("T")


_MASK = (1 << 64) - 1


@functools.lru_cache(maxsize=4096)
def _hash(text: str) -> int:
    """A 64-bit hash that, unlike ``hash()``, is the same in every process."""
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big")


def _weight(name_hash: int, key_hash: int) -> int:
    """Mix two hashes into a weight (the splitmix64 finalizer): cheap per name."""
    x = ((name_hash ^ key_hash) * 0x9E3779B97F4A7C15) & _MASK
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _MASK
    return x ^ (x >> 31)


def rendezvous(key: str, names: Sequence[str]) -> int:
    """The index of the name that ``key`` sticks to (highest random weight).

    Stable across processes and runs; removing a name moves only the keys
    that stuck to it.

    Raises:
        ValueError: when ``names`` is empty.
    """
    if not names:
        raise ValueError("rendezvous hashing needs at least one name")
    key_hash = int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "big")
    weights = [_weight(_hash(name), key_hash) for name in names]
    return weights.index(max(weights))


class EarliestFinish(Generic[T]):
    """Hands out message slots on targets in order of expected finish time.

    Each target offers ``room`` slots; taking one moves its expected finish
    ``step`` seconds later, so faster targets (smaller steps) are taken more
    often: water-filling. A target gets every slot it wins in a row at once,
    so spreading a campaign costs a heap operation per change of target, not
    per message.
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

    def share(self, count: int) -> list[tuple[T, int]]:
        """Split ``count`` messages among the targets, using up their slots.

        Returns each target that gets some with how many, in the order their
        first message finishes. When the slots are no more than the messages,
        every target simply gets all of its room.
        """
        heap = self._heap
        if sum(slot[3] for slot in heap) <= count:
            shares = [(slot[4], slot[3]) for slot in sorted(heap)]
            heap.clear()
            return shares
        counts: dict[int, list[Any]] = {}  # by offer order: [target, count]
        while count > 0 and heap:
            order, target, won = self._take(count)
            counts.setdefault(order, [target, 0])[1] += won
            count -= won
        return [(target, won) for target, won in counts.values()]

    def _take(self, up_to: int) -> tuple[int, T, int]:
        """The target that finishes the next message earliest, and how many
        messages (at most ``up_to``) it finishes before any other target would."""
        heap = self._heap
        slot = heap[0]
        finish, order, step, room, target = slot
        count = min(room, up_to)
        if len(heap) > 1 and step > 0:
            rival = min(heap[1:3])  # the root's children: the next-best target
            ahead = (rival[0] - finish) / step  # slots that finish before the rival's
            wins = math.floor(ahead) + 1 if order < rival[1] else math.ceil(ahead)
            count = min(count, max(wins, 1))
        slot[3] -= count
        if slot[3]:
            slot[0] += count * step
            heapq.heapreplace(heap, slot)
        else:
            heapq.heappop(heap)
        return order, target, count
