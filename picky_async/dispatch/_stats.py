"""Snapshots of a dispatcher's state, for dashboards and tests."""

from __future__ import annotations

import attrs

from ._scheduler import Scheduler

__all__ = ["DispatcherStats", "ProjectStats", "snapshot"]


@attrs.frozen
class ProjectStats:
    """One project's share of the work so far.

    ``health`` is ``"healthy"``, ``"suspended"`` or ``"disabled"``; ``backlog``
    is the estimated seconds of work on its phone; ``assigned`` counts messages
    routed to it but not yet pushed (waiting for company or for the push slot);
    ``sent_after_cancel`` counts those of ``sent`` whose callers had cancelled
    once their push had started, too late to withdraw them.
    """

    name: str
    health: str
    backlog: float
    assigned: int
    pushes: int
    sent: int
    failed: int
    sent_after_cancel: int


@attrs.frozen
class DispatcherStats:
    """What :meth:`Dispatcher.stats` returns: queue depths and totals.

    ``pending`` counts every message whose caller still waits (queued,
    assigned or being pushed); ``sent`` counts messages the service accepted
    and ``failed`` those whose futures got an exception. ``sent_after_cancel``
    counts the sent ones whose callers cancelled after their push had started
    (a push cannot be withdrawn): accepted by the service, their receipts
    dropped.
    """

    queued_high: int
    queued_low: int
    pending: int
    pushes: int
    sent: int
    failed: int
    sent_after_cancel: int
    projects: tuple[ProjectStats, ...]


def snapshot(scheduler: Scheduler, now: float) -> DispatcherStats:
    """The scheduler's queues, each project's share and the totals, at ``now``."""
    high, low = scheduler.queue.depths()
    projects = tuple(
        ProjectStats(
            name=sender.name,
            health=sender.ledger.health.value,
            backlog=sender.ledger.backlog(now),
            assigned=len(sender.accumulator),
            pushes=sender.pushes,
            sent=sender.sent,
            failed=sender.failed,
            sent_after_cancel=sender.sent_after_cancel,
        )
        for sender in scheduler.senders
    )
    return DispatcherStats(
        queued_high=high,
        queued_low=low,
        pending=scheduler.pending(),
        pushes=sum(p.pushes for p in projects),
        sent=sum(p.sent for p in projects),
        failed=scheduler.failed + sum(p.failed for p in projects),
        sent_after_cancel=sum(p.sent_after_cancel for p in projects),
        projects=projects,
    )
