"""Routing in the scheduler: which projects take waiting messages, and how many.

Each healthy project is filed in two :class:`FinishIndex` es, for high and for
low priority, under when it would finish one more message of that priority;
the low one also says when its backlog falls to the refill level (pacing). A
project is re-filed whenever the scheduler touches it, which is whenever its
work or windows change, so routing a message pops the few projects that
finish earliest instead of asking every project. Sticky routing fills each
project from its own lane instead.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence

from ._deadlines import Deadlines
from ._finish_index import FinishIndex
from ._ledger import Health
from ._pacing import low_room, refill_delay
from ._queue import PendingQueue
from ._routing import EarliestFinish, Offer, rendezvous
from ._runs import Span, cut
from ._sender import Sender

__all__ = ["Router"]


class Router:
    """Moves messages from the queue to the projects' accumulators."""

    def __init__(
        self,
        senders: Sequence[Sender],
        queue: PendingQueue,
        *,
        horizon: float,
        max_batch: int,
        sticky: bool,
    ) -> None:
        self.senders = senders
        self.queue = queue
        self.horizon = horizon
        self.max_batch = max_batch
        self.sticky = sticky
        self._order = {sender: order for order, sender in enumerate(senders)}
        self._high: FinishIndex[Sender] = FinishIndex()
        self._low: FinishIndex[Sender] = FinishIndex()
        self._openings: Deadlines[Sender] = Deadlines()  # when each wants more work
        self._stale: dict[Sender, None] = dict.fromkeys(senders)  # to file before routing
        self._lane_names = [sender.name for sender in senders]

    def order(self, sender: Sender) -> int:
        """The project's place in the dispatcher's list: ties go to the earlier one."""
        return self._order[sender]

    def lane_for(self, number: str) -> str | None:
        """The lane a new message waits in: its sticky project's, or the shared one."""
        if not self.sticky:
            return None
        names = self._lane_names
        return names[rendezvous(number, names)] if names else None

    # -- a project's load ------------------------------------------------

    def load(self, sender: Sender, now: float) -> float:
        """Seconds of work on the phone and routed to it, before it is free."""
        return sender.ledger.backlog(now) + len(sender.accumulator) * sender.seconds_per_message

    def room(self, sender: Sender, now: float) -> int:
        """How many more low-priority messages the project may take now."""
        unbatched = self.max_batch - sender.accumulator.low_count
        if unbatched <= 0:
            return 0  # a full batch already waits for the push slot
        room = low_room(
            self.load(sender, now), sender.seconds_per_message, self.horizon, self.max_batch
        )
        if sender.cap is not None:
            room = min(room, _cap_left(sender, now))
        return min(room, unbatched)

    def _high_room(self, sender: Sender, now: float) -> int:
        """How many high-priority messages the project may take now: all, up to its cap."""
        waiting = self.queue.depths()[0]
        return waiting if sender.cap is None else min(waiting, _cap_left(sender, now))

    def _capped_until(self, sender: Sender, now: float) -> float:
        """When a project with no cap left today gets some (its local midnight), else -inf;
        -inf for a project without a cap, at no cost."""
        cap = sender.cap
        if cap is None:
            return -math.inf
        return cap.rolls_at if not _cap_left(sender, now) else -math.inf

    def _opens(self, sender: Sender, now: float) -> float:
        """When the project may take low-priority work, ``math.inf`` if not by itself."""
        accumulator, spm = sender.accumulator, sender.seconds_per_message
        routed = len(accumulator) * spm
        if accumulator.low_count >= self.max_batch or not low_room(
            routed, spm, self.horizon, self.max_batch
        ):
            return math.inf  # what is routed already fills it, until pushed
        load = sender.ledger.backlog(now) + routed
        opens = now + refill_delay(load, spm, self.horizon, self.max_batch)
        return opens if sender.cap is None else max(opens, self._capped_until(sender, now))

    def changed(self, sender: Sender, now: float, *, awaiting_answer: bool = False) -> None:
        """Note a project whose work, windows or health may have changed.

        It is re-filed in the indexes when routing next looks them up, once
        however often it changed meanwhile; when it will want more work is
        noted now, for the alarm, unless it is ``awaiting_answer``: its push
        in flight had nothing left to join it when the turn came, and its
        answer brings a turn that tops it up at once.
        """
        self._stale[sender] = None
        healthy = sender.ledger.health is Health.HEALTHY
        opens = self._opens(sender, now) if healthy and not awaiting_answer else math.inf
        self._openings.set(sender, opens)

    def opening_due(self, now: float) -> bool:
        """Whether a project with no room before has some by ``now``."""
        return self._openings.earliest() <= now

    def next_opening(self, now: float) -> float:
        """When a project with no room now gets some, ``math.inf`` if none will by itself."""
        self._openings.pop_due(now)  # open already: the index routes to them
        return self._openings.earliest()

    def file_changed(self, now: float) -> None:
        """File every project noted as changed in the indexes now."""
        for sender in self._stale:
            self._file(sender, now)
        self._stale.clear()

    def _file(self, sender: Sender, now: float) -> None:
        ledger, accumulator = sender.ledger, sender.accumulator
        if ledger.health is not Health.HEALTHY:
            self._high.remove(sender)
            self._low.remove(sender)
            return
        spm, order = sender.seconds_per_message, self._order[sender]
        ready = ledger.push_ready_at(now)
        routed = accumulator.high_count * spm  # high priority waits only for high
        self._high.file(
            sender,
            order=order,
            opens=self._capped_until(sender, now),
            idle_from=max(now + ledger.high_backlog(now), ready - routed),
            lead=routed + spm,
        )
        routed = len(accumulator) * spm
        self._low.file(
            sender,
            order=order,
            opens=self._opens(sender, now),
            idle_from=max(now + ledger.backlog(now), ready - routed),
            lead=routed + spm,
        )

    # -- routing ---------------------------------------------------------

    def route(self, now: float, among: Sequence[Sender] | None) -> list[Sender]:
        """Hand waiting messages to projects with room: any (``None``) or only ``among``.

        Returns the projects it took out of its indexes (they must be filed
        again), which include every one that got messages.
        """
        if not len(self.queue) or among == []:
            return []
        if self.sticky:
            return self._route_sticky(now, self.senders if among is None else among)
        touched: list[Sender] = []
        if among is None:
            self.file_changed(now)
        high, low = self.queue.depths()
        if high:
            self._share(self._offers(now, among, touched, high=True), high=True, now=now)
        if low:
            self._share(self._offers(now, among, touched, high=False), high=False, now=now)
        return touched

    def _offers(
        self, now: float, among: Sequence[Sender] | None, touched: list[Sender], *, high: bool
    ) -> Iterator[Offer[Sender]]:
        """The projects' offers in order of finish: popped from an index, or ``among``'s."""
        if among is not None:
            offers = (self._offer(sender, now, high=high) for sender in among)
            yield from sorted(offer for offer in offers if offer is not None)
            return
        index = self._high if high else self._low
        while (found := index.pop(now)) is not None:
            finish, order, sender = found
            touched.append(sender)
            room = self._high_room(sender, now) if high else self.room(sender, now)
            if room:
                yield finish, order, sender.seconds_per_message, room, sender

    def _offer(self, sender: Sender, now: float, *, high: bool) -> Offer[Sender] | None:
        """The project's offer computed afresh, ``None`` if it has no room."""
        if sender.ledger.health is not Health.HEALTHY:
            return None
        ledger, spm = sender.ledger, sender.seconds_per_message
        if high:
            room = self._high_room(sender, now)
            busy = ledger.high_backlog(now) + sender.accumulator.high_count * spm
        else:
            room = self.room(sender, now)
            busy = self.load(sender, now)
        if not room:
            return None
        finish = max(now + busy, ledger.push_ready_at(now)) + spm
        return finish, self._order[sender], spm, room, sender

    def _share(self, offers: Iterator[Offer[Sender]], *, high: bool, now: float) -> None:
        waiting = self.queue.depths()[0 if high else 1]
        router: EarliestFinish[Sender] = EarliestFinish()
        for sender, count in router.share(waiting, offers):
            if self._fill(sender, None, high=high, room=count, now=now) < count:
                return  # the queue ran dry

    def _route_sticky(self, now: float, senders: Sequence[Sender]) -> list[Sender]:
        touched = []
        for sender in senders:
            if sender.ledger.health is Health.HEALTHY:
                room = self._high_room(sender, now)
                moved = self._fill(sender, sender.name, high=True, room=room, now=now)
                room = self.room(sender, now)
                if self._fill(sender, sender.name, high=False, room=room, now=now) or moved:
                    touched.append(sender)
        return touched

    def _fill(self, sender: Sender, lane: str | None, *, high: bool, room: int, now: float) -> int:
        """Move up to ``room`` messages of ``lane`` to the sender; return how many moved."""
        pop, add = self.queue.pop, sender.accumulator.add
        moved = 0
        while moved < room:
            span = pop(lane, high=high, limit=room - moved)
            if span is None:
                break
            moved += span.stop - span.start  # before add(), which may split it
            add(span, now)
        return moved

    def relane(self) -> None:
        """Sticky routing: move the waiting recipients of projects that are down or
        spent their daily cap."""
        healthy = [s.name for s in self.senders if _can_send(s)]
        usable = [s.name for s in self.senders if s.ledger.health is not Health.DISABLED]
        self._lane_names = healthy or usable
        if not self.sticky or not healthy:
            return
        moved: list[Span] = []
        for sender in self.senders:
            if not _can_send(sender):
                moved += self.queue.lane_spans(sender.name)
        lane_for = self.lane_for  # the healthy projects' lanes now
        self.queue.requeue(
            [piece for span in moved for piece in cut(span.run, span.start, span.stop, lane_for)]
        )


def _can_send(sender: Sender) -> bool:
    """Whether the project is healthy and has cap left today (as last counted)."""
    cap = sender.cap
    return sender.ledger.health is Health.HEALTHY and (cap is None or not cap.spent)


def _cap_left(sender: Sender, now: float) -> int:
    """How many more messages a capped project may be handed today."""
    assert sender.cap is not None
    return sender.cap.room(now, sender.accumulator, sender.pushing)
