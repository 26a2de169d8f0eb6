"""Per-project bookkeeping: the phone's backlog, the request windows, health.

This is the state that several dispatcher processes sharing the same tokens
must share, so it sits behind the small :class:`Ledger` interface:
:class:`MemoryLedger` is the in-process one, ``picky_async.redis`` keeps one in
Redis for many processes (a :class:`LedgerStore` hands them out). Times are
``loop.time()`` values.

The synchronous methods answer from what this process knows, so routing and
pacing cost no round trip; ``reserve_push`` and ``reserve_status`` are asked
right before each request leaves, and a shared ledger answers them from the
state every process shares.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from typing import Protocol

from ..core import PickyError, RateLimit, SlidingWindow
from ._project import Project

__all__ = ["Health", "Ledger", "LedgerStore", "MemoryLedger", "shared_ledgers"]

# Windows are kept this fraction of their period longer than the service's,
# so a little clock skew between us and the service never costs a request.
WINDOW_MARGIN = 0.02
FIRST_BACKOFF = 1.0
MAX_BACKOFF = 60.0


class Health(enum.Enum):
    """Whether a project gets work: yes, not until it answers a probe, or never."""

    HEALTHY = "healthy"
    SUSPENDED = "suspended"
    DISABLED = "disabled"


class Ledger(Protocol):
    """What the dispatcher needs to know and record about one project."""

    @property
    def health(self) -> Health: ...
    @property
    def last_error(self) -> PickyError | None: ...
    @property
    def resume_at(self) -> float: ...
    def backlog(self, now: float) -> float: ...
    def high_backlog(self, now: float) -> float: ...
    def add_work(self, now: float, messages: int, *, high: bool) -> None: ...
    def remove_work(self, now: float, messages: int, *, high: bool) -> None: ...
    def correct(self, now: float, queued: int) -> None: ...
    def push_ready_at(self, now: float) -> float: ...
    def record_push(self, now: float) -> None: ...
    def status_ready_at(self, now: float) -> float: ...
    def record_status(self, now: float) -> None: ...
    def hold(self, until: float) -> None: ...
    def suspend(self, now: float, error: PickyError) -> None: ...
    def disable(self, error: PickyError) -> None: ...
    def recover(self) -> None: ...
    async def reserve_push(self, messages: int, *, high: bool) -> float | None: ...
    async def reserve_status(self, *, probe: bool) -> float | None: ...


class LedgerStore(Protocol):
    """Where a dispatcher's ledgers live when several processes share them."""

    @property
    def reachable(self) -> bool:
        """Whether the store answered its last request."""
        ...

    def ledger_for(self, project: Project, *, timeout: float, horizon: float) -> Ledger:
        """The ledger of ``project``, for a dispatcher with ``timeout`` and ``horizon``."""
        ...

    async def open(self) -> None:
        """Get ready to answer; called when a dispatcher starts."""
        ...

    async def close(self) -> None:
        """Let go of what :meth:`open` took; called when a dispatcher stops."""
        ...


def shared_ledgers(
    store: LedgerStore | None, projects: Sequence[Project], *, timeout: float, horizon: float
) -> list[Ledger | None]:
    """Each project's ledger from ``store``; None for each without one (their own)."""
    if store is None:
        return [None] * len(projects)
    return [store.ledger_for(p, timeout=timeout, horizon=horizon) for p in projects]


def _window(limit: RateLimit) -> SlidingWindow:
    return SlidingWindow(RateLimit(limit.count, limit.period * (1 + WINDOW_MARGIN)))


