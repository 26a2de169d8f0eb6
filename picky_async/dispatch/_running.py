"""A running Dispatcher: its one task, and what it holds open meanwhile.

The task takes the scheduler's turns while each project's client, their
session and a shared ledger are open; it starts with the first message
queued, and whatever stops it, no caller is left waiting forever.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Sequence

import aiohttp

from ..client import PickyClient
from ._ledger import LedgerStore
from ._project import Project
from ._scheduler import Scheduler
from ._sender import Pusher, Sender

__all__ = ["Running", "connected"]


class Running:
    """The Dispatcher's task: started once, closed with or without draining."""

    def __init__(
        self,
        scheduler: Scheduler,
        *,
        ledger: LedgerStore | None,
        session: aiohttp.ClientSession | None,
        client_factory: Callable[[Project], Pusher] | None,
        base_url: str,
        timeout: float,
    ) -> None:
        self.scheduler = scheduler
        self._ledger = ledger
        self._session = session
        self._client_factory = client_factory
        self._base_url = base_url
        self._timeout = timeout
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start the task, unless it was started or the dispatcher is closing."""
        if self._task is None and not self.scheduler.closing:
            self._task = asyncio.get_running_loop().create_task(self._run())

    async def close(self, *, drain: bool) -> None:
        """Take no more messages, fail the unsent ones unless ``drain``; wait for the task."""
        scheduler = self.scheduler
        scheduler.closing = True
        if not drain:
            scheduler.abandon()
        scheduler.wake()
        scheduler.queue.wake_waiters()
        if self._task is not None:
            await asyncio.shield(self._task)

    async def _run(self) -> None:
        try:
            async with connected(
                self.scheduler.senders,
                ledger=self._ledger,
                session=self._session,
                client_factory=self._client_factory,
                base_url=self._base_url,
                timeout=self._timeout,
            ):
                await self.scheduler.run()
        except BaseException as error:
            # Whatever stopped us, no caller is left waiting forever.
            self.scheduler.closing = True
            self.scheduler.abandon(cause=error)
            raise


@contextlib.asynccontextmanager
async def connected(
    senders: Sequence[Sender],
    *,
    ledger: LedgerStore | None,
    session: aiohttp.ClientSession | None,
    client_factory: Callable[[Project], Pusher] | None,
    base_url: str,
    timeout: float,
) -> AsyncIterator[None]:
    """Give each sender its pusher and open the shared ledger; close what was opened after.

    A session passed in is borrowed, never closed; without one, the clients
    share one of their own. Without a ``client_factory``, each project gets a
    :class:`~picky_async.PickyClient` that never retries: the dispatcher moves
    a failed push's messages to other projects instead.
    """
    own_session: aiohttp.ClientSession | None = None
    clients: list[PickyClient] = []
    if ledger is not None:
        await ledger.open()
    try:
        if client_factory is not None:
            for sender in senders:
                sender.pusher = client_factory(sender.project)
        else:
            shared = session or (own_session := aiohttp.ClientSession())
            for sender in senders:
                client = PickyClient(
                    sender.project.token,
                    base_url=base_url,
                    session=shared,
                    timeout=timeout,
                    retry=None,
                )
                clients.append(client)
                sender.pusher = client
        yield
    finally:
        for client in clients:
            await client.close()
        if own_session is not None:
            await own_session.close()
        if ledger is not None:
            await ledger.close()
