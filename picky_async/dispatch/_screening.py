"""What the dispatcher refuses to send: numbers that opted out, and repeated keys.

With an :class:`~picky_async.OptOuts` store, each message is screened twice:
when it enters (``send``/``submit`` raise, a campaign's message settles with
the error) and right before its push leaves, so a number that opts out while
its message waits is withdrawn then, alone, and the rest of its batch goes.
A message with a ``key`` is refused when a message with that key was
accepted within the repeat window: by this dispatcher (known at once, and
while its push is in flight) or by any before it (the store's ``sent_keys``,
written off the event loop once a push is accepted). With a ``cold_limit``,
messages to numbers that never wrote are counted at intake too (see the
``_cold`` module). Without a store the dispatcher makes none of these checks,
so its cost is unchanged.
"""

from __future__ import annotations

import datetime
import functools
import logging
from collections.abc import Callable, Coroutine
from typing import Any

import anyio.to_thread

from ..core import Duplicate, Message, OptedOut, PickyError, time_zone
from ..safety import SafetyStore
from ._cold import ColdLimit, checked_cold_limit
from ._folding import Batch
from ._quiet import Clock, wall_clock
from ._runs import Run, Span

__all__ = ["DAY", "RepeatWindow", "Screening", "screening_for"]

DAY = 86_400.0
RepeatWindow = float | datetime.timedelta | None
"""How long a sent key refuses a repeat: seconds, a timedelta, or ``None`` for no check."""

_log = logging.getLogger("picky_async.dispatch")

Spawn = Callable[[Coroutine[Any, Any, None]], None]


def screening_for(
    opt_outs: SafetyStore | None,
    repeat_window: RepeatWindow,
    *,
    cold_limit: int | None = None,
    default_timezone: str = "Asia/Kolkata",
    clock: Clock = wall_clock,
) -> Callable[[Spawn], Screening] | None:
    """How the scheduler builds its screening (``None``: nothing to screen, no cost).

    ``cold_limit`` messages a day may go to numbers that never wrote, a day
    being one in ``default_timezone`` by ``clock``.

    Raises:
        ValueError: for a ``repeat_window`` that is not positive (or longer
            than the store keeps sent keys), a ``cold_limit`` under 1 or
            without ``opt_outs``, or a ``default_timezone`` zoneinfo does
            not know.
        TypeError: for a ``cold_limit`` that is not an int.
    """
    window = _seconds(repeat_window)
    limit = checked_cold_limit(cold_limit, opt_outs)
    if opt_outs is None:
        return None
    if window is not None and window > opt_outs.keep_keys:
        raise ValueError(
            f"repeat_window ({window:g} s) is longer than the opt-out store keeps sent keys"
            f" ({opt_outs.keep_keys:g} s): open the store with a longer keep_keys"
        )
    cold = None
    if limit is not None:
        cold = ColdLimit(opt_outs, limit, time_zone(default_timezone, "default_timezone"), clock)
    return functools.partial(Screening, opt_outs, window, cold=cold, clock=clock)


def _seconds(window: RepeatWindow) -> float | None:
    """``window`` in seconds (``None``: keys are not checked).

    Raises:
        ValueError: for a window that is not positive.
    """
    if window is None:
        return None
    seconds = window.total_seconds() if isinstance(window, datetime.timedelta) else float(window)
    if not seconds > 0:
        raise ValueError(f"repeat_window must be positive (or None), not {window!r}")
    return seconds


