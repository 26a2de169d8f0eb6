"""A campaign fed to the dispatcher as room frees up, and handed back as it settles.

``stream`` and ``send_many`` share this path. A :class:`Feed` reads its
messages a chunk at a time, only as far as the queue has room (so at most
``max_pending`` of them wait, however long the campaign), queues each chunk
as one run, and hands its caller the stretches of runs that settled, in the
order they settled. It keeps a run only while some of its messages are
unsettled; once its caller took the last stretch of it, nothing holds it.
"""

from __future__ import annotations

import asyncio
import collections
from collections.abc import AsyncIterable, Callable, Iterable, Iterator
from itertools import islice

from ..core import Application, Message, Priority
from ..journal import Journal
from ._errors import DispatcherClosed
from ._intake import Intake, checked
from ._journaling import Screened
from ._runs import Run, Span

__all__ = ["CHUNK", "Feed", "Messages", "Progress", "Stretch"]

CHUNK = 1000
"""A campaign is read and queued at most this many messages at a time."""

Messages = Iterable[Message] | AsyncIterable[Message]
Progress = Callable[[int, int], None]
Stretch = tuple[Run, int, int]
"""Messages ``start`` to ``stop`` of a run, which have all settled."""


class Feed:
    """One campaign on its way: what is read, what is in flight, what settled.

    ``progress(done, total)`` is told as messages settle; ``total`` is the
    one given, or else the count read so far. With a ``journal``, each chunk
    read is screened against it first (see ``_journaling``).
    """

    def __init__(
        self,
        intake: Intake,
        messages: Messages,
        priority: Priority,
        application: Application | int,
        *,
        progress: Progress | None = None,
        total: int | None = None,
        journal: Journal | None = None,
        resend_uncertain: bool = False,
    ) -> None:
        self._intake = intake
        self._loop = asyncio.get_running_loop()
        self._source: _Source | _AsyncSource | Screened
        if isinstance(messages, AsyncIterable):
            self._source = _AsyncSource(messages, self._nudge)
        else:
            self._source = _Source(iter(messages))
        self._screened: Screened | None = None
        if journal is not None:
            self._source = self._screened = Screened(
                self._source,
                journal,
                priority=priority,
                resend_uncertain=resend_uncertain,
                chunk=CHUNK,
            )
        self._priority = priority
        self._application = application
        self._progress = progress
        self._total = total
        self.read = 0  # messages read from the campaign so far
        self._done = 0  # of those, settled
        self._ended = False  # nothing more will be read
        self._live: set[Run] = set()  # runs with messages still unsettled
        self._settled: collections.deque[Stretch] = collections.deque()
        self._waiter: asyncio.Future[None] | None = None
        self._room: asyncio.Task[None] | None = None

    async def next(self) -> list[Stretch] | None:
        """The stretches settled since the last call, waiting for one if need be.

        ``None`` once every message read has settled and no more will be read:
        the campaign ended, or the dispatcher closed (the chunk it refused then
        settles with a :class:`DispatcherClosed` like the messages it abandoned).

        Raises:
            EmptyMessage: for a message with neither text nor media.
            Exception: whatever reading an async iterable of messages raised.
        """
        while True:
            self._read()
            screened = self._screened
            if screened is not None and self._may_read() and await screened.fill():
                continue
            if self._settled:
                taken = list(self._settled)
                self._settled.clear()
                return taken
            if self._ended and not self._live:
                return None
            self._waiter = self._loop.create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None

    def withdraw(self) -> None:
        """Give up: withdraw every message not yet in a push, and read no more.

        Those already in a push are sent all the same; ``stats().sent_after_cancel``
        counts the ones the service accepts.
        """
        self._ended = True
        if self._room is not None:
            self._room.cancel()
        self._source.close()
        for run in self._live:
            run.cancel()  # withdrawn if queued; a pushed one's answer is ignored
        self._live.clear()

    def _may_read(self) -> bool:
        """Whether more of the campaign may be read now (to be screened ahead)."""
        return not self._ended and (self._intake.room() > 0 or self._intake.closing)

    def _read(self) -> None:
        """Queue as much of the campaign as the queue has room for now."""
        intake = self._intake
        while not self._ended:
            room = intake.room()
            if not room and not intake.closing:
                self._watch_room()
                return
            chunk = self._source.take(min(max(room, 1), CHUNK))  # 1: to learn it closed
            if chunk is None:
                self._ended = True
                return
            if not chunk:
                return  # an async source has nothing for now; it nudges when it has
            run = Run(
                checked(chunk),
                self._priority,
                self._application,
                loop=self._loop,
                first=self.read,
                on_settle=self._settle,
            )
            self.read += len(chunk)
            sending = [(0, len(chunk))] if self._screened is None else self._screened.admit(run)
            if (screening := intake.scheduler.screening) is not None:
                sending = screening.admit(run, sending)
            try:
                intake.put(run, sending)
            except DispatcherClosed as closed:
                self._ended = True
                for start, stop in sending:
                    Span(run, start, stop).fail(closed)  # read, and never sent
                return
            if run.unsettled:
                self._live.add(run)

    def _settle(self, run: Run, start: int, stop: int) -> None:
        self._settled.append((run, start, stop))
        if not run.unsettled:
            self._live.discard(run)
        if self._progress is not None:
            self._done += stop - start
            self._progress(self._done, self.read if self._total is None else self._total)
        self._nudge()

    def _watch_room(self) -> None:
        """Be nudged when the queue has room again (or the dispatcher closes)."""
        if self._room is None:
            self._room = self._loop.create_task(self._intake.wait_for_room())
            self._room.add_done_callback(self._room_freed)

    def _room_freed(self, task: asyncio.Task[None]) -> None:
        self._room = None
        self._nudge()

    def _nudge(self) -> None:
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)


