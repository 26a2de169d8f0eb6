"""The scheduler: one task that routes, folds, paces and pushes.

Each turn it looks at every project once: probes or polls its phone when due,
routes waiting messages to projects with room, seals batches that can leave,
and starts a push on each project that has none in flight and whose request
window allows one. Then it sleeps on one event until something changes (a new
message, an answer) or until the one alarm it keeps for the earliest deadline
(a linger, a window opening, a backoff ending): one timer, not one per waiter.
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Coroutine, Sequence
from typing import Any

from ..core import DeliveryUncertain, PickyError
from ._errors import DispatcherClosed, own_copy
from ._folding import Batch
from ._ledger import Health
from ._pacing import low_room, poll_interval, refill_delay
from ._queue import PendingQueue
from ._routing import EarliestFinish, rendezvous
from ._runs import Span, by_run, cut
from ._sender import Sender, Verdict, verdict_for

__all__ = ["Scheduler"]

_log = logging.getLogger(__name__)

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
    ) -> None:
        self.senders = senders
        self.queue = queue
        self.horizon = horizon
        self.max_batch = max_batch
        self.sticky = sticky
        self.aging = aging
        self.resend_uncertain = resend_uncertain
        self.closing = False
        self.failed = 0  # failures no project is to blame for
        self.last_error: PickyError | None = None
        self._lane_names = [sender.name for sender in senders]
        self._wake = asyncio.Event()
        self._everyone = True  # the next turn looks at every project...
        self._changed: set[Sender] = set()  # ...or only at these
        self._due = dict.fromkeys(senders, _NEVER)  # each project's next deadline
        self._alarm: asyncio.TimerHandle | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    # -- the loop --------------------------------------------------------

    def wake(self, sender: Sender | None = None) -> None:
        """Ask for a turn soon, for every project or only for ``sender``.

        Only a project's own push starting or coming back wakes a turn for it
        alone: nothing else changed for the others, whose room, deadlines and
        health the last full turn left in order. Anything else (new messages,
        an alarm, a failure, a status answer) wakes a turn for every project.
        """
        if sender is None:
            self._everyone = True
        else:
            self._changed.add(sender)
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
                if self._everyone:
                    senders = self.senders
                else:
                    senders = [s for s in self.senders if s in self._changed]
                self._everyone = False
                self._changed.clear()
                deadline = self._turn(loop.time() + _SLACK, senders)
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

    def _turn(self, now: float, senders: Sequence[Sender]) -> float:
        """Tend, route to and release ``senders``; return the earliest deadline of all."""
        due = self._due
        for sender in senders:
            due[sender] = self._tend(sender, now)
        everyone = senders is self.senders
        if everyone and all(sender.ledger.health is Health.DISABLED for sender in senders):
            error = self.last_error or PickyError("every project is disabled")
            self._fail(self._take_everything(), error)
            return min(due.values())
        self._route(now, senders)
        for sender in senders:
            due[sender] = min(due[sender], self._release(sender, now))
        return min(due.values())

    # -- routing ---------------------------------------------------------

    def lane_for(self, number: str) -> str | None:
        """The lane a new message waits in: its sticky project's, or the shared one."""
        if not self.sticky:
            return None
        names = self._lane_names
        return names[rendezvous(number, names)] if names else None

    def _load(self, sender: Sender, now: float) -> float:
        """Seconds of work on the phone and routed to it, before it is free."""
        return sender.ledger.backlog(now) + len(sender.accumulator) * sender.seconds_per_message

    def _room(self, sender: Sender, now: float) -> int:
        unbatched = self.max_batch - sender.accumulator.low_count
        if unbatched <= 0:
            return 0  # a full batch already waits for the push slot
        room = low_room(
            self._load(sender, now), sender.seconds_per_message, self.horizon, self.max_batch
        )
        return min(room, unbatched)

    def _refill_delay(self, sender: Sender, now: float) -> float:
        spm = sender.seconds_per_message
        return refill_delay(self._load(sender, now), spm, self.horizon, self.max_batch)

    def _route(self, now: float, senders: Sequence[Sender]) -> None:
        healthy = [s for s in senders if s.ledger.health is Health.HEALTHY]
        if not healthy or not len(self.queue):
            return
        if self.sticky:
            for sender in healthy:
                self._fill(sender, sender.name, high=True, room=len(self.queue), now=now)
                self._fill(sender, sender.name, high=False, room=self._room(sender, now), now=now)
            return
        high, low = self.queue.depths()
        if high:
            router: EarliestFinish[Sender] = EarliestFinish()
            for sender in healthy:
                spm = sender.seconds_per_message
                busy = sender.ledger.high_backlog(now) + sender.accumulator.high_count * spm
                router.offer(
                    sender, finish=self._wait(sender, now, busy) + spm, step=spm, room=high
                )
            self._share(router, high=True, now=now)
        if low:
            router = EarliestFinish()
            for sender in healthy:
                room = self._room(sender, now)
                if room:
                    spm = sender.seconds_per_message
                    finish = self._wait(sender, now, self._load(sender, now)) + spm
                    router.offer(sender, finish=finish, step=spm, room=room)
            self._share(router, high=False, now=now)

    @staticmethod
    def _wait(sender: Sender, now: float, busy: float) -> float:
        """When the phone could start on one more message: after its work, and after
        the next push the project's request window allows."""
        return max(busy, sender.ledger.push_ready_at(now) - now)

    def _share(self, router: EarliestFinish[Sender], *, high: bool, now: float) -> None:
        waiting = self.queue.depths()[0 if high else 1]
        for sender, count in router.share(waiting):
            if self._fill(sender, None, high=high, room=count, now=now) < count:
                return  # the queue ran dry

    def _fill(self, sender: Sender, lane: str | None, *, high: bool, room: int, now: float) -> int:
        """Move up to ``room`` messages of ``lane`` to the sender; return how many moved."""
        pop, add = self.queue.pop, sender.accumulator.add
        moved = 0
        while moved < room:
            span = pop(lane, high=high, limit=room - moved)
            if span is None:
                break
            add(span, now)
            moved += len(span)
        return moved

    def _relane(self) -> None:
        """Sticky routing: move the waiting recipients of projects that are down."""
        healthy = [s.name for s in self.senders if s.ledger.health is Health.HEALTHY]
        usable = [s.name for s in self.senders if s.ledger.health is not Health.DISABLED]
        self._lane_names = healthy or usable
        if not self.sticky or not healthy:
            return
        moved: list[Span] = []
        for sender in self.senders:
            if sender.ledger.health is not Health.HEALTHY:
                moved += self.queue.lane_spans(sender.name)
        lane_for = self.lane_for  # the healthy projects' lanes now
        self.queue.requeue(
            [piece for span in moved for piece in cut(span.run, span.start, span.stop, lane_for)]
        )

    # -- pushing ---------------------------------------------------------

    def _release(self, sender: Sender, now: float) -> float:
        """Seal what can leave, push if allowed; return this project's next deadline."""
        deadline, batch = self._ready_push(sender, now)
        if batch is not None:
            self._spawn(self._push(sender, batch))
            self.wake(sender)  # route the next batch while this one is in flight
        return deadline

    def _ready_push(self, sender: Sender, now: float) -> tuple[float, Batch | None]:
        """Seal what can leave; return the project's next deadline, and the batch
        to push now if its slot and request window allow one (claimed for it)."""
        if sender.ledger.health is not Health.HEALTHY:
            return _NEVER, None
        accumulator = sender.accumulator
        if sender.pushing is not None and not accumulator.has_open():
            return _NEVER, None  # nothing to seal or time; its answer brings the next turn
        deadline = _NEVER
        if accumulator.low_count >= self.max_batch:
            accumulator.seal(now, everything=True)  # a full batch waits for the push slot
        elif self._room(sender, now) == 0:
            accumulator.seal(now, everything=True)  # nothing more can join for now
            delay = self._refill_delay(sender, now)
            if delay > 0 and len(self.queue):  # the phone will want more by then
                deadline = now + delay
        else:
            accumulator.seal(now, everything=self.closing)
        deadline = min(deadline, accumulator.next_deadline() or _NEVER)
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
        loop = asyncio.get_running_loop()
        while True:
            try:
                push_id, msg_ids = await sender.push(batch)
            except asyncio.CancelledError:
                self._answered(sender, loop.time())
                self._fail(batch.spans, DeliveryUncertain("the push was cancelled"), sender)
                self.wake()
                raise
            except Exception as error:  # a custom pusher may raise anything
                self._answered(sender, loop.time())
                self._push_failed(sender, batch, error)
                self.wake()
                return
            now = loop.time()
            self._answered(sender, now)
            _, upcoming = self._ready_push(sender, now)
            self.wake(sender)
            if upcoming is None:
                self._deliver(sender, batch, push_id, msg_ids)
                return
            # The next batch leaves first: this one's receipts are handed out
            # once its request is on the wire, overlapping the round trip.
            loop.call_soon(self._deliver, sender, batch, push_id, msg_ids)
            batch = upcoming

    def _answered(self, sender: Sender, now: float) -> None:
        """The project's push came back: its slot is free, and its window counts it."""
        sender.ledger.record_push(now)
        sender.pushing = None

    def _deliver(
        self, sender: Sender, batch: Batch, push_id: str, msg_ids: list[str | None]
    ) -> None:
        done, name = 0, sender.name
        for span in batch.spans:
            if span.live:
                span.deliver(push_id, msg_ids[done : done + len(span)], name)
            else:  # cancelled too late to withdraw: no one takes its receipts
                sender.sent_after_cancel += len(span)
            done += len(span)
        sender.pushes += 1
        sender.sent += batch.count

    def _push_failed(self, sender: Sender, batch: Batch, error: Exception) -> None:
        now = asyncio.get_running_loop().time()
        ledger, spans = sender.ledger, batch.spans
        verdict = verdict_for(error)
        if verdict is Verdict.REJECT or not isinstance(error, PickyError):
            ledger.remove_work(now, batch.count, high=batch.high)
            self._fail(spans, error, sender)
        elif verdict is Verdict.UNCERTAIN:
            ledger.suspend(now, error)  # it may have been accepted: keep its work
            if self.resend_uncertain:
                self.queue.requeue(spans)
            else:
                self._fail(spans, error, sender)
        else:
            ledger.remove_work(now, batch.count, high=batch.high)
            sender.fault(verdict, error, now)
            self.queue.requeue(spans)
        if ledger.health is not Health.HEALTHY:
            self._went_down(sender)

    # -- health ----------------------------------------------------------

    def _went_down(self, sender: Sender) -> None:
        """A project went down: its routed messages go back for the others."""
        ledger = sender.ledger
        if ledger.health is Health.DISABLED:
            self.last_error = ledger.last_error
        _log.warning("project %s %s: %s", sender.name, ledger.health.value, ledger.last_error)
        self.queue.requeue(sender.accumulator.take_all())
        self._relane()

    def _tend(self, sender: Sender, now: float) -> float:
        """Probe a suspended phone, or poll a busy one; return when that is next due."""
        ledger = sender.ledger
        if sender.asking or ledger.health is Health.DISABLED:
            return _NEVER
        if ledger.health is Health.SUSPENDED:
            due = ledger.resume_at
        elif sender.pushing is None and ledger.backlog(now) > 0:
            limit = sender.project.status_limit
            due = sender.polled_at + poll_interval(limit.count, limit.period)
        else:
            return _NEVER
        due = max(due, ledger.status_ready_at(now))
        if due > now:
            return due
        sender.asking = True
        self._spawn(self._ask_status(sender))
        return _NEVER

    async def _ask_status(self, sender: Sender) -> None:
        assert sender.pusher is not None
        seq = sender.push_seq
        loop = asyncio.get_running_loop()
        try:
            status = await sender.pusher.device_status()
        except Exception as error:  # a custom pusher may raise anything
            if sender.status_failed(error, loop.time()):
                self._went_down(sender)
        else:
            if sender.status_answered(status, seq, loop.time()):
                _log.warning("project %s is back", sender.name)
                self._relane()
        finally:
            sender.polled_at = loop.time()
            sender.ledger.record_status(sender.polled_at)
            sender.asking = False
            self.wake()

    # -- endings ---------------------------------------------------------

    def _take_everything(self) -> list[Span]:
        spans = self.queue.take_all()
        for sender in self.senders:
            spans += sender.accumulator.take_all()
        return spans

    def abandon(self, *, cause: BaseException | None = None) -> None:
        """Fail every message not yet pushed with a :class:`DispatcherClosed` per run.

        Each caller's error lists only that caller's unsent messages, so
        resending ``error.messages`` never resends someone else's.
        """
        for spans in by_run(self._take_everything()):
            messages = [message for span in spans for message in span.messages()]
            unsent = f"{len(messages)} message{'' if len(messages) == 1 else 's'} unsent"
            error = DispatcherClosed(f"closed with {unsent}", messages=messages)
            error.__cause__ = cause
            self._fail(spans, error)
        self.wake()

    def _fail(self, spans: list[Span], error: BaseException, sender: Sender | None = None) -> None:
        """Fail the live ``spans`` with ``error``, each caller with an error object of its own."""
        failed = 0
        for run_spans in by_run(spans):
            own = own_copy(error) if failed else error
            for span in run_spans:
                span.fail(own)
                failed += len(span)
        if sender is None:
            self.failed += failed
        else:
            sender.failed += failed
