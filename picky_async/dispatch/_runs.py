"""Runs and spans: how the dispatcher holds the messages it owes answers for.

A *run* is the messages of one call (``send``, ``submit``, or up to a
thousand of a ``send_many`` campaign) with what became of each, and it is the
caller's future. A *span* is a stretch of one run's messages, and it is what
queues, routes and folds: a campaign of a hundred thousand messages moves
through the dispatcher as a few hundred spans, split only where a push or a
project's room ends, instead of as a hundred thousand separate entries.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable, Hashable
from itertools import islice, repeat
from operator import attrgetter
from typing import Any

from ..core import Application, Message, Priority
from ..journal import Journal
from ._receipt import Receipt

__all__ = ["Result", "Run", "RunJournal", "Span", "by_run", "cut"]

Result = Receipt | BaseException | None
"""What became of one message: its receipt, why it failed, or ``None`` while pending."""

_number = attrgetter("number")
_start = attrgetter("start")
_new_receipt = functools.partial(tuple.__new__, Receipt)  # Receipt(*fields), built in C
_future_init = asyncio.Future.__init__  # called directly: cheaper than super()
_HIGH = Priority.HIGH


class RunJournal:
    """What a run of a journaled campaign carries: its journal and each message's key.

    ``resumed`` holds where each stretch settled from the journal starts.
    """

    __slots__ = ("journal", "keys", "resumed")

    def __init__(self, journal: Journal, keys: list[str]) -> None:
        self.journal = journal
        self.keys = keys
        self.resumed: set[int] = set()


class Run(asyncio.Future[Any]):
    """The messages of one call and their results; it is its caller's future.

    With ``one=True`` (``send`` and ``submit``) the future resolves to the
    message's receipt or raises its error, at once (``results`` stays empty);
    otherwise it resolves to the list of results once every message has one.
    Cancelling it withdraws the messages not yet in a push (those still queued
    at once); the ones already in a push are sent all the same, their
    receipts dropped.
    """

    __slots__ = (
        "application",
        "failed",
        "first",
        "high",
        "journal",
        "messages",
        "on_settle",
        "one",
        "priority",
        "queued",
        "results",
        "unsettled",
        "withdraw",
    )

    def __init__(
        self,
        messages: list[Message],
        priority: Priority,
        application: Application | int,
        *,
        loop: asyncio.AbstractEventLoop,
        one: bool = False,
        first: int = 0,
        on_settle: Callable[[Run, int, int], None] | None = None,
    ) -> None:
        _future_init(self, loop=loop)
        self.messages = messages
        self.priority = priority
        self.application = application
        self.high = priority is _HIGH  # it goes before every low-priority message
        self.one = one
        self.first = first  # where its first message stands in its caller's campaign
        self.on_settle = on_settle  # told (run, start, stop) of the messages just settled
        self.results: list[Result] = [] if one else [None] * len(messages)  # one: the future's
        self.unsettled = len(messages)
        self.failed = 0  # how many results are errors
        # Once queued: how many of its messages wait, and how the queue counts
        # them out when the caller gives up.
        self.queued = 0
        self.withdraw: Callable[[Run], None] | None = None
        self.journal: RunJournal | None = None  # a journaled campaign's keys

    def cancel(self, msg: Any | None = None) -> bool:
        """Cancel the caller's wait, and withdraw the messages still queued."""
        if not super().cancel(msg):
            return False
        if self.withdraw is not None:
            self.withdraw(self)
        return True

    def settled(self, start: int, stop: int) -> None:
        """Note that the results of messages ``start`` to ``stop`` are in; resolve once all are."""
        self.unsettled -= stop - start
        if self.on_settle is not None:
            self.on_settle(self, start, stop)
        if not self.unsettled and not self.done():
            self.set_result(self.results)


class Span:
    """The messages ``start`` to ``stop`` of a run, waiting in one lane.

    All of a span's messages share the run's priority and application and
    one media, so a span always folds into one push (or is split to fit).
    """

    __slots__ = ("lane", "run", "start", "stop")

    def __init__(self, run: Run, start: int, stop: int, lane: Hashable = None) -> None:
        self.run = run
        self.start = start
        self.stop = stop
        self.lane = lane

    def __repr__(self) -> str:
        return f"<Span {self.start}:{self.stop} of {len(self.run.messages)}>"

    def __len__(self) -> int:
        return self.stop - self.start

    @property
    def live(self) -> bool:
        """Whether its caller still waits (the run was not cancelled)."""
        return not self.run.done()

    @property
    def media(self) -> str | None:
        """The media its messages share."""
        return self.run.messages[self.start].media

    def messages(self) -> list[Message]:
        """Its messages, in order."""
        return self.run.messages[self.start : self.stop]

    def split(self, count: int) -> Span:
        """Cut off and return the first ``count`` messages; this span keeps the rest."""
        head = Span(self.run, self.start, self.start + count, self.lane)
        self.start += count
        return head

    def deliver(
        self, push_id: str, msg_ids: list[str | None], project: str, first: int = 0
    ) -> None:
        """Record a receipt for each message, its ``msg_id`` in the same order from ``first`` on.

        ``msg_ids`` may be the whole push's, so a push's spans need no slice each.
        """
        run = self.run
        if run.one:  # a single send: its receipt is the future's result, no lists
            number = run.messages[0].number
            run.set_result(_new_receipt((push_id, msg_ids[first], project, number, run.priority)))
            return
        numbers = map(_number, run.messages[self.start : self.stop])
        ids = islice(msg_ids, first, None)
        receipts = zip(repeat(push_id), ids, repeat(project), numbers, repeat(run.priority))
        run.results[self.start : self.stop] = map(_new_receipt, receipts)
        run.settled(self.start, self.stop)

    def fail(self, error: BaseException) -> None:
        """Record ``error`` as the result of every message."""
        if self.run.one:
            self.run.set_exception(error)
            return
        self.run.results[self.start : self.stop] = [error] * (self.stop - self.start)
        self.run.failed += self.stop - self.start
        self.run.settled(self.start, self.stop)


def cut(
    run: Run, start: int, stop: int, lane_of: Callable[[str], Hashable] | None = None
) -> list[Span]:
    """A run's messages ``start`` to ``stop`` as spans, cut where the media or lane changes.

    ``lane_of`` gives a recipient's lane (sticky routing); without it every
    message waits in the shared lane, and a campaign of one media is one span.
    """
    messages = run.messages
    if lane_of is None and len({m.media for m in messages[start:stop]}) <= 1:
        return [Span(run, start, stop)] if stop > start else []
    keys = [
        (None if lane_of is None else lane_of(message.number), message.media)
        for message in messages[start:stop]
    ]
    spans: list[Span] = []
    first = 0
    for at in range(1, len(keys) + 1):
        if at == len(keys) or keys[at] != keys[first]:
            spans.append(Span(run, start + first, start + at, keys[first][0]))
            first = at
    return spans


def by_run(spans: list[Span]) -> list[list[Span]]:
    """The live ones of ``spans`` grouped by run, each group in its run's order."""
    groups: dict[Run, list[Span]] = {}
    for span in spans:
        if span.live:
            groups.setdefault(span.run, []).append(span)
    return [sorted(group, key=_start) for group in groups.values()]
