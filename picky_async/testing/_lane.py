"""One serial worker of the phone: a two-level FIFO queue driven by one timer.

The phone works through its queue one job at a time, high priority first and
first-in first-out within a priority. A job is a few timed steps (a message: the
time to send it; a call: dialling, then talking). One ``loop.call_at`` timer per
lane drives everything, so an idle lane costs nothing, a queue of 100,000 jobs
costs no tasks, and ``looptime`` can fast-forward it.
"""

from __future__ import annotations

import asyncio
import collections
import time
from collections.abc import Callable, Iterable
from typing import Generic, TypeVar

__all__ = ["Lane"]

J = TypeVar("J")

# Called when a job starts (step 0) and when each step ends (step 1, 2, ...),
# with the job, the step and the simulated time; returns the next step's
# length in seconds, or None when the job is done.
Advance = Callable[[J, int, float], "float | None"]

# Steps already due that one timer callback runs before yielding to the loop:
# a 0 s phone with 100,000 messages queued must not hold it for long.
_STEPS_PER_TURN = 1000

# asyncio runs a timer up to its clock's resolution before the timer's time; a
# step found "not yet due" then would re-arm the same timer and spin (for ever
# under a fake clock that does not move, such as looptime before 0.8).
_EARLY = time.get_clock_info("monotonic").resolution


class Lane(Generic[J]):
    """A serial worker: takes jobs by priority, runs their steps on one timer.

    It runs while it is neither ``stopped`` (a device command), ``blocked``
    (the phone is offline) nor asleep (restarting). Halting never cuts the
    current job short; only :meth:`interrupt` and :meth:`abort` do.
    """

    __slots__ = (
        "_advance",
        "_current",
        "_due",
        "_high",
        "_low",
        "_step",
        "_timer",
        "asleep",
        "blocked",
        "stopped",
    )

    def __init__(self, advance: Advance[J]) -> None:
        self._advance = advance
        self._high: collections.deque[J] = collections.deque()
        self._low: collections.deque[J] = collections.deque()
        self._current: J | None = None
        self._step = 0
        self._due = 0.0
        self._timer: asyncio.TimerHandle | None = None
        self.stopped = False
        self.blocked = False
        self.asleep = False

    def __len__(self) -> int:
        """Jobs waiting plus the one in progress."""
        return len(self._high) + len(self._low) + (self._current is not None)

    def add(self, jobs: Iterable[J], *, high: bool) -> None:
        """Queue ``jobs`` behind the others of their priority and start if idle."""
        (self._high if high else self._low).extend(jobs)
        self.kick()

    def set_stopped(self, stopped: bool) -> None:
        """Stop taking new jobs (the current one finishes), or resume."""
        self.stopped = stopped
        self.kick()

    def set_blocked(self, blocked: bool) -> None:
        """Block or unblock the lane (the phone went offline or came back)."""
        self.blocked = blocked
        self.kick()

    def clear(self) -> list[J]:
        """Remove and return every waiting job; the current one finishes."""
        removed = [*self._high, *self._low]
        self._high.clear()
        self._low.clear()
        return removed

    def abort(self) -> list[J]:
        """Remove and return every job, the current one (first) included."""
        current = self._drop_current()
        return ([] if current is None else [current]) + self.clear()

    def interrupt(self, seconds: float) -> J | None:
        """Put the current job back at the front and sleep ``seconds``; return that job."""
        current = self._drop_current()
        if current is not None:
            self._high.appendleft(current)  # restarted work goes out first
        if self._timer is not None:
            self._timer.cancel()  # the wake-up of an earlier restart
        self.asleep = True
        loop = asyncio.get_running_loop()
        self._timer = loop.call_at(loop.time() + seconds, self._wake)
        return current

    def close(self) -> None:
        """Stop for good: cancel the timer and forget every job."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self._current = None
        self.clear()
        self.blocked = True

    def _drop_current(self) -> J | None:
        current, self._current = self._current, None
        if current is not None and self._timer is not None:
            self._timer.cancel()  # its step timer; a restart's wake-up stays
            self._timer = None
        return current

    def _wake(self) -> None:
        self._timer = None
        self.asleep = False
        self.kick()

    def kick(self) -> None:
        """Start the next job if the lane is idle and allowed to run."""
        if self._timer is not None or self.stopped or self.blocked or self.asleep:
            return
        loop = asyncio.get_running_loop()
        self._arm(loop, self._take_next(loop.time()))

    def _take_next(self, now: float) -> float | None:
        """Start the next job at ``now``, if the lane may; return when its first
        step ends, or ``None`` when it has nothing it may start."""
        while (self._high or self._low) and not (self.stopped or self.blocked):
            job = self._current = self._high.popleft() if self._high else self._low.popleft()
            self._step = 0
            seconds = self._advance(job, 0, now)
            if seconds is not None:
                return now + seconds
            self._current = None
        return None

    def _arm(self, loop: asyncio.AbstractEventLoop, due: float | None) -> None:
        if due is not None:
            self._due = due
            self._timer = loop.call_at(due, self._on_timer)

    def _on_timer(self) -> None:
        self._timer = None
        loop = asyncio.get_running_loop()
        now = loop.time()
        due: float | None = self._due
        steps = 0
        # Steps follow each other from their scheduled times, not from when the
        # loop got round to the callback, so makespans do not drift. Steps due
        # by now (a phone at 0 s a message, or one the loop kept waiting) run
        # here, a bounded number, instead of taking a loop turn each.
        while due is not None and due <= now + _EARLY and steps < _STEPS_PER_TURN:
            job = self._current
            assert job is not None  # the timer runs only for a current job
            self._step += 1
            seconds = self._advance(job, self._step, due)
            if seconds is None:
                self._current = None
                due = self._take_next(due)  # back to back, from the exact finish time
            else:
                due += seconds
            steps += 1
        self._arm(loop, due)
