"""Assembly: the scheduler and its parts, built from the Dispatcher's options.

The Dispatcher takes some twenty options; most of them only shape the parts
that do the work: each project's sender and ledger, the queue (one that
holds messages through quiet hours when those are set), screening, daily
caps, and the scheduler over them all. Building them here, each option
checked as its part is built, keeps the Dispatcher to what its callers use.
"""

from __future__ import annotations

from datetime import time

from ..safety import SafetyStore
from ._holding import HoldingQueue
from ._ledger import LedgerStore, shared_ledgers
from ._options import check_pacing
from ._project import Project
from ._queue import MemoryQueue, PendingQueue
from ._quiet import Clock, QuietHours
from ._scheduler import Scheduler
from ._screening import RepeatWindow, screening_for
from ._sender import Sender
from ._when_capped import WhenCapped, caps_for

__all__ = ["scheduler_for"]


def scheduler_for(
    projects: list[Project],
    names: list[str],
    *,
    linger: float,
    max_batch: int,
    horizon: float,
    sticky: bool,
    max_pending: int,
    resend_uncertain: bool,
    aging: float,
    timeout: float,
    ledger: LedgerStore | None,
    opt_outs: SafetyStore | None,
    repeat_window: RepeatWindow,
    quiet_hours: tuple[time, time] | None,
    default_timezone: str,
    quiet_hours_apply_to_high: bool,
    clock: Clock,
    cold_limit: int | None,
    when_capped: WhenCapped,
) -> Scheduler:
    """The scheduler over a sender per project (``names`` theirs) and the queue.

    Raises:
        ValueError, TypeError: for an option out of range or of the wrong
            kind, as the Dispatcher documents; before any request.
    """
    check_pacing(max_batch=max_batch, horizon=horizon, linger=linger, aging=aging)
    shared = shared_ledgers(ledger, projects, timeout=timeout, horizon=horizon)
    senders = [
        Sender(p, name, max_batch=max_batch, linger=linger, ledger=one)
        for p, name, one in zip(projects, names, shared, strict=True)
    ]
    queue: PendingQueue = MemoryQueue(max_pending)
    if quiet_hours is not None:
        quiet = QuietHours(
            quiet_hours,
            default_timezone=default_timezone,
            apply_to_high=quiet_hours_apply_to_high,
            clock=clock,
        )
        queue = HoldingQueue(queue, quiet)
    scheduler = Scheduler(
        senders,
        queue,
        horizon=horizon,
        max_batch=max_batch,
        sticky=sticky,
        aging=aging,
        resend_uncertain=resend_uncertain,
        screening=screening_for(
            opt_outs,
            repeat_window,
            cold_limit=cold_limit,
            default_timezone=default_timezone,
            clock=clock,
        ),
        caps=caps_for(
            senders,
            opt_outs,
            clock=clock,
            default_timezone=default_timezone,
            when_capped=when_capped,
            sticky=sticky,
        ),
    )
    if isinstance(queue, HoldingQueue):
        queue.wake = scheduler.wake
    return scheduler
