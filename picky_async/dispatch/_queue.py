"""The queue of messages waiting in the client: two priorities, FIFO, bounded.

A message waits here until routing hands it to a project. While it waits it can
still be reordered (high before low), rerouted, or cancelled; once pushed it
cannot. The queue is split into *lanes*: one shared lane when any project may
take any message, or one lane per project when recipients stick to a project.
:class:`PendingQueue` is the interface the dispatcher needs, so a queue shared
between processes (a Redis stream per lane and priority) can replace
:class:`MemoryQueue` without touching routing or folding.

The queue itself is strict priority. High priority never takes low
priority's room here (it skips the horizon), so the place where the two
compete, and where aging keeps low priority from starving, is a project's
push slot: see ``Accumulator.pop_ready``.
"""

from __future__ import annotations

import asyncio
import collections
from collections.abc import Hashable, Iterable, Iterator, Sequence
from typing import Any, Protocol

from .._enums import Application, Priority
from .._models import Message
from ._receipt import Receipt

__all__ = ["Entry", "MemoryQueue", "PendingQueue", "Stage"]


class Stage:
    """Where an entry is; plain ints keep the hot path cheap."""

    QUEUED = 0
    ASSIGNED = 1
    PUSHED = 2
    CANCELLED = 3


_future_init = asyncio.Future.__init__  # called directly: an entry is made per message
_HIGH = Priority.HIGH


