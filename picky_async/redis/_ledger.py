"""RedisLedger: the projects' ledgers kept in Redis, shared by every process that sends."""

from __future__ import annotations

import asyncio
import itertools
import logging
import os
import secrets
from collections.abc import Sequence
from typing import Any

import redis.asyncio

from ..core import PickyError
from ..dispatch._ledger import (
    FIRST_BACKOFF,
    MAX_BACKOFF,
    WINDOW_MARGIN,
    Health,
    MemoryLedger,
)
from ..dispatch._pacing import poll_interval
from ..dispatch._project import Project
from ._keys import ProjectKeys, project_keys
from ._link import Link
from ._scripts import ADJUST, ALL, HEALTH, POLL_SECONDS, RELEASE, RESERVE_PUSH, RESERVE_STATUS
from ._urls import check_url, shown

__all__ = ["RedisLedger", "SharedLedger"]

_log = logging.getLogger("picky_async.redis")

# A lease outlives its request by this much, so it never ends while the
# request may still reach the service; a holder that died frees it then.
_LEASE_MARGIN = 2.0
_HEALTHS = (Health.HEALTHY, Health.SUSPENDED, Health.DISABLED)
_ERROR_CHARS = 200


class RedisLedger:
    """Keeps the projects' ledgers in Redis, so several processes share each phone.

    ::

        ledger = RedisLedger("redis://127.0.0.1:6379/0", namespace="shop")
        async with pa.Dispatcher(projects, ledger=ledger) as d: ...

    Every process (on any host) that builds its Dispatcher with a
    ``RedisLedger`` on the same Redis and ``namespace`` shares, for each token:
    the request windows (never more than the limits, all processes together),
    one push in flight at a time, the estimate of the phone's backlog, and its
    health. Each request is reserved by an atomic script timed by Redis's own
    clock just before it leaves. Messages and their callers stay in their own
    process. While Redis does not answer, no push leaves (messages wait; the
    error is logged and ``Dispatcher.stats().ledger_reachable`` is false);
    sending resumes when it answers.

    No token reaches Redis: keys are named by a hash of the token keyed with
    ``secret`` (default: the ``PICKY_LEDGER_SECRET`` environment variable, else
    the namespace). Every process of a namespace needs the same secret. For the
    limits to hold across a restart of Redis itself, Redis must keep its data
    (RDB or AOF persistence); a process that used a project within a push
    window notices a Redis that lost it, logs an error and holds that
    project's pushes for a window. One ``RedisLedger`` may serve several
    dispatchers.

    Raises:
        ValueError: for a URL that is not ``redis://``, ``rediss://`` or
            ``unix://``, or an empty namespace.
    """

    def __init__(
        self,
        url: str = "redis://127.0.0.1:6379/0",
        *,
        namespace: str = "picky",
        secret: str | bytes | None = None,
    ) -> None:
        check_url(url)
        if not namespace:
            raise ValueError("namespace must not be empty")
        if secret is None:
            secret = os.environ.get("PICKY_LEDGER_SECRET") or namespace
        self._url = url
        self._namespace = namespace
        self._secret = (secret.encode() if isinstance(secret, str) else secret)[:64]
        self._link: Link | None = None
        self._users = 0

    def __repr__(self) -> str:
        return f"<RedisLedger {shown(self._url)} namespace={self._namespace!r}>"

    @property
    def reachable(self) -> bool:
        """Whether Redis answered the last call (true before the first)."""
        return self._link is None or self._link.reachable

    def ledger_for(self, project: Project, *, timeout: float, horizon: float) -> SharedLedger:
        """The shared ledger of ``project``, for a dispatcher with ``timeout`` and ``horizon``."""
        keys = project_keys(self._namespace, project.token, self._secret)
        return SharedLedger(project, keys, self, lease=timeout + _LEASE_MARGIN, horizon=horizon)

    async def open(self) -> None:
        """Connect, for the first dispatcher that starts with this ledger."""
        self._users += 1
        if self._link is None:
            client = redis.asyncio.Redis.from_url(
                self._url, decode_responses=True, socket_timeout=5.0, socket_connect_timeout=2.0
            )
            self._link = Link(client, ALL)
            self._link.start()

    async def close(self) -> None:
        """Disconnect once the last dispatcher using this ledger has stopped."""
        self._users -= 1
        if self._users == 0 and self._link is not None:
            link, self._link = self._link, None
            await link.stop()

    def call(
        self, script: str, keys: Sequence[str], args: Sequence[str | int | float]
    ) -> asyncio.Future[Any]:
        """Run ``script`` in Redis, in turn after every earlier call."""
        if self._link is None:
            raise RuntimeError("the RedisLedger is not open: start the dispatcher first")
        return self._link.call(script, keys, args)


