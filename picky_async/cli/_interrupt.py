"""Ctrl-C during a campaign: the first one stops it cleanly, a second one aborts."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import AsyncIterator, Callable, Coroutine
from typing import Any

__all__ = ["on_interrupt"]


@contextlib.asynccontextmanager
async def on_interrupt(stop: Callable[[], Coroutine[Any, Any, None]]) -> AsyncIterator[None]:
    """Run ``stop()`` as a task on the first SIGINT within the block; await it on leaving.

    A second SIGINT raises ``KeyboardInterrupt`` as Python does by default.
    Where the loop cannot catch signals (Windows, a thread), Ctrl-C keeps its default.
    """
    loop = asyncio.get_running_loop()
    stopping: list[asyncio.Task[None]] = []

    def interrupted() -> None:
        if stopping:
            raise KeyboardInterrupt
        stopping.append(loop.create_task(stop()))

    try:
        loop.add_signal_handler(signal.SIGINT, interrupted)
    except (NotImplementedError, RuntimeError, ValueError):
        yield
        return
    try:
        yield
    finally:
        loop.remove_signal_handler(signal.SIGINT)
        for task in stopping:
            await task
