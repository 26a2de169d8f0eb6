"""Daily caps: how many more messages each project may push today, in its own time zone.

A project with a ``daily_cap`` (or a ``warm_up`` ramp) has a :class:`DailyCap`.
Its count lives in a tally of the safety store, so it survives restarts and
is shared by every process on the store; without a store, in memory. The
count is taken right before each push leaves, in one store call that no
other process can split: what it does not grant goes back to the queue, for
the other projects or for tomorrow. A push that certainly sent nothing gives
its count back; one that may have sent keeps it, so a resend never passes
the cap. Routing asks :meth:`DailyCap.room`, which subtracts what is routed
here but not yet counted, so a project is never handed more than it may
send today, and learns of other processes' counts from what the store grants.
"""

from __future__ import annotations

import hashlib
import logging
import math
import sys
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from typing import Protocol

from ..core import time_zone
from ._errors import own_copy
from ._folding import Accumulator, Batch
from ._quiet import Clock, aware_now
from ._runs import Span

__all__ = ["DailyCap", "MemoryTallies", "Tallies", "tally_for"]

_PERSON = b"picky_async.cap"  # BLAKE2b personalization: these digests are for nothing else
_UNCAPPED = sys.maxsize  # counted after a ramp without a daily cap, never refused
_RETRY = 60.0  # seconds before a store that could not be read is asked again

_log = logging.getLogger("picky_async.dispatch")


def tally_for(token: str) -> str:
    """The store's tally name for a project's cap: a digest of its token, never the token."""
    digest = hashlib.blake2b(token.encode(), digest_size=16, person=_PERSON).hexdigest()
    return f"cap:{digest}"


class Tallies(Protocol):
    """The daily tallies of a :class:`~picky_async.safety.SafetyStore`, all a cap needs."""

    def take_daily(self, tally: str, day: str, wanted: int, limit: int) -> int: ...
    def give_back_daily(self, tally: str, day: str, count: int) -> None: ...
    def daily_count(self, tally: str, day: str) -> int: ...
    def first_day(self, tally: str, today: str) -> str: ...


class MemoryTallies:
    """Tallies kept by this dispatcher alone: they start from zero in each process."""

    def __init__(self) -> None:
        self._counts: dict[tuple[str, str], int] = {}
        self._first: dict[str, str] = {}

    def take_daily(self, tally: str, day: str, wanted: int, limit: int) -> int:
        count = self._counts.get((tally, day), 0)
        taken = max(min(wanted, limit - count), 0)
        self._counts[tally, day] = count + taken
        return taken

    def give_back_daily(self, tally: str, day: str, count: int) -> None:
        self._counts[tally, day] = max(self._counts[tally, day] - count, 0)

    def daily_count(self, tally: str, day: str) -> int:
        return self._counts.get((tally, day), 0)

    def first_day(self, tally: str, today: str) -> str:
        return self._first.setdefault(tally, today)