class Entry(asyncio.Future[Receipt]):
    """One message the dispatcher owes an answer for; it is its caller's future.

    One object rather than an entry holding a future: a campaign keeps a
    hundred thousand of them pending, each costing memory and collector time.
    Cancelling it withdraws the message if it still waits in the queue.
    """

    __slots__ = ("application", "high", "lane", "message", "priority", "queue", "stage")

    def __init__(
        self,
        message: Message,
        priority: Priority,
        application: Application | int,
        lane: Hashable = None,
        *,
        loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        _future_init(self, loop=loop)
        self.message = message
        self.priority = priority
        self.application = application
        self.lane = lane
        self.stage = Stage.QUEUED
        self.high = priority is _HIGH  # it goes before every low-priority message
        self.queue: PendingQueue | None = None  # where it waits, once queued

    def cancel(self, msg: Any | None = None) -> bool:
        """Cancel the caller's wait, and withdraw the message if it is still queued."""
        if not super().cancel(msg):
            return False
        if self.queue is not None:
            self.queue.discard(self)
        return True


class PendingQueue(Protocol):
    """What the dispatcher needs of a queue; see the module docstring."""

    def __len__(self) -> int: ...
    def depths(self) -> tuple[int, int]: ...
    def full(self) -> bool: ...
    def room(self) -> int: ...
    def put(self, entry: Entry) -> None: ...
    def put_many(self, entries: Sequence[Entry]) -> None: ...
    def requeue(self, entries: Iterable[Entry]) -> None: ...
    def pop(self, lane: Hashable, *, high: bool) -> Entry | None: ...
    def discard(self, entry: Entry) -> bool: ...
    def lane_entries(self, lane: Hashable) -> list[Entry]: ...
    def take_all(self) -> list[Entry]: ...
    async def wait_for_room(self) -> None: ...
    def wake_waiters(self) -> None: ...


class _Lane:
    __slots__ = ("high", "low")

    def __init__(self) -> None:
        self.high: collections.deque[Entry] = collections.deque()
        self.low: collections.deque[Entry] = collections.deque()

    def side(self, high: bool) -> collections.deque[Entry]:
        return self.high if high else self.low


class MemoryQueue:
    """The in-process :class:`PendingQueue`: deques per lane and priority.

    Holds at most ``max_pending`` new messages; :meth:`put` refuses more, and
    :meth:`wait_for_room` waits (FIFO) until some leave. Messages coming back
    from a failed push (:meth:`requeue`) are always let in, at the front, since
    they were admitted once already. Discarded entries are counted out at once
    and skipped when they reach the front; an entry settled some other way
    while queued is counted out when it reaches the front.
    """

    def __init__(self, max_pending: int) -> None:
        if max_pending < 1:
            raise ValueError("max_pending must be at least 1")
        self.max_pending = max_pending
        self._lanes: dict[Hashable, _Lane] = {}
        self._high = 0
        self._low = 0
        self._room_waiters: collections.deque[asyncio.Future[None]] = collections.deque()

    def __len__(self) -> int:
        return self._high + self._low

    def depths(self) -> tuple[int, int]:
        """How many (high, low) priority messages wait."""
        return self._high, self._low

    def full(self) -> bool:
        """Whether :meth:`put` would refuse a message now."""
        return self._high + self._low >= self.max_pending

    def _lane(self, lane: Hashable) -> _Lane:
        found = self._lanes.get(lane)
        if found is None:
            found = self._lanes[lane] = _Lane()
        return found

    def _count(self, entry: Entry, delta: int) -> None:
        if entry.high:
            self._high += delta
        else:
            self._low += delta

    def room(self) -> int:
        """How many new messages :meth:`put_many` would take now."""
        return max(self.max_pending - self._high - self._low, 0)

    def put(self, entry: Entry) -> None:
        """Add ``entry`` at the back of its lane and priority.

        Raises:
            asyncio.QueueFull: when ``max_pending`` messages already wait.
        """
        self.put_many((entry,))

    def put_many(self, entries: Sequence[Entry]) -> None:
        """Add entries at the back of their lanes and priorities, in order.

        Raises:
            asyncio.QueueFull: when they do not all fit under ``max_pending``;
                then none is added.
        """
        if len(entries) > self.max_pending - self._high - self._low:
            raise asyncio.QueueFull
        lanes, high = self._lanes, 0
        for entry in entries:
            entry.stage = Stage.QUEUED
            entry.queue = self
            lane = lanes.get(entry.lane) or self._lane(entry.lane)
            if entry.high:
                lane.high.append(entry)
                high += 1
            else:
                lane.low.append(entry)
        self._high += high
        self._low += len(entries) - high

    def requeue(self, entries: Iterable[Entry]) -> None:
        """Put entries back at the front of their lanes, keeping their order."""
        for entry in reversed(list(entries)):
            if entry.done():
                continue
            entry.stage = Stage.QUEUED
            self._lane(entry.lane).side(entry.high).appendleft(entry)
            self._count(entry, 1)

    def pop(self, lane: Hashable, *, high: bool) -> Entry | None:
        """Take the oldest live entry of ``lane`` at one priority, or ``None``."""
        found = self._lanes.get(lane)
        if found is None:
            return None
        side = found.side(high)
        while side:
            entry = side.popleft()
            if entry.stage != Stage.QUEUED:
                continue  # discarded, and counted out then
            if high:
                self._high -= 1
            else:
                self._low -= 1
            if self._room_waiters:
                self._wake_one()
            if not entry.done():
                return entry
            entry.stage = Stage.CANCELLED  # settled while queued
        return None

    def discard(self, entry: Entry) -> bool:
        """Count a queued entry out (it is skipped later); say whether it was queued."""
        if entry.stage != Stage.QUEUED:
            return False
        entry.stage = Stage.CANCELLED
        self._count(entry, -1)
        self._wake_one()
        return True

    def _live(self, lanes: Iterable[_Lane]) -> Iterator[Entry]:
        for lane in lanes:
            for side in (lane.high, lane.low):
                for entry in side:
                    if entry.stage == Stage.QUEUED:
                        self._count(entry, -1)
                        yield entry
                side.clear()

    def lane_entries(self, lane: Hashable) -> list[Entry]:
        """Remove and return every live entry of one lane, high priority first."""
        found = self._lanes.pop(lane, None)
        taken = list(self._live([found] if found else []))
        self.wake_waiters()
        return taken

    def take_all(self) -> list[Entry]:
        """Remove and return every live entry, as when closing."""
        taken = list(self._live(list(self._lanes.values())))
        self._lanes.clear()
        self.wake_waiters()
        return taken

    async def wait_for_room(self) -> None:
        """Wait (first come, first served) until some room frees or :meth:`wake_waiters`.

        Returns at once when there is room; the caller checks again, since
        someone else may take the room first.
        """
        if not self.full():
            return
        waiter = asyncio.get_running_loop().create_future()
        self._room_waiters.append(waiter)
        try:
            await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                self._wake_one()  # pass the room on to the next waiter
            raise

    def wake_waiters(self) -> None:
        """Wake everyone waiting for room, as when closing."""
        while self._room_waiters:
            waiter = self._room_waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)

    def _wake_one(self) -> None:
        waiters = self._room_waiters
        while waiters and not self.full():
            waiter = waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return
