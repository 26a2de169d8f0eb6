"""pytest plugin: a running :class:`Simulator` as the ``picky_simulator`` fixture.

Registered through the ``pytest11`` entry point, so installing picky_async is
enough. The fixtures are async (pytest-asyncio) and work in both its ``auto``
and ``strict`` modes; without pytest-asyncio the plugin offers nothing rather
than breaking the test run. Options for the Simulator come from a marker::

    @pytest.mark.picky_simulator(projects=3, seconds_per_message=1.0)
    async def test_campaign(picky_simulator): ...

Under looptime before 0.8 (the newest for Python 3.10), tests marked
``looptime`` that set no ``resolution`` get finer clock ticks, without which a
timer can be stranded between two ticks and the test hang.
"""

from __future__ import annotations

import importlib.util
from collections.abc import AsyncIterator

import pytest

from ._looptime import looptime_options
from ._project import SimProject
from ._simulator import Simulator

__all__ = ["pytest_collection_modifyitems", "pytest_configure"]


def pytest_configure(config: pytest.Config) -> None:
    """Declare the ``picky_simulator`` marker."""
    config.addinivalue_line(
        "markers",
        "picky_simulator(**options): keyword arguments for the picky_simulator fixture's "
        "Simulator (projects=, seconds_per_message=, seed=, epoch=)",
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Give looptime tests ticks that cannot strand a timer, where looptime needs it."""
    options = looptime_options()
    if not options:
        return
    for item in items:
        markers = list(item.iter_markers("looptime"))
        if markers and not any("resolution" in marker.kwargs for marker in markers):
            item.add_marker(pytest.mark.looptime(**options))


if importlib.util.find_spec("pytest_asyncio") is not None:
    import pytest_asyncio

    __all__ += ["picky_project", "picky_simulator"]

    @pytest_asyncio.fixture
    async def picky_simulator(request: pytest.FixtureRequest) -> AsyncIterator[Simulator]:
        """A running Simulator, closed after the test; see the module docstring."""
        marker = request.node.get_closest_marker("picky_simulator")
        options = {} if marker is None else dict(marker.kwargs)
        async with Simulator(**options) as simulator:
            yield simulator

    @pytest_asyncio.fixture
    async def picky_project(picky_simulator: Simulator) -> SimProject:
        """The first project of ``picky_simulator`` (added if it has none)."""
        projects = picky_simulator.projects
        return projects[0] if projects else picky_simulator.add_project()
