"""The phone's serial worker, on a clock that asyncio's timers can run ahead of."""

from __future__ import annotations

import asyncio

import pytest

from picky_async.testing._lane import Lane


async def test_a_step_whose_timer_runs_a_tick_early_still_ends(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # asyncio runs a timer due within its clock's resolution at once; a clock
    # that does not move (a fake one, or a coarse real one) then reads just
    # before the step's end, and the lane must not re-arm the same timer.
    loop = asyncio.get_running_loop()
    frozen = loop.time()
    monkeypatch.setattr(loop, "time", lambda: frozen)
    finished: list[tuple[str, float]] = []

    def advance(job: str, step: int, at: float) -> float | None:
        if step == 0:
            return 1e-10  # shorter than the clock's resolution, longer than a float's
        finished.append((job, at))
        return None

    lane: Lane[str] = Lane(advance)
    lane.add(["a message"], high=False)
    for _ in range(10):
        await asyncio.sleep(0)
    lane.close()
    assert finished == [("a message", frozen + 1e-10)]
