"""What the webhook and the dispatcher need of a safety store, wherever it keeps its data.

:class:`~picky_async.OptOuts` keeps it in SQLite (one machine);
:class:`~picky_async.redis.RedisOptOuts` in Redis (every host that reaches it).
Every call is synchronous and thread-safe: the webhook runs its writes in a
thread, the dispatcher reads on the event loop, so reads must be quick.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Protocol

from ..core import InboundMessage
from ._keywords import KeywordAction

__all__ = ["KEEP_KEYS", "SafetyStore", "keep_seconds"]

KEEP_KEYS = datetime.timedelta(days=7)
"""How long a store keeps sent keys unless told otherwise."""


def keep_seconds(keep_keys: float | datetime.timedelta) -> float:
    """A store's ``keep_keys`` in seconds.

    Raises:
        ValueError: when it is not positive.
    """
    keep = keep_keys.total_seconds() if isinstance(keep_keys, datetime.timedelta) else keep_keys
    if not keep > 0:
        raise ValueError(f"keep_keys must be positive, not {keep_keys!r}")
    return float(keep)


class SafetyStore(Protocol):
    """Opt-outs, sent keys, daily tallies and who wrote: what keeps sending safe.

    A *tally* counts messages per day under a name (a project's daily cap, the
    cold-contact limit); ``day`` is an ISO date (``"2026-12-01"``) in the
    caller's time zone. Names never contain a token.
    """

    @property
    def keep_keys(self) -> float:
        """How long a sent key is kept, in seconds: the longest repeat window it serves."""
        ...

    def __contains__(self, number: object) -> bool:
        """Whether ``number`` opted out."""
        ...

    def keyword_action(self, text: str) -> KeywordAction | None:
        """``"stop"`` or ``"start"`` when the whole ``text`` is such a keyword."""
        ...

    def record(self, inbound: InboundMessage) -> KeywordAction | None:
        """Note that the sender wrote, and apply a stop or start keyword; the action applied."""
        ...

    def wrote(self, number: str) -> bool:
        """Whether ``number`` ever wrote to us (an inbound message was recorded)."""
        ...

    def sent_at(self, key: str) -> float | None:
        """When a message with ``key`` was last accepted (POSIX seconds), or ``None``."""
        ...

    def record_sent(self, keys: Iterable[str], *, at: float | None = None) -> None:
        """Record that messages with ``keys`` were accepted at ``at`` (default: now)."""
        ...

    def take_daily(self, tally: str, day: str, wanted: int, limit: int) -> int:
        """Count up to ``wanted`` more on ``day`` without passing ``limit``, in one step
        no other process can split; how many were counted (0 when full)."""
        ...

    def give_back_daily(self, tally: str, day: str, count: int) -> None:
        """Uncount ``count`` taken on ``day`` whose messages were certainly not sent."""
        ...

    def daily_count(self, tally: str, day: str) -> int:
        """How many are counted on ``day``."""
        ...

    def first_day(self, tally: str, today: str) -> str:
        """The first day the tally was used, ``today`` when this is the first time."""
        ...
