"""What a running Dispatcher holds open: each project's client, their session, a shared ledger."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable, Sequence

import aiohttp

from ..client import PickyClient
from ._ledger import LedgerStore
from ._project import Project
from ._sender import Pusher, Sender

__all__ = ["connected"]


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
