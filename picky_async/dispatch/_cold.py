"""The cold-contact limit: at most so many messages a day to numbers that never wrote.

People who wrote first expect an answer; messages to strangers are what get a
phone reported. A number is *cold* while the safety store has no inbound
message of it (the webhook records every one, whichever of the store's
projects it came to). Cold messages are counted as they enter, under the
store's tally ``"cold"`` per day of the dispatcher's ``default_timezone``, so
every dispatcher sharing the store shares the limit. Each call (a ``send``, a
``submit``, a chunk of a campaign) counts all its cold messages with one
``take_daily``, the store's one write; warm messages cost a read each, as an
opt-out lookup does. A count is kept once taken, even when its message fails
later without being sent: the limit errs on the side of sending less.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from ..core import ColdLimitReached, Message
from ..safety import SafetyStore
from ._quiet import Clock, local_day
from ._runs import Run, Span

__all__ = ["TALLY", "ColdLimit", "checked_cold_limit"]

TALLY = "cold"
"""The store's name for the count of cold messages."""


def checked_cold_limit(limit: object, store: SafetyStore | None) -> int | None:
    """``limit``, once known to be a count a store can keep (``None``: no limit).

    Raises:
        TypeError: for a limit that is not an int.
        ValueError: for a limit under 1, or a limit without a store.
    """
    if limit is None:
        return None
    if isinstance(limit, bool) or not isinstance(limit, int):
        raise TypeError(f"cold_limit must be an int (or None for no limit), not {limit!r}")
    if limit < 1:
        raise ValueError(f"cold_limit must be at least 1 (or None for no limit), not {limit!r}")
    if store is None:
        raise ValueError(
            "cold_limit needs opt_outs=: the store keeps who wrote to you and the daily count"
        )
    return limit


class ColdLimit:
    """Today's count of cold messages, in ``store``, up to ``limit`` a day in ``zone``."""

    def __init__(self, store: SafetyStore, limit: int, zone: ZoneInfo, clock: Clock) -> None:
        self._store = store
        self._limit = limit
        self._zone = zone
        self._clock = clock
        self.refused = 0  # cold messages refused because the day's count was reached

    def check(self, message: Message) -> None:
        """Count ``message`` if it is cold (``send``, ``submit``).

        Raises:
            ColdLimitReached: when it is cold and today's limit is reached.
            Exception: the store's own error, when it cannot tell.
        """
        if not self._store.wrote(message.number) and not self._take(1):
            raise self._refusal(message)

    def admit(self, run: Run, stretches: list[tuple[int, int]]) -> list[tuple[int, int]]:
        """Count the cold messages of ``run``'s ``stretches`` in one step, and settle
        those beyond today's limit; the stretches left.

        When the store cannot tell, its error settles every message of them.
        """
        messages = run.messages
        try:
            cold = [
                at
                for start, stop in stretches
                for at in range(start, stop)
                if not self._store.wrote(messages[at].number)
            ]
            granted = self._take(len(cold)) if cold else 0
        except Exception as error:  # a closed or broken store: none goes unchecked
            for start, stop in stretches:
                Span(run, start, stop).fail(error)
            return []
        refused = cold[granted:]
        for at in refused:
            Span(run, at, at + 1).fail(self._refusal(messages[at]))
        return _without(stretches, refused)

    def _take(self, wanted: int) -> int:
        """Count up to ``wanted`` cold messages today; how many were."""
        day = local_day(self._clock, self._zone)
        return self._store.take_daily(TALLY, day, wanted, self._limit)

    def _refusal(self, message: Message) -> ColdLimitReached:
        """The error of a cold ``message`` refused, counted."""
        self.refused += 1
        return ColdLimitReached(
            f"{message.number} never wrote, and today's cold-contact limit"
            f" ({self._limit}) is reached: not sent"
        )


def _without(stretches: list[tuple[int, int]], dropped: list[int]) -> list[tuple[int, int]]:
    """``stretches`` less the positions ``dropped`` (ascending, each within one of them)."""
    if not dropped:
        return stretches
    left: list[tuple[int, int]] = []
    drops = iter(dropped)
    drop = next(drops, None)
    for start, stop in stretches:
        kept = start
        while drop is not None and drop < stop:
            if drop > kept:
                left.append((kept, drop))
            kept = drop + 1
            drop = next(drops, None)
        if stop > kept:
            left.append((kept, stop))
    return left
