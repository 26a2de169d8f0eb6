"""The protections compose: a message held for the night is still checked for opt-outs."""

from __future__ import annotations

import asyncio

import pytest
from loop_clock import LoopClock
from test_dispatch_quiet import INDIAN_EVENING, NIGHT

import picky_async as pa
from picky_async.testing import Simulator

pytestmark = pytest.mark.looptime


async def test_a_number_that_opts_out_during_the_night_gets_nothing_in_the_morning(
    picky_simulator: Simulator,
) -> None:
    clock = LoopClock(INDIAN_EVENING)  # 22:00 in India: quiet until 09:00, 11 h away
    phone = picky_simulator.add_project(seconds_per_message=0.01)
    project = pa.Project(phone.token, name=phone.name, seconds_per_message=0.01)
    with pa.OptOuts() as opt_outs:
        async with pa.Dispatcher(
            [project],
            base_url=picky_simulator.base_url,
            quiet_hours=NIGHT,
            clock=clock,
            opt_outs=opt_outs,
        ) as d:
            stays = d.submit("919800000001", "sale")
            leaves = d.submit("919800000002", "sale")
            await asyncio.sleep(3600)  # an hour into the night: both held
            assert d.stats().held == 2
            opt_outs.add("919800000002", reason="STOP")
            receipt = await stays
            with pytest.raises(pa.OptedOut):
                await leaves
            assert d.stats().opted_out == 1
    assert [m.number for m in picky_simulator.messages] == ["919800000001"]
    sent_at = clock.wall(picky_simulator.messages[0].accepted_at)
    assert sent_at.hour == 9  # in the morning, India time
    assert receipt.number == "919800000001"


async def test_the_repeat_window_runs_on_the_dispatchers_clock(
    picky_simulator: Simulator,
) -> None:
    """Keys are stamped and aged by ``clock=``, as quiet hours and cold-contact days are:
    a simulated day passes for the repeat window too."""
    clock = LoopClock(INDIAN_EVENING)
    phone = picky_simulator.add_project(seconds_per_message=0.01)
    project = pa.Project(phone.token, name=phone.name, seconds_per_message=0.01)
    with pa.OptOuts() as opt_outs:
        async with pa.Dispatcher(
            [project], base_url=picky_simulator.base_url, clock=clock, opt_outs=opt_outs
        ) as d:
            sent = clock().timestamp()
            await d.send("919800000001", "reminder", key="r-1")
            await asyncio.sleep(3600)  # an hour later: a repeat
            assert opt_outs.sent_at("r-1") == pytest.approx(sent, abs=5)  # simulated time
            with pytest.raises(pa.Duplicate):
                await d.send("919800000001", "reminder", key="r-1")
            await asyncio.sleep(86_400)  # a day on: the window has passed
            await d.send("919800000001", "reminder", key="r-1")
    assert len(picky_simulator.messages) == 2
