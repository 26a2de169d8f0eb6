"""Options that keep an old looptime from stranding a timer (Python 3.10).

looptime before 0.8, the newest release for Python 3.10, moves its clock in
whole ticks of 1 us, rounded: a timer less than half a tick ahead, but more
than asyncio's clock resolution ahead, is never reached, and the loop spins
for ever (looptime issue #35, fixed in 0.8). Ticks no coarser than asyncio's
clock resolution leave no such gap.
"""

from __future__ import annotations

import importlib.metadata
import re
import time

__all__ = ["looptime_options"]

_FIXED_IN = (0, 8)
_DEFAULT_TICK = 1e-6  # looptime's own default resolution


def looptime_options() -> dict[str, float]:
    """Keyword options for a looptime loop: finer ticks before looptime 0.8, else none."""
    try:
        installed = importlib.metadata.version("looptime")
    except importlib.metadata.PackageNotFoundError:
        return {}
    release = re.match(r"(\d+)\.(\d+)", installed)
    if release is None or (int(release[1]), int(release[2])) >= _FIXED_IN:
        return {}
    return {"resolution": min(_DEFAULT_TICK, time.get_clock_info("monotonic").resolution)}
