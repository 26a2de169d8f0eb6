"""``Journal``: a campaign's record of each message, so a rerun never sends one twice."""

from __future__ import annotations

import asyncio
import collections
import os
from collections.abc import Callable, Sequence
from types import TracebackType
from typing import Any, TypeVar

import anyio.to_thread

from ._entries import JournalEntry, JournalSummary, State
from ._store import Prior, Store

__all__ = ["Journal"]

T = TypeVar("T")
_Call = tuple[Callable[[Store], Any], "asyncio.Future[Any]"]


class Journal:
    """Where a campaign writes what became of each message, in a SQLite file.

    Pass it to :meth:`~picky_async.Dispatcher.stream` or
    :meth:`~picky_async.Dispatcher.send_many` as ``journal=``, inside
    ``async with journal:``. Each message is known by its key
    (:attr:`Message.key <picky_async.Message>`, or a hash of its number, text
    and media). Before a push leaves, its messages are written ``pending``;
    after the answer, ``accepted`` (with project, push_id and msg_id),
    ``failed`` (certainly not sent) or ``uncertain`` (no answer: it may have
    been sent); one transaction per push. Running the same campaign with
    the same journal again skips the accepted messages, sends the failed
    ones again, and reports the uncertain and pending ones without sending
    them (unless ``resend_uncertain=True``). Each write is on disk before
    the push it guards leaves, so a crash at any instant, ``SIGKILL``
    included, loses nothing.

    ``path`` is a file (made if missing) or ``":memory:"``. The SQLite work
    runs in a worker thread, one call at a time and in the order asked, so
    the event loop never waits on the disk. One campaign at a time per
    journal; with a shared :class:`~picky_async.redis.RedisLedger` each
    process keeps its own journal.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self._path = os.fspath(path)
        self._store: Store | None = None
        self._calls: collections.deque[_Call] = collections.deque()
        self._draining: asyncio.Task[None] | None = None
        self._campaigns = 0

    def __repr__(self) -> str:
        return f"<Journal {self._path!r} {'open' if self._store else 'closed'}>"

    async def __aenter__(self) -> Journal:
        await self.open()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()

    async def open(self) -> None:
        """Open (or make) the file; ``async with journal:`` calls it.

        Raises:
            RuntimeError: when it is open already.
            sqlite3.Error: when the file cannot be opened as a journal.
        """
        if self._store is not None:
            raise RuntimeError("the journal is open already")
        self._store = await anyio.to_thread.run_sync(Store, self._path)

    async def close(self) -> None:
        """Finish the writes asked for, then close the file."""
        if self._draining is not None:
            await self._draining
        store, self._store = self._store, None
        if store is not None:
            await anyio.to_thread.run_sync(store.close)

    async def summary(self) -> JournalSummary:
        """How many messages are accepted, failed, uncertain and pending."""
        counts = await self._call(lambda store: store.counts())
        return JournalSummary(*(counts.get(state, 0) for state in JournalSummary._fields))

    async def uncertain(self) -> list[JournalEntry]:
        """The messages that may or may not have been sent, by key.

        Those whose push got no answer (``uncertain``) and those whose push
        left without its answer being recorded (``pending``, after a crash).
        """
        return await self._call(lambda store: store.entries(("uncertain", "pending")))

    # -- for the dispatcher ------------------------------------------------

    def new_campaign(self) -> int:
        """A number for one more campaign, under which it notes the keys it saw.

        Raises:
            RuntimeError: when the journal is not open.
        """
        self._open_store()
        self._campaigns += 1
        return self._campaigns

    def screen(
        self, campaign: int, keys: Sequence[str]
    ) -> asyncio.Future[list[Prior | str | None]]:
        """Each key's row from earlier runs, ``None``, or ``DUPLICATE`` (see ``Store.screen``)."""
        return self._call(lambda store: store.screen(campaign, keys))

    def pending(
        self, project: str, rows: Sequence[tuple[str, str, str, str | None]]
    ) -> asyncio.Future[None]:
        """Write (key, number, text, media) rows ``pending``; done once committed."""
        return self._call(lambda store: store.pending(project, rows))

    def accepted(
        self, push_id: str, rows: Sequence[tuple[str | None, str]]
    ) -> asyncio.Future[None]:
        """Write (msg_id, key) rows ``accepted``; done once committed."""
        return self._call(lambda store: store.accepted(push_id, rows))

    def unsent(self, state: State, reason: str, keys: Sequence[str]) -> asyncio.Future[None]:
        """Write ``keys`` failed or uncertain; done once committed."""
        return self._call(lambda store: store.unsent(state, reason, keys))

    def _call(self, work: Callable[[Store], T]) -> asyncio.Future[T]:
        """Queue ``work`` for the worker thread, after every call queued before it."""
        self._open_store()
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        self._calls.append((work, future))
        if self._draining is None:
            self._draining = loop.create_task(self._drain())
        return future

    def _open_store(self) -> Store:
        if self._store is None:
            raise RuntimeError("the journal is not open; use `async with journal:`")
        return self._store

    async def _drain(self) -> None:
        """Run the queued calls in the worker thread, all those waiting in one hop."""
        calls: list[_Call] = []
        try:
            while self._calls:
                calls = list(self._calls)
                self._calls.clear()
                store = self._store
                assert store is not None  # close() waits for this task first
                answers = await anyio.to_thread.run_sync(_run_all, store, calls)
                for (_, future), (value, error) in zip(calls, answers, strict=True):
                    if future.done():
                        continue
                    if error is None:
                        future.set_result(value)
                    else:
                        future.set_exception(error)
                calls = []
        finally:
            self._draining = None
            for _, future in [*calls, *self._calls]:  # cut off: their fate is unknown
                future.cancel()


def _run_all(store: Store, calls: list[_Call]) -> list[tuple[Any, Exception | None]]:
    """Each call's value or error, in order (in the worker thread)."""
    answers: list[tuple[Any, Exception | None]] = []
    for work, _ in calls:
        try:
            answers.append((work(store), None))
        except Exception as error:  # handed to its caller
            answers.append((None, error))
    return answers