class SharedLedger(MemoryLedger):
    """One project's ledger in Redis, mirrored here for the scheduler's quick questions.

    The mirror (the in-process ledger it extends) answers routing and pacing
    at no cost; every change is also written to Redis, in order, and each
    reservation refreshes the mirror with what all processes together did.
    """

    __slots__ = (
        "_answered_at",
        "_blocked_until",
        "_generation",
        "_horizon",
        "_keys",
        "_lease_ms",
        "_limits",
        "_lost_until",
        "_owner",
        "_push_request",
        "_requests",
        "_seq",
        "_status_blocked_until",
        "_status_request",
        "_store",
    )

    def __init__(
        self,
        project: Project,
        keys: ProjectKeys,
        store: RedisLedger,
        *,
        lease: float,
        horizon: float,
    ) -> None:
        super().__init__(project)
        self._horizon = horizon
        self._keys = keys
        self._store = store
        self._owner = secrets.token_hex(8)
        self._lease_ms = round(lease * 1000)
        push, status = project.push_limit, project.status_limit
        self._limits = (
            (push.count, push.period * (1 + WINDOW_MARGIN)),
            (status.count, status.period * (1 + WINDOW_MARGIN)),
            poll_interval(status.count, status.period),
        )
        self._requests = itertools.count()
        self._push_request: str | None = None
        self._status_request: str | None = None
        self._seq = 0
        self._generation: str | None = None  # when Redis created the state we know
        self._answered_at = 0.0  # when Redis last answered a reservation
        self._lost_until = 0.0  # no push before, for Redis lost what it had counted
        self._blocked_until = 0.0
        self._status_blocked_until = 0.0

    def __repr__(self) -> str:
        return f"<SharedLedger {self._keys.state} {self.health.value}>"

    # -- reservations ----------------------------------------------------

    async def reserve_push(self, messages: int, *, high: bool) -> float | None:
        """Claim the push in Redis: lease, window, backlog under the horizon, priority."""
        (count, period), _, _ = self._limits
        keys = self._keys
        work = messages * self.seconds_per_message
        request, retry_at = await self._reserve(
            RESERVE_PUSH,
            [keys.state, keys.pushes, keys.push_lease, keys.high_claim],
            [count, period, self._lease_ms, work, int(high), self._horizon, POLL_SECONDS],
        )
        if retry_at is None and self._lost_until > asyncio.get_running_loop().time():
            # Granted by a Redis that lost what it had counted: not now after all.
            self._release(request, keys.pushes, keys.push_lease)
            return self._lost_until
        if retry_at is None:
            self._push_request = request
        else:
            self._blocked_until = retry_at
        return retry_at

    async def reserve_status(self, *, probe: bool) -> float | None:
        """Claim the device-status request: one prober, one poller, within the window."""
        _, (count, period), interval = self._limits
        keys = self._keys
        request, retry_at = await self._reserve(
            RESERVE_STATUS,
            [keys.state, keys.statuses, keys.probe_lease],
            [count, period, self._lease_ms, int(probe), interval, POLL_SECONDS],
        )
        if retry_at is None:
            self._status_request = request
        else:
            self._status_blocked_until = retry_at
        return retry_at

    async def _reserve(
        self, script: str, keys: list[str], args: list[str | int | float]
    ) -> tuple[str, float | None]:
        """Run a reservation script for a new request id; return the id, and when
        to ask again (``None``: granted), having mirrored the shared state."""
        request = f"{self._owner}:{next(self._requests)}"
        reply = await self._store.call(script, keys, [self._owner, request, *args])
        now = asyncio.get_running_loop().time()
        retry = self._mirror(reply, now)
        return request, None if retry is None else now + retry

    def _mirror(self, reply: list[Any], now: float) -> float | None:
        """Take the shared state a script replied; return None if granted, else seconds to wait."""
        granted, retry, health, resume_in, backlog, high, seq, error, generation = reply
        lost = generation != self._generation and self._lost_recently(now)
        self._generation, self._answered_at = generation, now
        self._since = now
        self._backlog = float(backlog)
        self._high = float(high)
        self._seq = int(seq)
        self._health = _HEALTHS[int(health)]
        self._resume_at = now + float(resume_in)
        if self._health is not Health.HEALTHY and error and str(self._last_error) != error:
            self._last_error = PickyError(error)
        if lost:
            self._hold_after_loss(now)
        return None if int(granted) else float(retry)

    def _lost_recently(self, now: float) -> bool:
        """Whether Redis lost a state this process used within a push window.

        A new state after first contact, or after a day unused (Redis lets it
        expire), forgets nothing that still counts at the service.
        """
        period = self._limits[0][1]
        return self._generation is not None and now - self._answered_at <= period

    def _hold_after_loss(self, now: float) -> None:
        """No push from any process for a whole window: requests Redis forgot
        (restarted without persistence) may still count at the service."""
        period = self._limits[0][1]
        _log.error(
            "shared ledger: Redis lost the state of a project (restarted without persistence?);"
            " no push to it for %.0f s",
            period,
        )
        self._post_health("hold", period)
        self._lost_until = self._blocked_until = now + period

    # -- the mirror, and Redis after it ----------------------------------

    def push_ready_at(self, now: float) -> float:
        """The earliest time a push may leave, by this process's knowledge."""
        return max(super().push_ready_at(now), self._blocked_until)

    def status_ready_at(self, now: float) -> float:
        """The earliest time a device-status request may leave, as far as we know."""
        return max(super().status_ready_at(now), self._status_blocked_until)

    def record_push(self, now: float) -> None:
        """The push was answered: its window entry moves to now, its lease ends."""
        super().record_push(now)
        request, self._push_request = self._push_request, None
        self._release(request, self._keys.pushes, self._keys.push_lease)

    def record_status(self, now: float) -> None:
        """The device-status request was answered: likewise, with the probe's lease."""
        super().record_status(now)
        request, self._status_request = self._status_request, None
        self._release(request, self._keys.statuses, self._keys.probe_lease)

    def _release(self, request: str | None, window: str, lease: str) -> None:
        if request is not None:  # else it was never reserved in Redis
            self._post(RELEASE, [self._keys.state, window, lease], [self._owner, request])

    def remove_work(self, now: float, messages: int, *, high: bool) -> None:
        """Take back a push the service certainly did not accept, here and in Redis."""
        super().remove_work(now, messages, high=high)
        self._adjust("remove", messages * self.seconds_per_message, high=high)

    def correct(self, now: float, queued: int) -> None:
        """Take the phone's own queue length, unless a push started since it was asked."""
        super().correct(now, queued)
        self._adjust("correct", queued * self.seconds_per_message)

    def _adjust(self, how: str, seconds: float, *, high: bool = False) -> None:
        keys = [self._keys.state, self._keys.push_lease]
        self._post(ADJUST, keys, [how, seconds, int(high), self._seq])

    def hold(self, until: float) -> None:
        """No push from any process before ``until``."""
        super().hold(until)
        seconds = until - asyncio.get_running_loop().time()
        self._post_health("hold", seconds)

    def suspend(self, now: float, error: PickyError) -> None:
        """Every process stops pushing to it until one probe finds it back."""
        super().suspend(now, error)
        self._post_health("suspend", _described(error))

    def disable(self, error: PickyError) -> None:
        """Every process stops pushing to it for good."""
        super().disable(error)
        self._post_health("disable", _described(error))

    def recover(self) -> None:
        """Every process may push to it again."""
        super().recover()
        self._post_health("recover", "")

    def _post_health(self, how: str, detail: str | float) -> None:
        self._post(HEALTH, [self._keys.state], [how, detail, FIRST_BACKOFF, MAX_BACKOFF])

    def _post(self, script: str, keys: Sequence[str], args: Sequence[str | int | float]) -> None:
        self._store.call(script, keys, args)  # sent in turn; only a result or a cancel comes back


def _described(error: PickyError) -> str:
    """The error as other processes will see it: its class and message, shortened."""
    return f"{type(error).__name__}: {error}"[:_ERROR_CHARS]
