"""Snapshots of a dispatcher's state, for dashboards and tests."""

from __future__ import annotations

import attrs

from ._holding import HoldingQueue
from ._scheduler import Scheduler
from ._sender import Sender

__all__ = ["DispatcherStats", "ProjectStats", "snapshot"]


@attrs.frozen
class ProjectStats:
    """One project's share of the work so far.

    ``health`` is ``"healthy"``, ``"suspended"`` or ``"disabled"``; ``backlog``
    is the estimated seconds of work on its phone; ``assigned`` counts messages
    routed to it but not yet pushed (waiting for company or for the push slot);
    ``sent_after_cancel`` counts those of ``sent`` whose callers had cancelled
    once their push had started, too late to withdraw them.

    Attributes:
        name: The project's name (never its token).
        health: ``"healthy"``, ``"suspended"`` (phone unreachable, being
            probed) or ``"disabled"`` (the account cannot send).
        backlog: The estimated work on its phone, in seconds.
        assigned: Messages routed to it and not yet pushed.
        pushes: Push requests answered with success.
        sent: Messages the service accepted through it.
        failed: Messages whose callers got an exception from its pushes.
        sent_after_cancel: Of ``sent``, those whose callers had cancelled too late.
        sent_today: With a daily cap (or warm-up), the messages counted against
            it today, in the project's time zone: pushed by this dispatcher and,
            as last learnt from the store, by others sharing it. ``None`` without.
        cap_today: Its cap today (a warm-up day's, or ``daily_cap``); ``None``
            without one.
    """

    name: str
    health: str
    backlog: float
    assigned: int
    pushes: int
    sent: int
    failed: int
    sent_after_cancel: int
    sent_today: int | None = None
    cap_today: int | None = None


@attrs.frozen
class DispatcherStats:
    """What :meth:`Dispatcher.stats` returns: queue depths and totals.

    ``pending`` counts every message whose caller still waits (queued,
    assigned or being pushed); ``sent`` counts messages the service accepted
    and ``failed`` those whose futures got an exception. ``sent_after_cancel``
    counts the sent ones whose callers cancelled after their push had started
    (a push cannot be withdrawn): accepted by the service, their receipts
    dropped.

    Attributes:
        queued_high: High-priority messages waiting in the queue, not yet routed.
        queued_low: Low-priority messages waiting in the queue, not yet routed.
        pending: Messages whose callers still wait (queued, assigned or being pushed).
        pushes: Push requests answered with success, over all projects.
        sent: Messages the service accepted, over all projects.
        failed: Messages whose callers got an exception, including those no
            project is to blame for (such as the ones ``close(drain=False)`` abandoned).
        sent_after_cancel: Of ``sent``, those whose callers had cancelled too late.
        projects: One :class:`ProjectStats` per project, in the dispatcher's order.
        opted_out: Messages refused because their number opted out, when
            queued or right before their push (with ``opt_outs``).
        duplicates: Messages refused because a message with their key was
            sent within the ``repeat_window`` (with ``opt_outs``).
        cold_refused: Messages refused with :class:`~picky_async.CapReached`
            because their number never wrote and the day's ``cold_limit``
            was reached.
        ledger_reachable: False while a shared ledger (such as
            :class:`~picky_async.redis.RedisLedger`) does not answer: no push
            leaves until it does. Always true for the dispatcher's own ledger.
        held: Messages held until their recipients' quiet hours end (counted
            in ``pending`` too, not in ``queued_high`` or ``queued_low``).
        capped: Projects that reached their daily cap for today.
    """

    queued_high: int
    queued_low: int
    pending: int
    pushes: int
    sent: int
    failed: int
    sent_after_cancel: int
    projects: tuple[ProjectStats, ...]
    ledger_reachable: bool
    opted_out: int = 0
    duplicates: int = 0
    held: int = 0
    cold_refused: int = 0
    capped: int = 0


def snapshot(scheduler: Scheduler, now: float, ledger_reachable: bool) -> DispatcherStats:
    """The scheduler's queues, each project's share and the totals, at ``now``."""
    queue = scheduler.queue
    high, low = queue.depths()
    screening = scheduler.screening
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
            **_today(sender, now),
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
        ledger_reachable=ledger_reachable,
        opted_out=0 if screening is None else screening.opted_out,
        duplicates=0 if screening is None else screening.duplicates,
        held=queue.held if isinstance(queue, HoldingQueue) else 0,
        cold_refused=0 if screening is None else screening.cold_refused,
        capped=sum(1 for s in scheduler.senders if s.cap is not None and s.cap.full(now)),
    )


def _today(sender: Sender, now: float) -> dict[str, int | None]:
    """The project's count and cap today, when it has a cap."""
    cap = sender.cap
    if cap is None:
        return {}
    cap.refresh(now)
    return {"sent_today": cap.counted, "cap_today": cap.cap}
