"""Finer looptime ticks where looptime strands timers (before 0.8, Python 3.10)."""

from __future__ import annotations

import importlib.metadata
import textwrap
import time
from pathlib import Path

import pytest
from inner_pytest import run_pytest

from picky_async.testing._looptime import looptime_options


def installed(monkeypatch: pytest.MonkeyPatch, release: str | None) -> None:
    """Make ``looptime`` look installed at ``release`` (None: not installed)."""
    real = importlib.metadata.version

    def version(name: str) -> str:
        if name != "looptime":
            return real(name)
        if release is None:
            raise importlib.metadata.PackageNotFoundError(name)
        return release

    monkeypatch.setattr(importlib.metadata, "version", version)


@pytest.mark.parametrize("release", ["0.2", "0.7", "0.7.post1"])
def test_looptime_before_0_8_gets_ticks_no_coarser_than_asyncios_clock(
    monkeypatch: pytest.MonkeyPatch, release: str
) -> None:
    installed(monkeypatch, release)
    (resolution,) = looptime_options().values()
    assert resolution <= min(1e-6, time.get_clock_info("monotonic").resolution)


@pytest.mark.parametrize("release", ["0.8", "0.9", "1.0", "10.2", None])
def test_fixed_or_missing_looptime_keeps_its_own_ticks(
    monkeypatch: pytest.MonkeyPatch, release: str | None
) -> None:
    installed(monkeypatch, release)
    assert looptime_options() == {}


INNER_CONFTEST = textwrap.dedent(
    """
    import importlib.metadata

    real = importlib.metadata.version
    importlib.metadata.version = lambda name: "0.7" if name == "looptime" else real(name)
    """
)

INNER_TESTS = textwrap.dedent(
    """
    import asyncio
    import pytest

    @pytest.mark.looptime
    async def test_ticks_are_finer():
        loop = asyncio.get_running_loop()
        await asyncio.sleep(0.1234567891)
        assert loop.time() == pytest.approx(0.1234567891, abs=2e-9)

    @pytest.mark.looptime(resolution=0.25)
    async def test_own_resolution_is_kept(request):
        kwargs = [m.kwargs for m in request.node.iter_markers("looptime")]
        assert kwargs == [{"resolution": 0.25}]

    async def test_unmarked_tests_run_in_real_time(request):
        assert list(request.node.iter_markers("looptime")) == []
    """
)


def test_the_plugin_gives_old_looptimes_tests_finer_ticks(tmp_path: Path) -> None:
    (tmp_path / "conftest.py").write_text(INNER_CONFTEST)
    (tmp_path / "test_inner.py").write_text(INNER_TESTS)
    run = run_pytest(tmp_path, "-o", "asyncio_mode=auto")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "3 passed" in run.stdout
