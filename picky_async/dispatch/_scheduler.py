"""The scheduler: one task that routes, folds, paces and pushes.

Each turn it looks only at the projects something happened to: its push
came back, a status answer arrived, or one of its deadlines came
(a linger, a window opening, a poll or probe falling due). For each it probes
or polls the phone when due, seals batches that can leave, and starts a push
when the slot and the request window allow one, topping up in the same turn
the projects whose push just left. Waiting messages go to the
projects that would finish them earliest, found in the router's index rather
than by asking every project. Then it sleeps on one event until something
changes or until the one alarm it keeps for the earliest deadline of all, kept
in a heap: one timer, not one per waiter, and work per turn in proportion to
what changed rather than to the number of projects.

Its parts of one concern each live apart: the health of the phones
(``_health``), the gate a batch passes right before its push leaves
(``_departure``), and the ways messages fail (``_endings``).
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable, Coroutine, Sequence
from typing import Any

from ..core import DeliveryUncertain, PickyError
from ._deadlines import Deadlines
from ._departure import Departure, answered
from ._endings import Endings
from ._folding import Batch
from ._health import HealthWatch
from ._journaling import journaled
from ._ledger import Health
from ._queue import PendingQueue
from ._router import Router
from ._screening import Screening, Spawn
from ._sender import Sender
from ._when_capped import Caps

__all__ = ["Scheduler"]

_NEVER = math.inf
# Timers fire up to the loop's clock resolution early (looptime rounds its
# clock), and a turn that finds its deadline not quite reached would set the
# same alarm again and spin. Each turn therefore acts on what is due within
# this slack; the request windows' margin is far larger.
_SLACK = 0.001


class Scheduler:
    """Moves messages from the queue to the service through the projects' senders."""

    def __init__(
        self,
        senders: Sequence[Sender],
        queue: PendingQueue,
        *,
        horizon: float,
        max_batch: int,
        sticky: bool,
        aging: float,
        resend_uncertain: bool,
        screening: Callable[[Spawn], Screening] | None = None,
        caps: Caps | None = None,
    ) -> None:
        self.senders = senders
        self.queue = queue
        self.router = Router(senders, queue, horizon=horizon, max_batch=max_batch, sticky=sticky)
        self.aging = aging
        self.closing = False
        self._wake = asyncio.Event()
        self._everyone = True  # the next turn looks at every project...
        self._changed: dict[Sender, None] = {}  # ...or at these and those due,
        self._route_all = True  # ...routing to any project, or only to those
        self._sealed_for_closing = False
        self._deadlines: Deadlines[Sender] = Deadlines()
        self._disabled: set[Sender] = set()
        self._alarm: asyncio.TimerHandle | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self.screening = None if screening is None else screening(self._spawn)
        self.caps = caps  # None when no project has a daily cap
        self.health = HealthWatch(
            queue, self.router, spawn=self._spawn, changed=self._changed_everywhere
        )
        self.departure = Departure(
            queue,
            self.health,
            horizon=horizon,
            screening=self.screening,
            wake=self.wake,
            changed=self._changed_everywhere,
        )
        self.endings = Endings(senders, queue, self.health, resend_uncertain=resend_uncertain)

    # -- the loop --------------------------------------------------------

    def wake(self, sender: Sender | None = None) -> None:
        """Ask for a turn soon: to route waiting messages to any project, or for ``sender``.

        A project's own push coming back wakes a turn for it alone, which
        routes only to it. Without a project (new messages, an
        alarm, a failure) the turn routes to whichever projects finish
        earliest; either way it visits only the projects that changed or are
        due, since nothing changed for the others.
        """
        if sender is None:
            self._route_all = True
        else:
            self._changed[sender] = None
        self._wake.set()

    def pending(self) -> int:
        """Messages whose callers still wait: queued, assigned or being pushed."""
        count = len(self.queue)
        for sender in self.senders:
            count += len(sender.accumulator)
            if sender.pushing is not None:
                count += sender.pushing.count
        return count

    async def run(self) -> None:
        """Take turns until closing and nothing is left to do."""
        loop = asyncio.get_running_loop()
        try:
            while True:
                self._wake.clear()
                deadline = self._turn(loop.time() + _SLACK)
                if self.closing and not self._tasks and not self.pending():
                    return
                self._set_alarm(loop, deadline)
                await self._wake.wait()
        finally:
            self._set_alarm(loop, _NEVER)

    def _set_alarm(self, loop: asyncio.AbstractEventLoop, at: float) -> None:
        alarm = self._alarm
        if alarm is not None:
            if alarm.when() == at:
                return
            alarm.cancel()
            self._alarm = None
        if at != _NEVER:
            self._alarm = loop.call_at(at, self._ring)

    def _ring(self) -> None:
        self._alarm = None
        self.wake()

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._forget)

    def _forget(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        self._wake.set()  # a turn for no project: closing waits for the last task

    def _turn(self, now: float) -> float:
        """Route, tend and release what changed or is due; return the next deadline."""
        visiting = self._visiting(now)
        senders = sorted(visiting, key=self.router.order)
        if self.caps is not None and self.caps.tend(
            self.queue, now, self.endings.fail, self.router.relane
        ):
            self._route_all = True  # a cap filled or reset: sticky recipients moved
        # A project's room opening counts as a change for every waiting message,
        # even when what woke this turn was something else (a task ending).
        route_all = self._route_all or (len(self.queue) > 0 and self.router.opening_due(now))
        self._route_all = False
        if not route_all:
            self.router.route(now, senders)  # to these only: nothing changed for others
        elif len(self._disabled) == len(self.senders):
            error = self.health.last_error or PickyError("every project is disabled")
            self.endings.fail(self.endings.take_everything(), error)
        else:
            for sender in senders:  # as they are now, before routing looks them up
                self.router.changed(sender, now)
            touched = [s for s in self.router.route(now, None) if s not in visiting]
            senders = sorted([*senders, *touched], key=self.router.order)
        started = self._settle(senders, now)
        if started and len(self.queue):  # their batches left: room for the next ones
            self._settle(self._topped_up(started, now), now)
        if len(senders) == len(self.senders):  # file them all now, not on the next send
            self.router.file_changed(now)
        deadline = self._deadlines.earliest()
        if len(self.queue):  # and when a project gets room for more
            deadline = min(deadline, self.router.next_opening(now))
        return deadline

    def _settle(self, senders: list[Sender], now: float) -> list[Sender]:
        """Tend and release ``senders``, note their deadlines; return those whose push started."""
        tended = [self.health.tend(sender, now) for sender in senders]
        started = []
        for sender, due in zip(senders, tended, strict=True):
            pushing = sender.pushing
            deadline = self._release(sender, now)
            if sender.pushing is pushing:
                deadline = min(deadline, due)
            else:  # no poll while its push is in flight: the answer brings a turn
                started.append(sender)
            self._deadlines.set(sender, deadline)
            awaiting = sender.pushing is not None and not sender.accumulator.has_open()
            self.router.changed(sender, now, awaiting_answer=awaiting)
        return started

    def _topped_up(self, started: list[Sender], now: float) -> list[Sender]:
        """Route to projects whose push just started; return those that got messages.

        The batch that left made room in the project's accumulator where a
        full batch waiting for the push slot was what limited it, so the
        next batch can build up while this one is in flight, in this turn
        rather than in one of its own.
        """
        held = [len(sender.accumulator) for sender in started]
        self.router.route(now, started)
        return [s for s, count in zip(started, held, strict=True) if len(s.accumulator) != count]

    def _visiting(self, now: float) -> dict[Sender, None]:
        """The projects this turn looks at: changed or due, or all of them."""
        if self.closing and not self._sealed_for_closing:
            self._sealed_for_closing = self._everyone = True  # seal every open batch
        if self._everyone:
            self._everyone = False
            self._changed.clear()
            visiting = dict.fromkeys(self.senders)
        else:
            visiting, self._changed = self._changed, {}
            visiting.update(dict.fromkeys(self._deadlines.pop_due(now)))
        self._disabled.update(s for s in visiting if s.ledger.health is Health.DISABLED)
        return visiting

    @property
    def sticky(self) -> bool:
        """Whether each recipient sticks to one project (its lane)."""
        return self.router.sticky

    def lane_for(self, number: str) -> str | None:
        """The lane a new message waits in: its sticky project's, or the shared one."""
        return self.router.lane_for(number)

    # -- pushing ---------------------------------------------------------

    def _release(self, sender: Sender, now: float) -> float:
        """Seal what can leave, push if allowed; return this project's next deadline."""
        deadline, batch = self._ready_push(sender, now)
        if batch is not None:
            self._spawn(self._push(sender, batch))
        return deadline

    def _ready_push(self, sender: Sender, now: float) -> tuple[float, Batch | None]:
        """Seal what can leave; return the project's next deadline, and the batch
        to push now if its slot and request window allow one (claimed for it)."""
        if sender.ledger.health is not Health.HEALTHY:
            return _NEVER, None
        accumulator = sender.accumulator
        if sender.pushing is not None and not accumulator.has_open():
            return _NEVER, None  # nothing to seal or time; its answer brings the next turn
        if accumulator.low_count >= self.router.max_batch or self.router.room(sender, now) == 0:
            # A full batch waits for the push slot, or nothing more can join for
            # now (the router's index knows when the phone will want more).
            accumulator.seal(now, everything=True)
        else:
            accumulator.seal(now, everything=self.closing)
        deadline = accumulator.next_deadline() or _NEVER
        if sender.pushing is not None or not accumulator.has_ready():
            return deadline, None
        ready_at = sender.ledger.push_ready_at(now)
        if ready_at > now:
            return min(deadline, ready_at), None
        while (batch := accumulator.pop_ready(now, self.aging)) is not None:
            batch.drop_withdrawn()
            if batch.count:  # else every caller cancelled
                sender.pushing = batch
                sender.push_seq += 1
                sender.ledger.add_work(now, batch.count, high=batch.high)
                return deadline, batch
        return deadline, None

    async def _push(self, sender: Sender, batch: Batch) -> None:
        """Push the project's batches back to back, while it has one ready."""
        loop, departure = asyncio.get_running_loop(), self.departure
        while True:
            reserved = await departure.reserved(sender, batch)
            if not reserved or departure.all_withdrawn(sender, batch):
                return
            journal = journaled(sender, batch)  # None unless a run of it has a journal
            try:
                if journal is not None:
                    await journal.pending()  # committed before the push leaves
                push_id, msg_ids = await sender.push(batch)
            except asyncio.CancelledError:
                departure.landed(sender, batch, sent=True)  # it may have been
                answered(sender, loop.time())
                self.endings.fail(batch.spans, DeliveryUncertain("the push was cancelled"), sender)
                self._changed_everywhere(sender)
                raise
            except Exception as error:  # a custom pusher may raise anything
                if journal is not None:
                    journal.failed(error)  # written before its messages can leave again
                departure.landed(
                    sender, batch, sent=not isinstance(error, PickyError) or error.uncertain
                )
                # What it means for the project is recorded before its slot is
                # freed, so no other process sharing it pushes in between.
                self.endings.push_failed(sender, batch, error)
                answered(sender, loop.time())
                self._changed_everywhere(sender)
                return
            now = loop.time()
            departure.landed(sender, batch, sent=True)
            answered(sender, now)
            _, upcoming = self._ready_push(sender, now)
            self.wake(sender)
            if journal is not None:  # the receipts once the journal holds them
                self._spawn(journal.accepted(push_id, msg_ids))
            elif upcoming is None:
                sender.deliver(batch, push_id, msg_ids)
            else:  # the next batch leaves first, overlapping this one's receipts
                loop.call_soon(sender.deliver, batch, push_id, msg_ids)
            if upcoming is None:
                return
            batch = upcoming

    def _changed_everywhere(self, sender: Sender) -> None:
        """The project changed, and what it held or may now take goes to any project."""
        self.wake(sender)
        self.wake()

    # -- endings ---------------------------------------------------------

    @property
    def failed(self) -> int:
        """Failures no project is to blame for."""
        return self.endings.failed

    def abandon(self, *, cause: BaseException | None = None) -> None:
        """Fail every message not yet pushed (see :meth:`Endings.abandon`), and stop waiting."""
        self.endings.abandon(cause=cause)
        self.health.give_up_waiting()
        self._everyone = True  # every project's accumulator is empty now
        self.wake()
