"""One process's ordered line to Redis: every call in turn, retried until Redis answers.

The shared ledgers of a dispatcher post their writes here and await their
reservations. Calls are sent in the order they were made, several in one
pipeline when several wait, and a call whose answer did not come (Redis down,
restarting, unreachable) is sent again until one does: nothing is skipped, so
no push leaves on a guess while Redis is away. That is failing closed.
"""

from __future__ import annotations

import asyncio
import collections
import logging
from collections.abc import Sequence
from typing import Any

import redis.asyncio
import redis.exceptions

__all__ = ["Link"]

_log = logging.getLogger("picky_async.redis")

_FIRST_PAUSE = 0.05
_MAX_PAUSE = 2.0
# Whatever keeps a call from being answered (down, restarting, out of memory,
# read-only after a failover, a cluster moving keys): send it again, and push
# nothing meanwhile. A script's own error would be among them, and the tests
# run every script.
_UNANSWERED = (redis.exceptions.RedisError, OSError)


class _Call:
    __slots__ = ("args", "future", "keys", "script")

    def __init__(
        self,
        script: str,
        keys: int,
        args: Sequence[str | int | float],
        future: asyncio.Future[Any],
    ) -> None:
        self.script = script
        self.keys = keys  # how many of args are keys
        self.args = args
        self.future = future


class Link:
    """The calls of one process to one Redis, in order, until each is answered.

    ``reachable`` is false from the first unanswered call until the next
    answer; the change is logged once each way.
    """

    def __init__(self, client: redis.asyncio.Redis, scripts: Sequence[str]) -> None:
        self._client = client
        self._scripts = scripts
        self._shas: dict[str, str] = {}
        self._calls: collections.deque[_Call] = collections.deque()
        self._more = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._drained: asyncio.Future[None] | None = None  # set when stop() waits
        self._stopping = False
        self.reachable = True

    def start(self) -> None:
        """Start sending calls, from the running loop."""
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self, *, timeout: float = 2.0) -> None:
        """Send what is still queued (for up to ``timeout`` seconds), then disconnect.

        Calls still unanswered then are cancelled; in Redis, the leases and
        window entries they would have ended expire by themselves.
        """
        if self._calls and self.reachable:
            self._drained = asyncio.get_running_loop().create_future()
            await asyncio.wait([self._drained], timeout=timeout)
        self._stopping = True  # should a cancellation be swallowed on the way
        self._more.set()
        if self._task is not None:
            self._task.cancel()
            await asyncio.wait([self._task], timeout=timeout)
            self._task = None
        if self._calls:
            _log.warning(
                "shared ledger: %d writes never reached Redis; their leases expire by themselves",
                len(self._calls),
            )
        while self._calls:
            self._calls.popleft().future.cancel()
        await self._client.aclose()

    def call(
        self, script: str, keys: Sequence[str], args: Sequence[str | int | float]
    ) -> asyncio.Future[Any]:
        """Queue ``script`` with ``keys`` and ``args``; the future gets its reply.

        Nobody need await it: the call is sent all the same, in its turn.
        """
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._calls.append(_Call(script, len(keys), [*keys, *args], future))
        self._more.set()
        return future

    async def _run(self) -> None:
        pause = _FIRST_PAUSE
        while not self._stopping:
            if not self._calls:
                if self._drained is not None and not self._drained.done():
                    self._drained.set_result(None)
                self._more.clear()
                await self._more.wait()
                continue
            calls = list(self._calls)
            try:
                replies = await self._send(calls)
            except _UNANSWERED as error:
                self._unanswered(error)
                await asyncio.sleep(pause)
                pause = min(_MAX_PAUSE, pause * 2)
                continue
            pause = _FIRST_PAUSE
            if not self.reachable:
                self.reachable = True
                _log.warning("shared ledger: Redis answers again; pushes resume")
            for call, reply in zip(calls, replies, strict=True):
                self._calls.popleft()
                if not call.future.done():  # else its caller stopped waiting
                    call.future.set_result(reply)

    async def _send(self, calls: list[_Call]) -> list[Any]:
        if not self._shas:  # at start, and after Redis forgot them
            for script in self._scripts:
                self._shas[script] = await self._client.script_load(script)
        async with self._client.pipeline(transaction=False) as pipe:
            for call in calls:
                pipe.evalsha(self._shas[call.script], call.keys, *call.args)
            replies: list[Any] = await pipe.execute(raise_on_error=False)
        for reply in replies:
            if isinstance(reply, _UNANSWERED):
                raise reply
        return replies

    def _unanswered(self, error: Exception) -> None:
        self._shas.clear()  # a restarted Redis has none of them
        if self.reachable and not isinstance(error, redis.exceptions.NoScriptError):
            self.reachable = False
            _log.error(
                "shared ledger: Redis does not answer (%s: %s); no push leaves until it does",
                type(error).__name__,
                error,
            )
