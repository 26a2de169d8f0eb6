"""A wall clock that runs on the event loop's time, for tests of local days and nights."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta


class LoopClock:
    """Wall time derived from the loop's clock, so looptime fast-forwards it too."""

    def __init__(self, at: datetime) -> None:
        self._loop = asyncio.get_running_loop()
        self._start = self._loop.time()
        self._at = at

    def __call__(self) -> datetime:
        return self.wall(self._loop.time())

    def wall(self, loop_time: float) -> datetime:
        """The wall time at ``loop_time`` (a Simulator record's time)."""
        return self._at + timedelta(seconds=loop_time - self._start)
