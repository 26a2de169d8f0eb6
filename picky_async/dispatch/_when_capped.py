"""What the dispatcher does with daily caps: give each capped project its
``DailyCap``, move sticky recipients off a
full project, and fail what no project can send today when asked to."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Literal

from ..core import CapReached
from ._caps import DailyCap, MemoryTallies, Tallies
from ._ledger import Health
from ._queue import PendingQueue
from ._quiet import Clock
from ._runs import Span
from ._sender import Sender

if TYPE_CHECKING:
    from ..safety import SafetyStore

__all__ = ["Caps", "WhenCapped", "caps_for"]

_log = logging.getLogger("picky_async.dispatch")

WhenCapped = Literal["wait", "fail"]
"""What happens to messages when every project reached its cap for today."""


class Caps:
    """The capped projects, and what to do with messages when all of them are full."""

    def __init__(self, senders: Sequence[Sender], *, fail: bool, sticky: bool) -> None:
        self.senders = senders  # every project: an uncapped one always has room
        self.capped = [sender for sender in senders if sender.cap is not None]
        self.fail = fail
        self.sticky = sticky
        self._spent: set[Sender] = set()  # full, when the last turn looked

    def all_full(self, now: float) -> bool:
        """Whether every project not disabled reached its cap today (and some is not:
        when all are, that is the error, not their caps)."""
        able = [s for s in self.senders if s.ledger.health is not Health.DISABLED]
        return bool(able) and all(s.cap is not None and s.cap.full(now) for s in able)

    def check(self, now: float) -> None:
        """Refuse a new message when asked to and no project may send it today.

        Raises:
            CapReached: with ``when_capped="fail"``, when every project is full.
        """
        if self.fail and self.all_full(now):
            raise CapReached(_every_project_full())

    def tend(
        self,
        queue: PendingQueue,
        now: float,
        fail: Callable[[list[Span], BaseException], None],
        relane: Callable[[], None],
    ) -> bool:
        """Act on caps that filled or reset; True when waiting messages changed lanes.

        With sticky routing, a full project's recipients go to the others
        (``relane``), as a suspended project's do. With ``when_capped="fail"``,
        ``fail`` the queued messages no project can take today; quiet hours'
        held messages stay held.
        """
        relaned = False
        if self.sticky:
            spent = {
                sender for sender in self.capped if sender.cap is not None and sender.cap.full(now)
            }
            if spent != self._spent:
                self._spent = spent
                relane()
                relaned = True
        if self.fail and len(queue) and self.all_full(now):
            lanes = (None, *(sender.name for sender in self.senders))
            spans = [span for lane in lanes for span in queue.lane_spans(lane)]
            if spans:
                fail(spans, CapReached(_every_project_full()))
        return relaned


def _every_project_full() -> str:
    return "every project reached its daily cap: not sent (they reset at local midnight)"


def caps_for(
    senders: Sequence[Sender],
    store: SafetyStore | None,
    *,
    clock: Clock,
    default_timezone: str,
    when_capped: WhenCapped,
    sticky: bool,
) -> Caps | None:
    """Give each capped project its cap; ``None`` when no project has one (no cost then).

    Raises:
        ValueError: for a ``when_capped`` that is not ``"wait"`` or ``"fail"``.
    """
    if when_capped not in ("wait", "fail"):
        raise ValueError(f"when_capped must be 'wait' or 'fail', got {when_capped!r}")
    capped = [sender for sender in senders if sender.project.capped]
    if not capped:
        return None
    tallies: Tallies = MemoryTallies() if store is None else store
    if store is None:
        _log.warning("daily caps without opt_outs: counts are kept in memory and restart from zero")
    for sender in capped:
        project = sender.project
        sender.cap = DailyCap(
            sender.name,
            token=project.token,
            daily_cap=project.daily_cap,
            warm_up=project.warm_up,
            zone_name=project.timezone or default_timezone,
            clock=clock,
            tallies=tallies,
        )
    return Caps(senders, fail=when_capped == "fail", sticky=sticky)
