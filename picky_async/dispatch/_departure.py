"""Departure: what a batch goes through between being claimed and being pushed.

A part of the scheduler with one concern: the gate every batch passes
right before its push leaves, and the word it sends back when the push
returns. A shared ledger may make the batch wait, or send it back to the
queue; while it waited, callers may have given up, a recipient's quiet
hours may have begun, the project's daily cap may have filled, and a
number may have opted out. Each of those is judged here, as late as it can
be, so nothing leaves that should not.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from ._folding import Batch
from ._health import HealthWatch
from ._holding import HoldingQueue
from ._ledger import Health
from ._queue import PendingQueue
from ._screening import Screening
from ._sender import Sender

__all__ = ["Departure"]

_EPSILON = 1e-9  # backlogs are floats drained by subtraction


class Departure:
    """Lets a claimed batch leave, or sends it back; hears when its push returns.

    ``wake`` asks the scheduler for a turn for a project (or for any, with
    ``None``); ``changed`` for one whose state changed and for any project.
    """

    def __init__(
        self,
        queue: PendingQueue,
        health: HealthWatch,
        *,
        horizon: float,
        screening: Screening | None,
        wake: Callable[[Sender | None], None],
        changed: Callable[[Sender], None],
    ) -> None:
        self.queue = queue
        self.health = health
        self.horizon = horizon
        self.screening = screening
        self._wake = wake
        self._changed = changed

    async def reserved(self, sender: Sender, batch: Batch) -> bool:
        """Wait until the ledger lets the batch leave; False if it went back to the queue.

        A shared ledger may make it wait for other processes' pushes (a
        lease, a window, a high-priority claim), or find that they filled
        the phone up to the horizon, or that one of them saw it go down:
        then the batch goes back, never pushed, for the other projects or
        for later, and the push slot is free for high priority meanwhile.
        """
        ledger, loop = sender.ledger, asyncio.get_running_loop()
        sender.reserving = asyncio.current_task()
        try:
            while (retry_at := await ledger.reserve_push(batch.count, high=batch.high)) is not None:
                if ledger.health is not Health.HEALTHY or self._no_room(sender, batch):
                    sender.pushing = None
                    self.queue.requeue(batch.spans)
                    if ledger.health is not Health.HEALTHY:
                        self.health.went_down(sender)
                    self._changed(sender)
                    return False
                await asyncio.sleep(retry_at - loop.time())
        except asyncio.CancelledError:
            if sender.pushing is batch:  # else abandon() took it
                sender.pushing = None
                self.queue.requeue(batch.spans)  # never pushed: whoever closes fails them
            raise
        finally:
            sender.reserving = None
        return True

    def _no_room(self, sender: Sender, batch: Batch) -> bool:
        """Whether a low-priority batch would take a busy phone past the horizon."""
        if batch.high:
            return False
        backlog = sender.ledger.backlog(asyncio.get_running_loop().time())
        work = batch.count * sender.seconds_per_message
        return backlog > _EPSILON and backlog + work > self.horizon + _EPSILON

    def all_withdrawn(self, sender: Sender, batch: Batch) -> bool:
        """Drop the callers who gave up while the batch waited for the ledger, hold
        those whose recipient's quiet hours began, put back those past the project's
        daily cap, and fail those screening holds back (opted out meanwhile, or
        repeats); True if none is left.

        Their messages' work goes back; a batch left empty frees its slot unpushed.
        """
        reserved, now = batch.count, asyncio.get_running_loop().time()
        batch.drop_withdrawn()
        if isinstance(self.queue, HoldingQueue):  # quiet hours: a night may have begun
            self.queue.hold_back(batch)
        if sender.cap is not None and (over := sender.cap.take(batch, now)):
            self.queue.requeue(over)  # for the other projects, or tomorrow
            self._wake(None)
        if self.screening is not None:
            self.screening.hold_back(batch)
        if batch.count == reserved:
            return False
        sender.ledger.remove_work(now, reserved - batch.count, high=batch.high)
        if batch.count:
            return False
        self.landed(sender, batch, sent=False)  # its count, if the cap took one, goes back
        answered(sender, now)
        self._wake(sender)
        return True

    def landed(self, sender: Sender, batch: Batch, *, sent: bool) -> None:
        """Tell screening and the cap a push came back, and whether its messages were
        (or may be) sent."""
        if self.screening is not None:
            self.screening.landed(batch, sent=sent)
        if sender.cap is not None:
            sender.cap.landed(batch, sent=sent)


def answered(sender: Sender, now: float) -> None:
    """The project's push came back: its slot is free, and its window counts it."""
    sender.ledger.record_push(now)
    sender.pushing = None
