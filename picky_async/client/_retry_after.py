"""Reading the ``Retry-After`` header of an HTTP 429: how long the service asks us to wait."""

from __future__ import annotations

import datetime
import email.utils
import math
import time

__all__ = ["retry_after"]


def retry_after(header: str | None, *, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` value: a number of seconds or an HTTP date.

    ``None`` when there is no header or it cannot be read (a negative or
    infinite number counts as unreadable): the caller then waits as it would
    without one. A date in the past means 0. ``now`` is the wall clock
    (``time.time()`` unless given), which an HTTP date is measured against.
    """
    if header is None:
        return None
    try:
        seconds = float(header)
    except ValueError:
        return _until(header, time.time() if now is None else now)
    return seconds if 0 <= seconds < math.inf else None


def _until(date: str, now: float) -> float | None:
    try:
        when = email.utils.parsedate_to_datetime(date)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # "-0000" or no zone; HTTP dates are always GMT
        when = when.replace(tzinfo=datetime.timezone.utc)
    return max(0.0, when.timestamp() - now)