class DailyCap:
    """One project's cap: today's local day and cap, its count, and when the day ends.

    ``counted`` is the store's count as last known: it includes other
    processes' pushes as of the start of the day and of each refused take.
    ``rolls_at`` is the next local midnight in loop time, when routing finds
    room again.
    """

    __slots__ = (
        "_granted",
        "_taken",
        "_taken_day",
        "cap",
        "clock",
        "counted",
        "daily_cap",
        "day",
        "name",
        "rolls_at",
        "tallies",
        "tally",
        "warm_up",
        "zone",
    )

    def __init__(
        self,
        name: str,
        *,
        token: str,
        daily_cap: int | None,
        warm_up: Sequence[int],
        zone_name: str,
        clock: Clock,
        tallies: Tallies,
    ) -> None:
        self.name = name
        self.tally = tally_for(token)
        self.daily_cap = daily_cap
        self.warm_up = tuple(warm_up)
        self.zone = time_zone(zone_name)
        self.clock = clock
        self.tallies = tallies
        self.day = ""  # the local day (ISO) of cap and counted, once rolled
        self.cap: int | None = None  # today's cap, None after a ramp without daily_cap
        self.counted = 0
        self.rolls_at = -math.inf
        self._taken: Batch | None = None  # the batch in flight counted already
        self._taken_day = ""
        self._granted = 0

    def refresh(self, now: float) -> None:
        """Start a new day when its midnight came by loop time ``now``."""
        if now >= self.rolls_at:
            self._roll(now, aware_now(self.clock))

    def _roll(self, now: float, wall: datetime) -> None:
        """Read the day that ``wall`` (loop time ``now``) is in: its cap and count.

        A store that cannot say leaves the project nothing to send, until it
        is asked again a minute later.
        """
        today = wall.astimezone(self.zone).date()
        self.day = today.isoformat()
        midnight = datetime.combine(today + timedelta(days=1), time(), tzinfo=self.zone)
        self.rolls_at = now + (midnight.timestamp() - wall.timestamp())
        try:
            first = date.fromisoformat(self.tallies.first_day(self.tally, self.day))
            self.counted = self.tallies.daily_count(self.tally, self.day)
        except Exception as error:  # a closed or broken store: nothing leaves uncounted
            _log.error("project %s sends nothing: its daily count is unknown: %r", self.name, error)
            self.cap = self.counted = 0
            self.rolls_at = min(self.rolls_at, now + _RETRY)
            return
        used = max((today - first).days, 0)  # days of use before today
        self.cap = self.warm_up[used] if used < len(self.warm_up) else self.daily_cap

    def room(self, now: float, accumulator: Accumulator, pushing: Batch | None) -> int:
        """How many more messages routing may hand the project today, which holds
        ``accumulator`` and has ``pushing`` on its way out."""
        self.refresh(now)
        if self.cap is None:
            return _UNCAPPED
        routed = len(accumulator)
        if pushing is not None and pushing is not self._taken:
            routed += pushing.count
        return max(self.cap - self.counted - routed, 0)

    def full(self, now: float) -> bool:
        """Whether the project sent (or may have) all it may today."""
        self.refresh(now)
        return self.spent

    @property
    def spent(self) -> bool:
        """:meth:`full` as of the last refresh."""
        return self.cap is not None and self.counted >= self.cap

    def take(self, batch: Batch, now: float) -> list[Span]:
        """Count ``batch`` in the store for today, trim it to what was granted;
        return the messages cut off (none when all were granted)."""
        wall = aware_now(self.clock)
        if now >= self.rolls_at or wall.astimezone(self.zone).date().isoformat() != self.day:
            self._roll(now, wall)  # by the clock: the count is for the day the push leaves in
        limit = _UNCAPPED if self.cap is None else self.cap
        try:
            granted = self.tallies.take_daily(self.tally, self.day, batch.count, limit)
        except Exception as error:  # a closed or broken store: its error is theirs
            for n, span in enumerate(batch.spans):
                span.fail(own_copy(error) if n else error)
            batch.spans, batch.count = [], 0
            return []
        # Granted in full, the store holds at least that much more; cut short, it is full.
        self.counted = self.counted + granted if granted == batch.count else limit
        self._taken, self._taken_day, self._granted = batch, self.day, granted
        return _trim(batch, granted)

    def landed(self, batch: Batch, *, sent: bool) -> None:
        """The push of ``batch`` came back: give its count back unless it sent (or may
        have); screening's withdrawals from it after the count never left either."""
        if batch is not self._taken:
            return
        self._taken = None
        unsent = self._granted - batch.count if sent else self._granted
        if unsent <= 0:
            return
        try:
            self.tallies.give_back_daily(self.tally, self._taken_day, unsent)
        except Exception as error:  # counted, though not sent: the safe way to be wrong
            _log.error(
                "project %s: %d unsent kept in its daily count: %r", self.name, unsent, error
            )
            return
        if self._taken_day == self.day:
            self.counted -= unsent


def _trim(batch: Batch, keep: int) -> list[Span]:
    """Keep the first ``keep`` messages of ``batch``; return the spans of the rest."""
    if keep >= batch.count:
        return []
    kept: list[Span] = []
    cut_off: list[Span] = []
    left = keep
    for span in batch.spans:
        if left >= len(span):
            kept.append(span)
            left -= len(span)
        elif left:
            kept.append(span.split(left))  # the span keeps the rest
            cut_off.append(span)
            left = 0
        else:
            cut_off.append(span)
    batch.spans, batch.count = kept, keep
    return cut_off