class MemoryLedger:
    """The in-process :class:`Ledger` of one project.

    The backlog is the seconds of work the phone still has: each pushed message
    adds ``seconds_per_message`` and the phone works it off at one second per
    second, high priority first (the phone takes priority 1 before 0).
    ``device_status()`` answers replace the estimate with the real queue length.

    Request windows are recorded when each answer *arrives*: with one request
    in flight per project, the service saw it no later than that, so counting
    from there can only overestimate what the service counts.
    """

    __slots__ = (
        "_backlog",
        "_backoff",
        "_health",
        "_high",
        "_hold_until",
        "_last_error",
        "_pushes",
        "_resume_at",
        "_since",
        "_statuses",
        "seconds_per_message",
    )

    def __init__(self, project: Project) -> None:
        self.seconds_per_message = project.seconds_per_message
        self._backlog = 0.0
        self._high = 0.0
        self._since = 0.0
        self._pushes = _window(project.push_limit)
        self._statuses = _window(project.status_limit)
        self._hold_until = 0.0
        self._health = Health.HEALTHY
        self._last_error: PickyError | None = None
        self._resume_at = 0.0
        self._backoff = 0.0

    @property
    def health(self) -> Health:
        """Whether the project may get work now."""
        return self._health

    @property
    def last_error(self) -> PickyError | None:
        """The error that last suspended or disabled the project."""
        return self._last_error

    @property
    def resume_at(self) -> float:
        """When a suspended project may be probed again."""
        return self._resume_at

    def _drain(self, now: float) -> None:
        worked = now - self._since
        if worked > 0:
            self._backlog = max(0.0, self._backlog - worked)
            self._high = max(0.0, self._high - worked)
            self._since = now

    def backlog(self, now: float) -> float:
        """Seconds of work the phone has left, as far as we know."""
        self._drain(now)
        return self._backlog

    def high_backlog(self, now: float) -> float:
        """Seconds of high-priority work the phone has left."""
        self._drain(now)
        return self._high

    def add_work(self, now: float, messages: int, *, high: bool) -> None:
        """Count messages handed to the phone."""
        self._drain(now)
        seconds = messages * self.seconds_per_message
        self._backlog += seconds
        if high:
            self._high += seconds

    def remove_work(self, now: float, messages: int, *, high: bool) -> None:
        """Take back messages the service certainly did not accept."""
        self._drain(now)
        seconds = messages * self.seconds_per_message
        self._backlog = max(0.0, self._backlog - seconds)
        if high:
            self._high = max(0.0, self._high - seconds)
        self._high = min(self._high, self._backlog)

    def correct(self, now: float, queued: int) -> None:
        """Replace the estimate with the phone's reported queue length."""
        self._drain(now)
        self._backlog = queued * self.seconds_per_message
        self._high = min(self._high, self._backlog)

    def push_ready_at(self, now: float) -> float:
        """The earliest time a push request stays within the push limit."""
        return max(self._pushes.next_free(now), self._hold_until)

    def record_push(self, now: float) -> None:
        """Count a push request whose answer (or failure) arrived at ``now``."""
        self._pushes.record(now)

    def status_ready_at(self, now: float) -> float:
        """The earliest time a device-status request stays within its limit."""
        return self._statuses.next_free(now)

    def record_status(self, now: float) -> None:
        """Count a device-status request whose answer arrived at ``now``."""
        self._statuses.record(now)

    def hold(self, until: float) -> None:
        """Send no push before ``until`` (the service said we were too fast)."""
        self._hold_until = max(self._hold_until, until)

    def suspend(self, now: float, error: PickyError) -> None:
        """Give no work until a probe after the next backoff succeeds."""
        if self._health is Health.DISABLED:
            return
        self._backoff = min(MAX_BACKOFF, self._backoff * 2 or FIRST_BACKOFF)
        self._resume_at = now + self._backoff
        self._health = Health.SUSPENDED
        self._last_error = error

    def disable(self, error: PickyError) -> None:
        """Give no work ever again: the account or token cannot send."""
        self._health = Health.DISABLED
        self._last_error = error

    def recover(self) -> None:
        """Give work again after a successful probe; backoff starts over."""
        if self._health is Health.SUSPENDED:
            self._health = Health.HEALTHY
            self._backoff = 0.0

    async def reserve_push(self, messages: int, *, high: bool) -> float | None:
        """Claim the push about to leave; ``None`` when it may, else when to ask again.

        In one process, :meth:`push_ready_at` and the one push in flight per
        project already decided it may.
        """
        return None

    async def reserve_status(self, *, probe: bool) -> float | None:
        """Claim the device-status request about to leave, as :meth:`reserve_push` does."""
        return None
