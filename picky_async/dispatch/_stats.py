"""Snapshots of a dispatcher's state, for dashboards and tests."""

from __future__ import annotations

import attrs

__all__ = ["DispatcherStats", "ProjectStats"]


@attrs.frozen
class ProjectStats:
    """One project's share of the work so far.

    ``health`` is ``"healthy"``, ``"suspended"`` or ``"disabled"``; ``backlog``
    is the estimated seconds of work on its phone; ``assigned`` counts messages
    routed to it but not yet pushed (waiting for company or for the push slot).
    """

    name: str
    health: str
    backlog: float
    assigned: int
    pushes: int
    sent: int
    failed: int


@attrs.frozen
class DispatcherStats:
    """What :meth:`Dispatcher.stats` returns: queue depths and totals.

    ``pending`` counts every message whose caller still waits (queued,
    assigned or being pushed); ``sent`` counts messages the service accepted
    and ``failed`` those whose futures got an exception.
    """

    queued_high: int
    queued_low: int
    pending: int
    pushes: int
    sent: int
    failed: int
    projects: tuple[ProjectStats, ...]