class Screening:
    """The store's opt-outs and sent keys, and the keys this dispatcher is sending.

    ``spawn`` runs the writes to the store as the scheduler's tasks, so closing
    waits for them; ``cold`` limits the messages to numbers that never wrote;
    ``clock`` (the dispatcher's) says when keys were sent and how long ago.
    """

    def __init__(
        self,
        opt_outs: SafetyStore,
        repeat_window: float | None,
        spawn: Spawn,
        *,
        cold: ColdLimit | None = None,
        clock: Clock = wall_clock,
    ) -> None:
        self._opt_outs = opt_outs
        self._clock = clock
        self._window = repeat_window
        self._spawn = spawn
        self._cold = cold
        self._sent: dict[str, float] = {}  # accepted here, until the store holds them
        self._leaving: dict[str, int] = {}  # in pushes in flight: how many of each
        self.opted_out = 0  # messages refused because their number opted out
        self.duplicates = 0  # messages refused because their key was sent

    def refusal(self, message: Message) -> PickyError | None:
        """Why ``message`` must not be sent, counted; ``None`` when it may be."""
        if message.number in self._opt_outs:
            self.opted_out += 1
            return OptedOut(f"{message.number} opted out: not sent")
        key = message.key
        if key is not None and self._window is not None and self._repeats(key):
            self.duplicates += 1
            return Duplicate(f"a message with key {key!r} was already sent: not sent again")
        return None

    def _verdict(self, message: Message) -> BaseException | None:
        """:meth:`refusal`, or the store's own error: no message goes unchecked."""
        try:
            return self.refusal(message)
        except Exception as error:  # a closed or broken store
            return error

    @property
    def cold_refused(self) -> int:
        """Messages refused because their number never wrote and the day's limit was reached."""
        return 0 if self._cold is None else self._cold.refused

    def check(self, message: Message) -> None:
        """Raise why ``message`` must not be sent, if it must not (``send``, ``submit``);
        count it if it is cold."""
        if (error := self.refusal(message)) is not None:
            raise error
        if self._cold is not None:
            self._cold.check(message)

    def admit(self, run: Run, stretches: list[tuple[int, int]]) -> list[tuple[int, int]]:
        """Settle the messages of a campaign's run that must not be sent (or cannot be
        checked: the store's error is theirs); the stretches left."""
        messages = run.messages
        admitted: list[tuple[int, int]] = []
        for start, stop in stretches:
            kept = start
            for at in range(start, stop):
                if (error := self._verdict(messages[at])) is not None:
                    if at > kept:
                        admitted.append((kept, at))
                    Span(run, at, at + 1).fail(error)
                    kept = at + 1
            if stop > kept:
                admitted.append((kept, stop))
        return admitted if self._cold is None else self._cold.admit(run, admitted)

    def hold_back(self, batch: Batch) -> None:
        """Fail the messages of ``batch`` that must not leave now (or cannot be checked);
        the others stay in it.

        Its keys are in flight from then on, until :meth:`landed`.
        """
        spans: list[Span] = []
        for span in batch.spans:
            messages = span.run.messages
            kept = span.start
            for at in range(span.start, span.stop):
                message = messages[at]
                if (error := self._verdict(message)) is not None:
                    if at > kept:
                        spans.append(Span(span.run, kept, at, span.lane))
                    Span(span.run, at, at + 1).fail(error)
                    kept = at + 1
                elif message.key is not None and self._window is not None:
                    self._leaving[message.key] = self._leaving.get(message.key, 0) + 1
            if span.stop > kept:
                spans.append(
                    Span(span.run, kept, span.stop, span.lane) if kept > span.start else span
                )
        batch.spans = spans
        batch.count = sum(len(span) for span in spans)

    def landed(self, batch: Batch, *, sent: bool) -> None:
        """The push of ``batch`` came back: its keys count as sent if it ``sent`` (or may have)."""
        if self._window is None:
            return
        keys = [m.key for m in batch.messages() if m.key is not None]
        for key in keys:
            count = self._leaving.pop(key, 1) - 1
            if count:
                self._leaving[key] = count
        if sent and keys:
            now = self._clock().timestamp()
            self._sent.update(dict.fromkeys(keys, now))
            self._spawn(self._record(keys, now))

    def _repeats(self, key: str) -> bool:
        """Whether a message with ``key`` is in flight, or was accepted within the window."""
        if key in self._leaving:
            return True
        sent_at = self._sent.get(key)
        if sent_at is None:
            sent_at = self._opt_outs.sent_at(key)
        assert self._window is not None
        return sent_at is not None and self._clock().timestamp() - sent_at < self._window

    async def _record(self, keys: list[str], at: float) -> None:
        """Write ``keys`` to the store off the loop, then forget them here."""
        try:
            await anyio.to_thread.run_sync(
                functools.partial(self._opt_outs.record_sent, keys, at=at)
            )
        except Exception as error:  # kept here: this dispatcher still refuses them
            _log.error("the opt-out store could not record %d sent keys: %r", len(keys), error)
            return
        for key in keys:
            if self._sent.get(key) == at:
                del self._sent[key]