class _Source:
    """A plain iterable of messages, read a chunk at a time."""

    def __init__(self, messages: Iterator[Message]) -> None:
        self._messages = messages

    def take(self, count: int) -> list[Message] | None:
        """Up to ``count`` more messages; ``None`` once there are no more."""
        return list(islice(self._messages, count)) or None

    def close(self) -> None:
        """Read no more (a plain iterable holds nothing to let go)."""


class _AsyncSource:
    """An async iterable of messages, read by a task of its own at its own pace.

    The task keeps up to a chunk of messages ready, so a source that yields
    one message now and the next an hour later has the first sent now.
    """

    def __init__(self, messages: AsyncIterable[Message], nudge: Callable[[], None]) -> None:
        self._messages = messages
        self._nudge = nudge
        self._ready: collections.deque[Message] = collections.deque()
        self._reader: asyncio.Task[None] | None = None
        self._wanted: asyncio.Future[None] | None = None  # the reader waits on it when full
        self._error: Exception | None = None
        self._finished = False

    def take(self, count: int) -> list[Message] | None:
        """Up to ``count`` messages read so far: ``[]`` while none is ready, ``None`` at the end.

        Raises:
            Exception: what reading the source raised, once the messages before it are taken.
        """
        if self._reader is None:
            self._reader = asyncio.get_running_loop().create_task(self._read())
        ready = self._ready
        taken = [ready.popleft() for _ in range(min(count, len(ready)))]
        if self._wanted is not None and not self._wanted.done():
            self._wanted.set_result(None)
        if taken or not self._finished:
            return taken
        if self._error is not None:
            raise self._error
        return None

    def close(self) -> None:
        """Stop reading the source."""
        if self._reader is not None:
            self._reader.cancel()

    async def _read(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            async for message in self._messages:
                self._ready.append(message)
                self._nudge()
                if len(self._ready) >= CHUNK:
                    self._wanted = loop.create_future()
                    await self._wanted
        except Exception as error:  # the caller's source: handed to the caller
            self._error = error
        finally:
            self._finished = True
            self._nudge()
