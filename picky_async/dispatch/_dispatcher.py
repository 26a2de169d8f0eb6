"""The public face of the dispatch layer: send, submit, stream, send_many, close, stats."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Callable, Iterable, Sized
from datetime import time
from types import TracebackType
from typing import Literal, overload

import aiohttp

from ..client import base_url_or_environment, check_application, check_timeout
from ..core import Application, Message, Priority, check_region
from ..journal import Journal
from ..safety import SafetyStore
from ._assembly import scheduler_for
from ._campaign import gather_campaign
from ._feed import Feed, Messages, Progress
from ._intake import Intake
from ._ledger import LedgerStore
from ._options import check_journal, project_names
from ._project import Project
from ._quiet import Clock, wall_clock
from ._receipt import Receipt
from ._running import Running
from ._screening import DAY, RepeatWindow
from ._sender import Pusher
from ._stats import DispatcherStats, snapshot
from ._stream import Outcome, outcomes
from ._when_capped import WhenCapped

__all__ = ["Dispatcher"]


class Dispatcher:
    """Sends messages through several projects, fast and within every limit.

    Messages wait in a queue (high priority first), go to the healthy project
    whose phone would finish them earliest, and fold into pushes; a phone
    gets more only while its backlog is under ``horizon`` seconds of work, a
    project never passes its ``push_limit``, and a failing project's messages
    go to the others. Every future resolves: a :class:`Receipt`, or an
    exception that says why. Use it as ``async with Dispatcher(projects) as
    d:``, which drains on a clean exit (and gives up on the unsent messages
    when the block raises), or call :meth:`close`. The sending and campaigns
    guides show it at work.

    ``linger`` is how long a lone message waits for others to share its
    push; ``max_batch`` the most messages a push takes; ``sticky=True`` sends
    each recipient through the same project always; ``max_pending`` the most
    messages waiting, beyond which callers wait for room; ``aging`` how long
    a low-priority batch waits for the push slot before it goes ahead of
    high-priority ones. ``resend_uncertain=True`` resends pushes whose answer
    never came, which may deliver them twice. ``application`` is the
    messages' default; ``timeout`` the clients', in seconds. ``base_url``
    defaults to ``PICKY_BASE_URL`` from the environment, else
    :data:`~picky_async.DEFAULT_BASE_URL`; the tokens are always the
    projects' own. ``session`` is borrowed (never closed); ``client_factory``
    replaces the :class:`~picky_async.PickyClient` of each project (for
    tests). ``default_region`` (such as ``"IN"``, needs the ``numbers``
    extra) reads the numbers given to :meth:`send` and :meth:`submit` as
    people write them there. ``ledger`` shares each project's limits, backlog
    and health with other processes, such as a
    :class:`~picky_async.redis.RedisLedger`.

    The sending-safely guide has a section for each of these. ``opt_outs``
    (an :class:`~picky_async.OptOuts` store) stops messages to numbers that
    opted out (:class:`~picky_async.OptedOut`, even when they opt out while
    it waits) and any whose ``key`` was accepted less than ``repeat_window``
    ago (seconds or a timedelta, default a day; ``None``: never) with
    :class:`~picky_async.Duplicate`. ``cold_limit`` (needs ``opt_outs``) lets
    at most that many messages a day go to numbers that never wrote; beyond
    it, :class:`~picky_async.ColdLimitReached`. ``quiet_hours=(time(21), time(9))``
    holds low-priority messages while the recipient's local time is in those
    hours (``quiet_hours_apply_to_high=True``: high priority too); the time
    zone is the number's, else ``default_timezone``, and ``clock`` (returning
    an aware datetime) tells the time. A project's ``daily_cap`` and
    ``warm_up`` (see :class:`Project`) bound its messages per local day; when
    every project is full, messages wait for the next midnight or, with
    ``when_capped="fail"``, fail with :class:`~picky_async.CapReached`. The
    daily counts live in ``opt_outs`` when given, else in memory.

    Raises:
        ValueError: for no projects, duplicate names or tokens, a base URL that
            is not http(s) with a host or that holds a project's token,
            ``quiet_hours`` that are not two different naive times, an unknown
            region or time zone, ``cold_limit`` without ``opt_outs``, or any
            option out of range; all before any request.
        TypeError: for an application or a ``cold_limit`` that is not an int.
        ImportError: for a ``default_region`` without the ``numbers`` extra.
    """

    def __init__(
        self,
        projects: Iterable[Project],
        *,
        base_url: str | None = None,
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
        default_region: str | None = None,
        ledger: LedgerStore | None = None,
        opt_outs: SafetyStore | None = None,
        repeat_window: RepeatWindow = DAY,
        quiet_hours: tuple[time, time] | None = None,
        default_timezone: str = "Asia/Kolkata",
        quiet_hours_apply_to_high: bool = False,
        clock: Clock = wall_clock,
        cold_limit: int | None = None,
        when_capped: WhenCapped = "wait",
    ) -> None:
        projects = list(projects)
        names = project_names(projects)
        base_url = base_url_or_environment(base_url, tokens=[p.token for p in projects])
        check_timeout(timeout)
        check_application(application)
        self._scheduler = scheduler_for(
            projects,
            names,
            linger=linger,
            max_batch=max_batch,
            horizon=horizon,
            sticky=sticky,
            max_pending=max_pending,
            resend_uncertain=resend_uncertain,
            aging=aging,
            timeout=timeout,
            ledger=ledger,
            opt_outs=opt_outs,
            repeat_window=repeat_window,
            quiet_hours=quiet_hours,
            default_timezone=default_timezone,
            quiet_hours_apply_to_high=quiet_hours_apply_to_high,
            clock=clock,
            cold_limit=cold_limit,
            when_capped=when_capped,
        )
        self._ledger = ledger
        self._default_region = check_region(default_region)
        self._running = Running(
            self._scheduler,
            ledger=ledger,
            session=session,
            client_factory=client_factory,
            base_url=base_url,
            timeout=timeout,
        )
        self._intake = Intake(self._scheduler, self._running.start, application)

    def __repr__(self) -> str:
        names = ", ".join(sender.name for sender in self._scheduler.senders)
        return f"<Dispatcher [{names}] pending={self._scheduler.pending()}>"

    async def __aenter__(self) -> Dispatcher:
        self._running.start()
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
        key: str | None = None,
    ) -> Receipt:
        """Send one message; return once the service accepted it.

        Waits for room when ``max_pending`` messages already wait (unless
        ``block=False``). ``key`` names the message, so that with ``opt_outs``
        a repeat within ``repeat_window`` is refused. Cancelling it before the
        message's push has started withdraws the message: it is never sent.
        After, the service still gets it, the receipt is dropped, and
        ``stats().sent_after_cancel`` counts it if the service accepts it.

        Raises:
            InvalidNumber, EmptyMessage: for bad input, before queueing.
            OptedOut, Duplicate, CapReached: as the class says, before queueing;
                ``CapReached`` also once queued, with ``when_capped="fail"``,
                when no project can take it today.
            asyncio.QueueFull: with ``block=False`` when the queue is full.
            DispatcherClosed: when the dispatcher closed before pushing it.
            PickyError: why the service did not take it (the last project's error).
            DeliveryUncertain: when its push got no answer; it may have been sent.
        """
        message = Message(number, text, media, default_region=self._default_region, key=key)
        if block and self._intake.queue.full():  # no waiting coroutine when there is room
            await self._intake.wait_for_room()
        run = self._intake.enter(message, priority, application)
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
        key: str | None = None,
    ) -> asyncio.Future[Receipt]:
        """Queue one message and return its future at once (:meth:`send` without waiting).

        ``key``, and cancelling the future, work as for :meth:`send`.

        Raises:
            InvalidNumber, EmptyMessage, OptedOut, Duplicate, CapReached: as
                for :meth:`send`, before queueing.
            asyncio.QueueFull: when ``max_pending`` messages already wait; this
                never waits, so use :meth:`send` or :meth:`send_many` for backpressure.
            DispatcherClosed: after :meth:`close`.
        """
        message = Message(number, text, media, default_region=self._default_region, key=key)
        return self._intake.enter(message, priority, application)

    def stream(
        self,
        messages: Messages,
        *,
        priority: Priority | int = Priority.LOW,
        application: Application | int | None = None,
        journal: Journal | None = None,
        resend_uncertain: bool = False,
    ) -> AsyncGenerator[Outcome, None]:
        """Send a campaign of any size, yielding each message's :class:`Outcome` as it settles.

        ``messages`` (an iterable or async iterable) is read only as room
        frees up, at most ``max_pending`` messages waiting, and nothing is
        kept of a message once its outcome is yielded, so memory stays
        bounded however long the campaign. Outcomes come in the order
        messages settle: ``index`` is each one's position in ``messages``. A
        failure is an outcome's ``error``, not an exception; if the
        dispatcher closes, each message it left unsent (and the chunk read
        but refused) ends with a :class:`~picky_async.DispatcherClosed`, and
        the input is read no further.

        Breaking out of the loop, ``aclose()``, or cancelling the task
        iterating withdraws every message not yet in a push (after a break,
        once the generator is closed: at once under
        ``contextlib.aclosing(d.stream(...))``). Every outcome yielded is
        final; a message read without one may still be accepted if its push
        had started (``stats().sent_after_cancel`` counts those). "Stopping
        a campaign" in the campaigns guide says how to learn every fate.

        With an open ``journal`` (see :class:`~picky_async.Journal`), a
        message an earlier run of the same campaign settled is not sent
        again: its outcome has ``resumed`` set and a receipt rebuilt from the
        journal, or a :class:`~picky_async.DeliveryUncertain` when that run
        may have sent it (sent again only with ``resend_uncertain=True``). A
        key repeated within the campaign fails with a ``ValueError``.

        Raises:
            ValueError: for a priority that is not one, or
                ``resend_uncertain`` without a journal (at once).
            RuntimeError: for a journal that is not open (when read).
            EmptyMessage: for a message with neither text nor media, when
                read; the messages not yet in a push are withdrawn.
            Exception: whatever reading ``messages`` raised, likewise.
        """
        priority, application = self._intake.options(priority, application)  # checked now
        check_journal(journal, resend_uncertain)
        return outcomes(
            self._intake,
            messages,
            priority,
            application,
            journal=journal,
            resend_uncertain=resend_uncertain,
        )

    @overload
    async def send_many(
        self,
        messages: Messages,
        *,
        priority: Priority | int = ...,
        application: Application | int | None = ...,
        progress: Progress | None = ...,
        return_exceptions: Literal[False] = ...,
        journal: Journal | None = ...,
        resend_uncertain: bool = ...,
    ) -> list[Receipt]: ...

    @overload
    async def send_many(
        self,
        messages: Messages,
        *,
        priority: Priority | int = ...,
        application: Application | int | None = ...,
        progress: Progress | None = ...,
        return_exceptions: Literal[True],
        journal: Journal | None = ...,
        resend_uncertain: bool = ...,
    ) -> list[Receipt | BaseException]: ...

    async def send_many(
        self,
        messages: Messages,
        *,
        priority: Priority | int = Priority.LOW,
        application: Application | int | None = None,
        progress: Progress | None = None,
        return_exceptions: bool = False,
        journal: Journal | None = None,
        resend_uncertain: bool = False,
    ) -> list[Receipt] | list[Receipt | BaseException]:
        """Send a campaign (an iterable or async iterable); return the receipts in its order.

        The iterable is read as room frees up, so at most ``max_pending``
        messages wait at any time. ``progress(done, total)`` is called as
        messages settle (once per push's share of the campaign, and per
        failure); ``total`` is ``len(messages)`` when it has one, else the
        count queued so far. With ``return_exceptions=True`` failures take
        their message's place; otherwise every message is still seen
        through, then the first failure is raised. An empty message, or
        cancelling this call, withdraws every message whose push has not
        started; those in a push still reach the service, and
        ``stats().sent_after_cancel`` counts the ones it accepts.

        If the dispatcher closes meanwhile, one
        :class:`~picky_async.DispatcherClosed` lists, in order, every message
        read and not sent, and the iterable is read no further (pass an
        iterator to keep the rest); with ``return_exceptions=True`` it takes
        each unsent message's place, and the list ends at the last message
        read. ``journal`` and ``resend_uncertain`` work as for :meth:`stream`:
        a resumed message's place holds its rebuilt receipt, or its
        :class:`~picky_async.DeliveryUncertain`.

        Raises:
            ValueError: for ``resend_uncertain`` without a journal.
            RuntimeError: for a journal that is not open.
            EmptyMessage: for a message with neither text nor media.
            DispatcherClosed: without ``return_exceptions``, when the dispatcher
                closed before the whole campaign was sent (raised once the rest
                has settled, before any other failure).
            PickyError: the first failure, without ``return_exceptions``.
        """
        total = len(messages) if isinstance(messages, Sized) else None
        priority, application = self._intake.options(priority, application)  # once, not per message
        check_journal(journal, resend_uncertain)
        feed = Feed(
            self._intake,
            messages,
            priority,
            application,
            progress=progress,
            total=total,
            journal=journal,
            resend_uncertain=resend_uncertain,
        )
        return await gather_campaign(feed, return_exceptions=return_exceptions)

    # -- lifecycle -------------------------------------------------------

    async def close(self, *, drain: bool = True) -> None:
        """Stop taking messages; push the waiting ones first unless ``drain=False``.

        With ``drain=False`` every message not yet pushed fails: each caller
        gets its own :class:`~picky_async.DispatcherClosed` whose ``messages``
        lists only that caller's unsent ones (a ``send_many`` campaign, one for
        all of its own); pushes already in flight still get their answers.
        Draining waits as long as it takes, including for suspended phones to
        come back, so wrap it in a timeout and close again with
        ``drain=False`` if you cannot wait.
        """
        await self._running.close(drain=drain)

    # -- looking ---------------------------------------------------------

    def stats(self) -> DispatcherStats:
        """A snapshot of the queues, each project's backlog, and the totals."""
        reachable = self._ledger is None or self._ledger.reachable
        return snapshot(self._scheduler, asyncio.get_running_loop().time(), reachable)
