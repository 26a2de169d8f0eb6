"""The public face of the dispatch layer: send, submit, send_many, close, stats."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Iterator, Sized
from itertools import islice
from types import TracebackType
from typing import Literal, overload

import aiohttp

from ..client import (
    DEFAULT_BASE_URL,
    PickyClient,
    check_application,
    check_base_url,
    check_timeout,
)
from ..core import Application, EmptyMessage, Message, Priority
from ._campaign import Progress, ProgressReport, closed_campaign
from ._errors import DispatcherClosed
from ._options import check_pacing, project_names
from ._project import Project
from ._queue import MemoryQueue
from ._receipt import Receipt
from ._runs import Run, cut
from ._scheduler import Scheduler
from ._sender import Pusher, Sender
from ._stats import DispatcherStats, snapshot

__all__ = ["Dispatcher"]

# send_many queues a campaign this many messages at a time (fewer when the
# queue has less room), so it consumes the iterable only as room frees up.
_CHUNK = 1000


class Dispatcher:
    """Sends messages through several projects, fast and within every limit.

    Messages wait in a bounded queue (high priority first), are routed to the
    healthy project whose phone would finish them earliest (or, with
    ``sticky=True``, always to the same project per recipient), fold into
    pushes of up to ``max_batch`` messages, and reach each phone only while its
    estimated backlog is under ``horizon`` seconds of work. Each project has at
    most one push in flight and never exceeds its ``push_limit``. A project
    whose phone is unreachable is suspended and probed; one whose account
    cannot send is disabled; their messages go to the others. Every future
    resolves: a :class:`Receipt`, or an exception that says why.

    Use it as ``async with Dispatcher(projects) as d:``, which drains on a clean
    exit (and gives up on the unsent messages when the block raises), or call
    :meth:`close`. ``linger`` is how long a lone message waits for others to
    share its push; ``aging`` how long a low-priority batch waits for the push
    slot before it goes ahead of high-priority ones. ``resend_uncertain=True``
    resends pushes whose answer never came, which may deliver them twice.
    ``session`` is borrowed (never closed); ``client_factory`` replaces the
    :class:`~picky_async.PickyClient` built for each project (for tests).

    Raises:
        ValueError: for no projects, duplicate names or tokens, a base URL that
            is not http(s) with a host or that holds a project's token, or
            options out of range; all before any request.
        TypeError: for an application that is not an int.
    """

    def __init__(
        self,
        projects: Iterable[Project],
        *,
        base_url: str = DEFAULT_BASE_URL,
        linger: float = 0.05,
        max_batch: int = 100,
        horizon: float = 60.0,
        sticky: bool = False,
        max_pending: int = 100_000,
        resend_uncertain: bool = False,
        application: Application | int = Application.WHATSAPP,
        aging: float = 10.0,
        timeout: float = 30.0,
        session: aiohttp.ClientSession | None = None,
        client_factory: Callable[[Project], Pusher] | None = None,
    ) -> None:
        projects = list(projects)
        names = project_names(projects)
        base_url = check_base_url(base_url, tokens=[p.token for p in projects])
        check_timeout(timeout)
        check_application(application)
        check_pacing(max_batch=max_batch, horizon=horizon, linger=linger, aging=aging)
        self._senders = [
            Sender(p, name, max_batch=max_batch, linger=linger)
            for p, name in zip(projects, names, strict=True)
        ]
        self._queue = MemoryQueue(max_pending)
        self._scheduler = Scheduler(
            self._senders,
            self._queue,
            horizon=horizon,
            max_batch=max_batch,
            sticky=sticky,
            aging=aging,
            resend_uncertain=resend_uncertain,
        )
        self._base_url = base_url
        self._timeout = timeout
        self._application = application
        self._session = session
        self._client_factory = client_factory
        self._task: asyncio.Task[None] | None = None
        self._closing = False

    def __repr__(self) -> str:
        names = ", ".join(sender.name for sender in self._senders)
        return f"<Dispatcher [{names}] pending={self._scheduler.pending()}>"

    async def __aenter__(self) -> Dispatcher:
        self._start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close(drain=exc is None)

    # -- sending ---------------------------------------------------------

    async def send(
        self,
        number: str | int,
        text: str = "",
        *,
        media: str | None = None,
        priority: Priority | int = Priority.LOW,
        application: Application | int | None = None,
        block: bool = True,
    ) -> Receipt:
        """Send one message; return once the service accepted it.

        Waits for room when ``max_pending`` messages already wait (unless
        ``block=False``). Cancelling it before the message's push has started
        withdraws the message: it is never sent. Once its push has started it
        cannot be withdrawn: the service still gets it, the receipt is dropped,
        and ``stats().sent_after_cancel`` counts it if the service accepts it.

        Raises:
            InvalidNumber, EmptyMessage: for bad input, before queueing.
            asyncio.QueueFull: with ``block=False`` when the queue is full.
            DispatcherClosed: when the dispatcher closed before pushing it.
            PickyError: why the service did not take it (the last project's error).
            DeliveryUncertain: when its push got no answer; it may have been sent.
        """
        run = self._one(Message(number, text, media), priority, application)
        if block:
            await self._wait_for_room()
        self._put(run)
        result: Receipt = await run  # cancelling this cancels the run: withdrawn unless pushing
        return result

    def submit(
        self,
        number: str | int,
        text: str = "",
        *,
        media: str | None = None,
        priority: Priority | int = Priority.LOW,
        application: Application | int | None = None,
    ) -> asyncio.Future[Receipt]:
        """Queue one message and return its future at once (``send`` without waiting).

        Cancelling the future before the message's push has started withdraws
        the message: it is never sent. Once its push has started it cannot be
        withdrawn: the service still gets it, the receipt is dropped, and
        ``stats().sent_after_cancel`` counts it if the service accepts it.

        Raises:
            InvalidNumber, EmptyMessage: for bad input.
            asyncio.QueueFull: when ``max_pending`` messages already wait; this
                never waits, so use :meth:`send` or :meth:`send_many` for backpressure.
            DispatcherClosed: after :meth:`close`.
        """
        run = self._one(Message(number, text, media), priority, application)
        self._put(run)
        return run

    @overload
    async def send_many(
        self,
        messages: Iterable[Message],
        *,
        priority: Priority | int = ...,
        application: Application | int | None = ...,
        progress: Progress | None = ...,
        return_exceptions: Literal[False] = ...,
    ) -> list[Receipt]: ...

    @overload
    async def send_many(
        self,
        messages: Iterable[Message],
        *,
        priority: Priority | int = ...,
        application: Application | int | None = ...,
        progress: Progress | None = ...,
        return_exceptions: Literal[True],
    ) -> list[Receipt | BaseException]: ...

    async def send_many(
        self,
        messages: Iterable[Message],
        *,
        priority: Priority | int = Priority.LOW,
        application: Application | int | None = None,
        progress: Progress | None = None,
        return_exceptions: bool = False,
    ) -> list[Receipt] | list[Receipt | BaseException]:
        """Send a campaign; return the receipts in the order of ``messages``.

        The iterable is consumed as room frees up, so at most ``max_pending``
        messages wait at any time. ``progress(done, total)`` is called as
        messages settle (once for each push's share of the campaign, and for
        each failure), ``done`` counting all settled so far; ``total`` is
        ``len(messages)`` when it has one, else the count queued so far.
        With ``return_exceptions=True`` failures take their message's place in
        the list; otherwise every message is still seen through and then the
        first failure is raised. If the iterable yields an empty message, or
        this call is cancelled, the messages whose push has not started are
        withdrawn and never sent; those already in a push cannot be: the
        service still gets them, and ``stats().sent_after_cancel`` counts the
        ones it accepts.

        If the dispatcher closes meanwhile, one
        :class:`~picky_async.DispatcherClosed` for the whole campaign lists,
        in order, every message read and not sent: those ``close(drain=False)``
        abandoned and the chunk read but refused once closing. The iterable is
        read no further, so the messages after those stay in it (pass an
        iterator to keep them). With ``return_exceptions=True`` that error
        takes each unsent message's place, and the list ends at the last
        message read.

        Raises:
            EmptyMessage: for a message with neither text nor media.
            DispatcherClosed: without ``return_exceptions``, when the dispatcher
                closed before the whole campaign was sent (raised once the rest
                has settled, before any other failure).
            PickyError: the first failure, without ``return_exceptions``.
        """
        total = len(messages) if isinstance(messages, Sized) else None
        tracker = None if progress is None else ProgressReport(progress, total)
        priority, application = self._options(priority, application)  # once, not per message
        runs: list[Run] = []
        try:
            refused = await self._queue_campaign(
                iter(messages), runs, priority, application, tracker
            )
            self._kick()
            results: list[Receipt | BaseException] = []
            for run in runs:
                results += await run
        except BaseException:
            for run in runs:
                run.cancel()  # withdrawn if queued; a pushed one's answer is ignored
            raise
        closed = closed_campaign(runs, refused)
        if closed is not None:
            if not return_exceptions:
                raise closed
            results = [closed if isinstance(r, DispatcherClosed) else r for r in results]
            return results + [closed] * len(refused)
        if not return_exceptions:
            for run in runs:
                if (error := run.first_error()) is not None:
                    raise error
        return results

    async def _queue_campaign(
        self,
        rest: Iterator[Message],
        runs: list[Run],
        priority: Priority,
        application: Application | int,
        tracker: ProgressReport | None,
    ) -> list[Message]:
        """Queue ``rest`` a chunk at a time as room frees up, adding each run to ``runs``.

        Return the chunk refused because the dispatcher closed meanwhile (what
        is queued goes as ``close`` decides), or ``[]`` once all is queued.

        Raises:
            EmptyMessage: for a message with neither text nor media.
        """
        on_settle = None if tracker is None else tracker.settled
        loop = asyncio.get_running_loop()
        while True:
            if self._queue.full():
                self._kick()  # what is queued must move for room to free
                await self._wait_for_room()
            size = min(max(self._queue.room(), 1), _CHUNK)  # 1: to learn it closed
            chunk = _checked(list(islice(rest, size)))
            if not chunk:
                return []
            run = Run(chunk, priority, application, loop=loop, on_settle=on_settle)
            try:
                self._enqueue(run)
            except DispatcherClosed:
                return chunk
            runs.append(run)
            if tracker is not None:
                tracker.queued += len(chunk)

    def _options(
        self, priority: Priority | int, application: Application | int | None
    ) -> tuple[Priority, Application | int]:
        """What every message of one call shares: its priority and application."""
        return Priority(priority), self._application if application is None else application

    def _one(
        self, message: Message, priority: Priority | int, application: Application | int | None
    ) -> Run:
        """The run of one message, for ``send`` and ``submit``."""
        loop = asyncio.get_running_loop()  # raises outside a running loop
        options = self._options(priority, application)
        return Run(_checked([message]), *options, loop=loop, one=True)

    async def _wait_for_room(self) -> None:
        while self._queue.full() and not self._closing:
            await self._queue.wait_for_room()

    def _put(self, run: Run) -> None:
        self._enqueue(run)
        self._kick()

    def _enqueue(self, run: Run) -> None:
        if self._closing:
            raise DispatcherClosed("the dispatcher is closed", messages=run.messages)
        lane_for = self._scheduler.lane_for if self._scheduler.sticky else None
        self._queue.put_many(cut(run, 0, len(run.messages), lane_for))

    def _kick(self) -> None:
        """Start the scheduler if need be, and ask it for a turn (new messages wait)."""
        self._start()
        self._scheduler.wake()

    # -- lifecycle -------------------------------------------------------

    def _start(self) -> None:
        if self._task is None and not self._closing:
            self._task = asyncio.get_running_loop().create_task(self._run())

    async def _run(self) -> None:
        own_session: aiohttp.ClientSession | None = None
        clients: list[PickyClient] = []
        try:
            if self._client_factory is not None:
                for sender in self._senders:
                    sender.pusher = self._client_factory(sender.project)
            else:
                session = self._session or (own_session := aiohttp.ClientSession())
                for sender in self._senders:
                    client = PickyClient(
                        sender.project.token,
                        base_url=self._base_url,
                        session=session,
                        timeout=self._timeout,
                        retry=None,  # the dispatcher moves the messages instead
                    )
                    clients.append(client)
                    sender.pusher = client
            await self._scheduler.run()
        except BaseException as error:
            # Whatever stopped us, no caller is left waiting forever.
            self._closing = self._scheduler.closing = True
            self._scheduler.abandon(cause=error)
            raise
        finally:
            for client in clients:
                await client.close()
            if own_session is not None:
                await own_session.close()

    async def close(self, *, drain: bool = True) -> None:
        """Stop taking messages; push the waiting ones first unless ``drain=False``.

        With ``drain=False`` every message not yet pushed fails: each caller
        gets its own :class:`~picky_async.DispatcherClosed` whose ``messages``
        lists only that caller's unsent ones (a ``send_many`` campaign, one for
        all of its own); pushes already in flight still get their answers. Draining waits as
        long as it takes, including for suspended phones to come back, so wrap
        it in a timeout and close again with ``drain=False`` if you cannot wait.
        """
        self._closing = True
        self._scheduler.closing = True
        if not drain:
            self._scheduler.abandon()
        self._scheduler.wake()
        self._queue.wake_waiters()
        if self._task is not None:
            await asyncio.shield(self._task)

    # -- looking ---------------------------------------------------------

    def stats(self) -> DispatcherStats:
        """A snapshot of the queues, each project's backlog, and the totals."""
        return snapshot(self._scheduler, asyncio.get_running_loop().time())


def _checked(messages: list[Message]) -> list[Message]:
    """``messages``, once each is known to have text or media.

    Raises:
        EmptyMessage: for the first one with neither.
    """
    for message in messages:
        if not message.text and message.media is None:
            raise EmptyMessage(f"the message to {message.number} has neither text nor media")
    return messages
