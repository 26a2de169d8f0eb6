"""Pacing: how much work a project may take now, and when to ask its phone.

The phone sends one message at a time, so anything pushed beyond a short
horizon of work only sits on the phone, where it can no longer be reordered,
rerouted or cancelled. A project is therefore handed low-priority messages only
while its backlog is under ``horizon`` seconds, and at most enough to fill it.
High priority skips this gate: it must go out now, and the phone takes it first.
"""

from __future__ import annotations

import math

__all__ = ["low_room", "poll_interval"]


def low_room(backlog: float, seconds_per_message: float, horizon: float, limit: int) -> int:
    """How many more low-priority messages a project with ``backlog`` may take.

    At most ``limit`` (one push's worth), and only enough to bring the backlog
    to the horizon, rounded up so that a project under it always gets one.
    """
    if backlog >= horizon:
        return 0
    return min(limit, math.ceil((horizon - backlog) / seconds_per_message))


def poll_interval(count: int, period: float) -> float:
    """Seconds between device-status polls that keep half the budget for probes.

    A suspended project is probed with the same endpoint, so the routine polls
    that correct the backlog estimate use no more than half its limit.
    """
    return 2 * period / count
