"""A Simulator served from a thread of its own, for code that runs its own event loop (the CLI)."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Coroutine, Iterator
from typing import Any, TypeVar

from picky_async.testing import ProjectState, SimProject, Simulator

_T = TypeVar("_T")


class SimulatorThread:
    """A running Simulator whose loop lives in a daemon thread; :meth:`call` runs on it."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self._thread.start()
        self.simulator = Simulator()
        self.call(self.simulator.start())

    def call(self, coroutine: Coroutine[Any, Any, _T]) -> _T:
        """Run ``coroutine`` on the Simulator's loop and wait for its result."""
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout=30)

    def add_project(self, state: ProjectState = ProjectState.ONLINE, **options: Any) -> SimProject:
        """``Simulator.add_project`` on its loop (where its phone runs), in ``state``."""

        async def add() -> SimProject:
            project = self.simulator.add_project(**options)
            project.state = state
            return project

        return self.call(add())

    def close(self) -> None:
        self.call(self.simulator.close())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout=10)
        self.loop.close()


@contextlib.contextmanager
def simulator_thread() -> Iterator[SimulatorThread]:
    """A started Simulator with no projects, stopped on leaving."""
    served = SimulatorThread()
    try:
        yield served
    finally:
        served.close()
