"""The queue of messages waiting in the client: two priorities, FIFO, bounded.

Messages wait here, as spans of their runs, until routing hands them to a
project. While they wait they can still be reordered (high before low),
rerouted, or withdrawn; once pushed they cannot. The queue is split into
*lanes*: one shared lane when any project may take any message, or one lane
per project when recipients stick to a project. :class:`PendingQueue` is the
interface the dispatcher needs, so a queue shared between processes (a Redis
stream per lane and priority) can replace :class:`MemoryQueue` without
touching routing or folding.

The queue itself is strict priority. High priority never takes low
priority's room here (it skips the horizon), so the place where the two
compete, and where aging keeps low priority from starving, is a project's
push slot: see ``Accumulator.pop_ready``.
"""

from __future__ import annotations

import asyncio
import collections
from collections.abc import Hashable, Iterable, Iterator, Sequence
from typing import Protocol

from ._runs import Run, Span

__all__ = ["MemoryQueue", "PendingQueue"]


class PendingQueue(Protocol):
    """What the dispatcher needs of a queue; see the module docstring."""

    def __len__(self) -> int: ...
    def depths(self) -> tuple[int, int]: ...
    def full(self) -> bool: ...
    def room(self) -> int: ...
    def put(self, span: Span) -> None: ...
    def put_many(self, spans: Sequence[Span]) -> None: ...
    def requeue(self, spans: Iterable[Span]) -> None: ...
    def pop(self, lane: Hashable, *, high: bool, limit: int) -> Span | None: ...
    def discard(self, run: Run) -> None: ...
    def lane_spans(self, lane: Hashable) -> list[Span]: ...
    def take_all(self) -> list[Span]: ...
    async def wait_for_room(self) -> None: ...
    def wake_waiters(self) -> None: ...


class _Lane:
    __slots__ = ("high", "low")

    def __init__(self) -> None:
        self.high: collections.deque[Span] = collections.deque()
        self.low: collections.deque[Span] = collections.deque()

    def side(self, high: bool) -> collections.deque[Span]:
        return self.high if high else self.low


class MemoryQueue:
    """The in-process :class:`PendingQueue`: deques of spans per lane and priority.

    Holds at most ``max_pending`` new messages; :meth:`put_many` refuses more,
    and :meth:`wait_for_room` waits (FIFO) until some leave. Messages coming
    back from a failed push (:meth:`requeue`) are always let in, at the front,
    since they were admitted once already. A withdrawn run's messages are
    counted out at once (:meth:`discard`) and its spans skipped when they reach
    the front.
    """

    def __init__(self, max_pending: int) -> None:
        if max_pending < 1:
            raise ValueError("max_pending must be at least 1")
        self.max_pending = max_pending
        self._lanes: dict[Hashable, _Lane] = {}
        self._high = 0
        self._low = 0
        self._room_waiters: collections.deque[asyncio.Future[None]] = collections.deque()
        self._discard = self.discard  # bound once, not once per message queued

    def __len__(self) -> int:
        return self._high + self._low

    def depths(self) -> tuple[int, int]:
        """How many (high, low) priority messages wait."""
        return self._high, self._low

    def full(self) -> bool:
        """Whether :meth:`put_many` would refuse a message now."""
        return self._high + self._low >= self.max_pending

    def room(self) -> int:
        """How many new messages :meth:`put_many` would take now."""
        return max(self.max_pending - self._high - self._low, 0)

    def _lane(self, lane: Hashable) -> _Lane:
        found = self._lanes.get(lane)
        if found is None:
            found = self._lanes[lane] = _Lane()
        return found

    def _count(self, run: Run, delta: int) -> None:
        run.queued += delta
        if run.high:
            self._high += delta
        else:
            self._low += delta

    def put_many(self, spans: Sequence[Span]) -> None:
        """Add spans at the back of their lanes and priorities, in order.

        Raises:
            asyncio.QueueFull: when their messages do not all fit under
                ``max_pending``; then none is added.
        """
        if sum(len(span) for span in spans) > self.room():
            raise asyncio.QueueFull
        for span in spans:
            self._append(span)

    def put(self, span: Span) -> None:
        """Add one span at the back of its lane and priority: :meth:`put_many` of one, cheaper.

        Raises:
            asyncio.QueueFull: when its messages do not all fit under ``max_pending``.
        """
        if self._high + self._low + span.stop - span.start > self.max_pending:
            raise asyncio.QueueFull
        self._append(span)

    def _append(self, span: Span) -> None:
        run = span.run
        run.withdraw = self._discard
        self._lane(span.lane).side(run.high).append(span)
        self._count(run, span.stop - span.start)

    def requeue(self, spans: Iterable[Span]) -> None:
        """Put spans back at the front of their lanes, keeping their order."""
        for span in reversed(list(spans)):
            if span.live:
                span.run.withdraw = self._discard
                self._lane(span.lane).side(span.run.high).appendleft(span)
                self._count(span.run, len(span))

    def pop(self, lane: Hashable, *, high: bool, limit: int) -> Span | None:
        """Take up to ``limit`` of the oldest messages of ``lane`` at one priority.

        They come as one span (the front one, or its first ``limit`` messages),
        or ``None`` when none wait.
        """
        found = self._lanes.get(lane)
        if found is None:
            return None
        side = found.side(high)
        while side:
            span = side[0]
            run = span.run
            if run.done():
                side.popleft()  # withdrawn, and counted out then
                continue
            size = span.stop - span.start
            if size <= limit:
                side.popleft()
            else:
                span, size = span.split(limit), limit
            self._count(run, -size)
            if self._room_waiters:
                self._wake_one()
            return span
        return None

    def discard(self, run: Run) -> None:
        """Count a withdrawn run's queued messages out; its spans are skipped later."""
        if run.queued:
            self._count(run, -run.queued)
            self._wake_one()

    def _live(self, lanes: Iterable[_Lane]) -> Iterator[Span]:
        for lane in lanes:
            for side in (lane.high, lane.low):
                for span in side:
                    if span.live:
                        self._count(span.run, -len(span))
                        yield span
                side.clear()

    def lane_spans(self, lane: Hashable) -> list[Span]:
        """Remove and return every live span of one lane, high priority first."""
        found = self._lanes.pop(lane, None)
        taken = list(self._live([found] if found else []))
        self.wake_waiters()
        return taken

    def take_all(self) -> list[Span]:
        """Remove and return every live span, as when closing."""
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
