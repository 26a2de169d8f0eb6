"""A holding area in front of the queue, for messages that wait for their recipient's morning.

:class:`HoldingQueue` is a :class:`PendingQueue` around the dispatcher's own
queue, used only when quiet hours are set (without them the dispatcher uses
the plain queue: nothing is added to a message's way). Each message is
judged as it enters, as it leaves the queue for a project (a long queue may
take it into its recipient's night), and right before its push leaves (its
project's batch may wait for the push window): when its recipient is in
quiet hours, its span waits here, in a heap by release time, and one timer
moves the earliest ones to the front of the queue at their morning and
wakes the scheduler.

Held messages count toward ``max_pending`` (so a campaign read at night
stays bounded), toward ``len`` (so a draining dispatcher waits for them),
and are withdrawn when their caller cancels, failed by ``take_all`` when the
dispatcher closes without draining.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
from collections.abc import Callable, Hashable, Iterable, Sequence
from datetime import datetime

from ._folding import Batch
from ._queue import PendingQueue
from ._quiet import QuietHours
from ._runs import Run, Span

__all__ = ["HoldingQueue"]

# Timers may fire up to the loop clock's resolution early (looptime rounds it).
_SLACK = 0.001


class HoldingQueue:
    """The queue, with the messages of recipients in quiet hours held back until morning.

    ``wake`` is called when held messages entered the queue (the scheduler's wake).
    """

    def __init__(self, queue: PendingQueue, quiet: QuietHours) -> None:
        self.queue = queue
        self.quiet = quiet
        self.wake: Callable[[], None] = _nothing
        self.held = 0  # messages held, live or not yet counted out
        self._heap: list[tuple[datetime, int, Span]] = []
        self._order = itertools.count()  # equal release times keep their order
        self._held_of: dict[Run, int] = {}  # how many of each run's messages are held
        self._timer: asyncio.TimerHandle | None = None
        self._room_waiters: list[asyncio.Future[None]] = []

    # -- what the dispatcher sees -------------------------------------------

    def __len__(self) -> int:
        return len(self.queue) + self.held

    def depths(self) -> tuple[int, int]:
        """How many (high, low) priority messages wait in the queue (held ones apart)."""
        return self.queue.depths()

    def full(self) -> bool:
        """Whether no new message fits, counting the held ones."""
        return self.room() == 0

    def room(self) -> int:
        """How many new messages fit under ``max_pending``, counting the held ones."""
        return max(self.queue.room() - self.held, 0)

    # -- putting ------------------------------------------------------------

    def put(self, span: Span) -> None:
        """:meth:`put_many` of one span."""
        self.put_many([span])

    def put_many(self, spans: Sequence[Span]) -> None:
        """Hold the messages whose recipients are in quiet hours; queue the others.

        Raises:
            asyncio.QueueFull: when they do not all fit; then none is added.
        """
        if sum(len(span) for span in spans) > self.room():
            raise asyncio.QueueFull
        now_spans = [part for span in spans for part in self._judged(span)]
        self.queue.put_many(now_spans)
        self._keep_withdraw(now_spans)

    def _judged(self, span: Span) -> list[Span]:
        """Hold the parts of ``span`` whose recipients are in quiet hours; the others."""
        if span.run.high and not self.quiet.apply_to_high:
            return [span]
        now_spans = []
        for part, release in self._parts(span):
            if release is None:
                now_spans.append(part)
            else:
                self._hold(part, release)
        return now_spans

    def _parts(self, span: Span) -> list[tuple[Span, datetime | None]]:
        """``span`` cut where its recipients' release times change."""
        releases = self.quiet.releases(m.number for m in span.messages())
        parts = []
        first = 0
        for at in range(1, len(releases) + 1):
            if at == len(releases) or releases[at] != releases[first]:
                part = Span(span.run, span.start + first, span.start + at, span.lane)
                parts.append((part, releases[first]))
                first = at
        return parts

    def _hold(self, span: Span, release: datetime) -> None:
        run = span.run
        heapq.heappush(self._heap, (release, next(self._order), span))
        self.held += len(span)
        self._held_of[run] = self._held_of.get(run, 0) + len(span)
        run.withdraw = self.discard
        if self._heap[0][2] is span:
            self._set_timer()

    def _keep_withdraw(self, spans: Iterable[Span]) -> None:
        """Let runs with held messages still reach :meth:`discard` when cancelled."""
        for span in spans:
            if span.run in self._held_of:
                span.run.withdraw = self.discard

    def requeue(self, spans: Iterable[Span]) -> None:
        """Put spans back at the front of the queue (they were judged already)."""
        spans = list(spans)
        self.queue.requeue(spans)
        self._keep_withdraw(spans)

    # -- releasing ----------------------------------------------------------

    def _set_timer(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._heap:
            wait = (self._heap[0][0] - self.quiet.clock()).total_seconds()
            self._timer = asyncio.get_running_loop().call_later(max(wait, 0.0), self._release)

    def _release(self) -> None:
        """Move the spans whose morning came to the front of the queue, and wake the scheduler."""
        self._timer = None
        now = self.quiet.clock().timestamp() + _SLACK
        due = []
        while self._heap and self._heap[0][0].timestamp() <= now:
            due.append(self._count_out(heapq.heappop(self._heap)[2]))
        live = [span for span in due if span.live]
        if live:
            self.queue.requeue(live)  # always let in: they were admitted when held
            self._keep_withdraw(live)
            self.wake()
        self._set_timer()

    def _count_out(self, span: Span) -> Span:
        """Count a span's messages out of the held ones (once), and return it."""
        run = span.run
        left = self._held_of.get(run)
        if left is not None:
            left -= len(span)
            if left:
                self._held_of[run] = left
            else:
                del self._held_of[run]
            self._less_held(len(span))
        return span

    def _less_held(self, count: int) -> None:
        self.held -= count
        waiters, self._room_waiters = self._room_waiters, []
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(None)

    # -- taking out ---------------------------------------------------------

    def pop(self, lane: Hashable, *, high: bool, limit: int) -> Span | None:
        """The queue's own :meth:`PendingQueue.pop`, judged again: the messages whose
        recipients' night began while they waited are held, and the next ones taken."""
        while (span := self.queue.pop(lane, high=high, limit=limit)) is not None:
            if self._room_waiters:
                self._less_held(0)  # those waiting because of the held ones have room now
            now_spans = self._judged(span)
            if now_spans:
                self.requeue(now_spans[1:])
                return now_spans[0]
        return None

    def hold_back(self, batch: Batch) -> None:
        """Hold the messages of ``batch`` whose recipients' night began since they left
        the queue (routed, then gathered into a batch); the others stay in it."""
        spans = [part for span in batch.spans for part in self._judged(span)]
        batch.spans, batch.count = spans, sum(len(span) for span in spans)

    def discard(self, run: Run) -> None:
        """Count a withdrawn run's messages out, queued and held; its spans are skipped later."""
        self.queue.discard(run)
        self._less_held(self._held_of.pop(run, 0))

    def lane_spans(self, lane: Hashable) -> list[Span]:
        """The queue's live spans of one lane; held ones stay held until their morning."""
        return self.queue.lane_spans(lane)

    def take_all(self) -> list[Span]:
        """Remove and return every live span, queued and held, as when closing."""
        held = [entry[2] for entry in sorted(self._heap)]
        self._heap.clear()
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        for span in held:
            self._count_out(span)
        taken = self.queue.take_all() + [span for span in held if span.live]
        self.wake_waiters()
        return taken

    # -- waiting for room ---------------------------------------------------

    async def wait_for_room(self) -> None:
        """Wait until room may have freed, in the queue or among the held; the caller checks."""
        if not self.full():
            return
        if self.queue.full():
            await self.queue.wait_for_room()
            return
        waiter = asyncio.get_running_loop().create_future()
        self._room_waiters.append(waiter)
        await waiter

    def wake_waiters(self) -> None:
        """Wake everyone waiting for room, as when closing."""
        self.queue.wake_waiters()
        self._less_held(0)


def _nothing() -> None:
    """No one to wake yet."""
