"""Request limits: "at most ``count`` requests in any ``period`` seconds"."""

from __future__ import annotations

import collections

import attrs

__all__ = ["RateLimit", "SlidingWindow"]


@attrs.frozen
class RateLimit:
    """At most ``count`` requests in any window of ``period`` seconds.

    Attributes:
        count: Requests allowed per window (at least 1).
        period: The window's length, in seconds (more than 0).
    """

    count: int = attrs.field(validator=attrs.validators.gt(0))
    period: float = attrs.field(validator=attrs.validators.gt(0))


class SlidingWindow:
    """Counts events in a sliding window to enforce a :class:`RateLimit`.

    Times are plain floats from whatever clock the owner uses (the event loop's
    ``loop.time()`` in this library), so tests can move time.
    """

    __slots__ = ("_events", "limit")

    def __init__(self, limit: RateLimit) -> None:
        self.limit = limit
        self._events: collections.deque[float] = collections.deque()

    def _forget_before(self, now: float) -> None:
        # Compare as ``start + period``, the same sum next_free() returns, so
        # an event expires exactly at the time next_free() promised.
        period = self.limit.period
        events = self._events
        while events and events[0] + period <= now:
            events.popleft()

    def count(self, now: float) -> int:
        """How many events fall in the window ending at ``now``."""
        self._forget_before(now)
        return len(self._events)

    def try_acquire(self, now: float) -> bool:
        """Record an event at ``now`` if the limit allows it; say whether it did."""
        if self.count(now) >= self.limit.count:
            return False
        self._events.append(now)
        return True

    def record(self, now: float) -> None:
        """Record an event at ``now`` whether or not the limit allows it."""
        self._events.append(now)

    def next_free(self, now: float) -> float:
        """The earliest time at or after ``now`` when one more event fits."""
        if self.count(now) < self.limit.count:
            return now
        return self._events[len(self._events) - self.limit.count] + self.limit.period
