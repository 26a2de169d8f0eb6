"""What the Simulator saw and did, kept cheap enough for 100,000 messages.

Tests assert on these: every request with the status it got, every message the
phone accepted and when it went out, and counters per project. Times are
``loop.time()`` values, so they line up with the test's own clock (and with
``looptime``). Project names appear here, never tokens.
"""

from __future__ import annotations

import asyncio
import collections
from collections.abc import Sequence

import attrs

__all__ = ["Journal", "MessageRecord", "RequestRecord", "Stats"]


@attrs.frozen
class RequestRecord:
    """One HTTP request the Simulator received.

    ``project`` is the project's name, or ``None`` when the token matched none.
    ``http_status`` is ``None`` when a fault dropped the connection instead of
    answering; ``status`` is the ``status`` of the JSON answer, if it had one.
    ``fault`` names the fault that hit the request (``FaultKind`` value), if any.
    """

    endpoint: str
    project: str | None
    arrived_at: float
    http_status: int | None
    status: int | None = None
    fault: str | None = None


@attrs.define(eq=False)
class MessageRecord:
    """One message a phone accepted, updated as it goes out.

    ``sent_at`` stays ``None`` until the phone has sent it; ``deleted`` turns
    true when a device command removed it from the queue first. ``push_id`` is
    ``None`` for instant replies to inbound messages, which no push created.
    ``text`` is what the recipient gets: for SMS a media URL is appended to it.
    """

    project: str
    push_id: str | None
    msg_id: str
    number: str
    text: str
    media: str | None
    priority: int
    application: int
    accepted_at: float
    sent_at: float | None = None
    deleted: bool = False


def _counter() -> collections.Counter[str]:
    return collections.Counter()


@attrs.define
class Stats:
    """Counters over the Simulator's life; keys are endpoint or project names.

    ``over_limit[project]`` counts requests refused with HTTP 429: a well-behaved
    client keeps it at zero. ``statuses`` counts the JSON ``status`` (or, without
    one, the HTTP status) of every answer given.
    """

    requests: collections.Counter[str] = attrs.field(factory=_counter)
    statuses: collections.Counter[int] = attrs.field(factory=collections.Counter)
    over_limit: collections.Counter[str] = attrs.field(factory=_counter)
    faults: collections.Counter[str] = attrs.field(factory=_counter)
    accepted: collections.Counter[str] = attrs.field(factory=_counter)
    sent: collections.Counter[str] = attrs.field(factory=_counter)
    deleted: collections.Counter[str] = attrs.field(factory=_counter)


class Journal:
    """Everything recorded, in arrival order: the lists tests read and the counters.

    ``messages`` holds every accepted message, ``sent`` the same records in the
    order the phones sent them.
    """

    __slots__ = ("_waiters", "messages", "requests", "sent", "stats")

    def __init__(self) -> None:
        self.requests: list[RequestRecord] = []
        self.messages: list[MessageRecord] = []
        self.sent: list[MessageRecord] = []
        self.stats = Stats()
        self._waiters: list[tuple[int, asyncio.Future[None]]] = []

    def wait_sent(self, count: int) -> asyncio.Future[None]:
        """A future done once ``count`` messages have been sent in all."""
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        if len(self.sent) >= count:
            future.set_result(None)
        else:
            self._waiters.append((count, future))
        return future

    def close(self) -> None:
        """Fail the futures still waiting: no phone will send any more."""
        for _, future in self._waiters:
            if not future.done():
                future.set_exception(RuntimeError("the Simulator closed first"))
        self._waiters.clear()

    def accepted(self, project: str, records: list[MessageRecord]) -> None:
        """Note messages a phone queued."""
        self.messages.extend(records)
        self.stats.accepted[project] += len(records)

    def message_sent(self, record: MessageRecord) -> None:
        """Note a message a phone sent."""
        self.sent.append(record)
        self.stats.sent[record.project] += 1
        if self._waiters:
            self._wake()

    def _wake(self) -> None:
        sent = len(self.sent)
        waiting = []
        for count, future in self._waiters:
            if count > sent:
                waiting.append((count, future))
            elif not future.done():
                future.set_result(None)
        self._waiters = waiting

    def messages_deleted(self, records: Sequence[MessageRecord]) -> None:
        """Note messages a device command removed."""
        self.stats.deleted[records[0].project] += len(records)
