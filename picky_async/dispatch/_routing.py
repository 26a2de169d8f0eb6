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
import math
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, Generic, TypeVar

__all__ = ["EarliestFinish", "Offer", "rendezvous"]

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


Offer = tuple[float, int, float, int, T]
"""(finish, order, step, room, target): ``room`` slots of ``target``, the first
finishing at ``finish``, each next one ``step`` later; ``order`` breaks ties."""


class _Lookahead(Generic[T]):
    """An iterator of offers whose next one can be looked at before it is taken."""

    __slots__ = ("_items", "_next")

    def __init__(self, items: Iterator[Offer[T]]) -> None:
        self._items = items
        self._next = next(items, None)

    def peek(self) -> Offer[T] | None:
        return self._next

    def take(self) -> Offer[T] | None:
        taken, self._next = self._next, next(self._items, None)
        return taken


class EarliestFinish(Generic[T]):
    """Hands out message slots on targets in order of expected finish time.

    Each target offers ``room`` slots; taking one moves its expected finish
    ``step`` seconds later, so faster targets (smaller steps) are taken more
    often: water-filling. A target gets every slot it wins in a row at once,
    so spreading a campaign costs a heap operation per change of target, not
    per message. Offers may also come lazily, in order of finish, from an
    index of thousands of targets: only those that get a share, and one more
    to compare with, are ever looked at.
    """

    __slots__ = ("_heap",)

    def __init__(self) -> None:
        self._heap: list[list[Any]] = []  # [finish, order, step, room, target]

    def offer(self, target: T, *, finish: float, step: float, room: int, order: int) -> None:
        """Make ``room`` slots of ``target`` available, the first finishing at ``finish``."""
        if room > 0:
            heapq.heappush(self._heap, [finish, order, step, room, target])

    def __bool__(self) -> bool:
        return bool(self._heap)

    def share(self, count: int, more: Iterable[Offer[T]] = ()) -> list[tuple[T, int]]:
        """Split ``count`` messages among the targets, using up their slots.

        ``more`` are further offers in order of (finish, order), taken only as
        far as they matter. Returns each target that gets some with how many,
        in the order their first message finishes. When the slots are no more
        than the messages, every target simply gets all of its room.
        """
        heap, source = self._heap, _Lookahead(iter(more))
        total = sum(slot[3] for slot in heap)
        while total <= count and (offer := source.take()) is not None:
            heapq.heappush(heap, list(offer))
            total += offer[3]
        if total <= count:
            shares = [(slot[4], slot[3]) for slot in sorted(heap)]
            heap.clear()
            return shares
        counts: dict[int, list[Any]] = {}  # by order: [target, count]
        while count > 0:
            # Every offer finishing before the best one so far joins first.
            while (offer := source.peek()) is not None and (
                not heap or (offer[0], offer[1]) < (heap[0][0], heap[0][1])
            ):
                source.take()
                heapq.heappush(heap, list(offer))
            if not heap:
                break
            order, target, won = self._take(count, source.peek())
            counts.setdefault(order, [target, 0])[1] += won
            count -= won
        return [(target, won) for target, won in counts.values()]

    def _take(self, up_to: int, outside: Offer[T] | None) -> tuple[int, T, int]:
        """The target that finishes the next message earliest, and how many
        messages (at most ``up_to``) it finishes before any other target would."""
        heap = self._heap
        slot = heap[0]
        finish, order, step, room, target = slot
        count = min(room, up_to)
        rivals = [(rival[0], rival[1]) for rival in heap[1:3]]  # the root's children
        if outside is not None:
            rivals.append((outside[0], outside[1]))
        if rivals and step > 0:
            rival_finish, rival_order = min(rivals)  # the next-best target
            ahead = (rival_finish - finish) / step  # slots that finish before the rival's
            wins = math.floor(ahead) + 1 if order < rival_order else math.ceil(ahead)
            count = min(count, max(wins, 1))
        slot[3] -= count
        if slot[3]:
            slot[0] += count * step
            heapq.heapreplace(heap, slot)
        else:
            heapq.heappop(heap)
        return order, target, count
