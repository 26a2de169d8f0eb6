"""Pacing: how much work a project may take now, and when to ask its phone.

The phone sends one message at a time, so anything pushed beyond a short
horizon of work only sits on the phone, where it can no longer be reordered,
rerouted or cancelled. A project is therefore handed low-priority messages only
while its backlog is under ``horizon`` seconds, and at most enough to fill it.
High priority skips this gate: it must go out now, and the phone takes it first.
"""

from __future__ import annotations

import functools
import math

__all__ = ["low_room", "poll_interval", "refill_delay"]

# Backlogs are floats drained by subtraction: forgive rounding at the edge.
_EPSILON = 1e-9


@functools.lru_cache(maxsize=16_384)
def _refill_level(seconds_per_message: float, horizon: float, max_batch: int) -> float:
    """The backlog at or under which a project is topped up again.

    Asked several times for each project a scheduler turn looks at, always
    with the project's own fixed figures: cached, one entry per phone speed
    (room for 10,000 projects of different speeds), so a turn pays a look-up.

    Topping up in halves of a full load (not one message each time one is
    sent) folds more messages into each push; the phone still has half a
    horizon of work when more arrives, so it never runs dry waiting.
    """
    full = min(max_batch, max(1, math.floor(horizon / seconds_per_message)))
    return max(0.0, horizon - math.ceil(full / 2) * seconds_per_message)


def low_room(backlog: float, seconds_per_message: float, horizon: float, max_batch: int) -> int:
    """How many more low-priority messages a project with ``backlog`` may take.

    None until the backlog is down to the refill level; then as many as fit
    under the horizon (an idle phone always gets one, even if it takes longer
    than the horizon), and never more than ``max_batch``.
    """
    if backlog > _refill_level(seconds_per_message, horizon, max_batch) + _EPSILON:
        return 0
    fits = math.floor((horizon - backlog) / seconds_per_message + _EPSILON)
    return min(max_batch, max(1, fits))


def refill_delay(
    backlog: float, seconds_per_message: float, horizon: float, max_batch: int
) -> float:
    """Seconds until a project with ``backlog`` may take low-priority work again."""
    return max(0.0, backlog - _refill_level(seconds_per_message, horizon, max_batch))


def poll_interval(count: int, period: float) -> float:
    """Seconds between device-status polls that keep half the budget for probes.

    A suspended project is probed with the same endpoint, so the routine polls
    that correct the backlog estimate use no more than half its limit.
    """
    return 2 * period / count
