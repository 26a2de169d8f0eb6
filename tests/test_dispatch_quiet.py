"""Quiet hours on the Simulator: a night of recipient time fast-forwarded in milliseconds."""

from __future__ import annotations

import asyncio
from datetime import datetime, time, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from loop_clock import LoopClock

import picky_async as pa
from picky_async.testing import Simulator

pytestmark = pytest.mark.looptime

NIGHT = (time(21), time(9))
INDIA = ZoneInfo("Asia/Kolkata")
LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
# 22:00 in India on 1 December: 16:30 UTC, 16:30 in London.
INDIAN_EVENING = datetime(2026, 12, 1, 22, 0, tzinfo=INDIA)


def dispatcher(
    sim: Simulator, clock: LoopClock, seconds_per_message: float = 0.01, **options: Any
) -> pa.Dispatcher:
    """A dispatcher with night quiet hours, on one phone of ``sim`` (a fast one by default)."""
    phone = sim.add_project(seconds_per_message=seconds_per_message)
    project = pa.Project(phone.token, name=phone.name, seconds_per_message=seconds_per_message)
    return pa.Dispatcher(
        [project], base_url=sim.base_url, quiet_hours=NIGHT, clock=clock, **options
    )


def indian(count: int) -> list[pa.Message]:
    return [pa.Message(f"9198{n:08d}", "sale") for n in range(count)]


def local_times(sim: Simulator, clock: LoopClock, zone: ZoneInfo) -> list[time]:
    """When each message was accepted and sent, in ``zone``."""
    moments = [r.accepted_at for r in sim.messages] + [
        r.sent_at for r in sim.messages if r.sent_at is not None
    ]
    return [clock.wall(moment).astimezone(zone).time() for moment in moments]


def at_night(moment: time) -> bool:
    return moment >= NIGHT[0] or moment < NIGHT[1]


async def test_an_evening_campaign_waits_for_the_morning(picky_simulator: Simulator) -> None:
    clock = LoopClock(INDIAN_EVENING)
    async with dispatcher(picky_simulator, clock, max_pending=20) as d:
        campaign = asyncio.create_task(d.send_many(indian(50)))
        await asyncio.sleep(3600)
        stats = d.stats()
        assert (stats.held, stats.queued_low, stats.sent) == (20, 0, 0)  # bounded by max_pending
        assert stats.pending == 20
        receipts = await campaign
    await asyncio.sleep(10)  # the phone sends them
    assert len(receipts) == 50
    assert clock() >= datetime(2026, 12, 2, 9, 0, tzinfo=INDIA)
    times = local_times(picky_simulator, clock, INDIA)
    assert len(times) == 100
    assert not any(at_night(t) for t in times)


async def test_a_message_whose_recipients_night_begins_while_it_waits_is_held(
    picky_simulator: Simulator,
) -> None:
    clock = LoopClock(datetime(2026, 12, 1, 20, 58, 20, tzinfo=INDIA))  # 100 s before the night
    async with dispatcher(picky_simulator, clock, seconds_per_message=1.0, horizon=10) as d:
        await d.send_many(indian(200))  # 200 s of work: all queued in the evening
    accepted = [clock.wall(r.accepted_at).astimezone(INDIA) for r in picky_simulator.messages]
    evening = [moment for moment in accepted if moment.day == 1]
    assert 90 <= len(evening) < len(accepted) == 200  # about 100 s of work, then held
    assert max(evening).time() < time(21)
    assert min(accepted[len(evening) :]) >= datetime(2026, 12, 2, 9, 0, tzinfo=INDIA)


async def test_a_message_routed_before_the_night_but_pushed_in_it_is_held(
    picky_simulator: Simulator,
) -> None:
    """Judged again right before its push: one push every ten minutes keeps the second
    message in its project's batch, routed at 20:58, until 21:08."""
    clock = LoopClock(datetime(2026, 12, 1, 20, 58, tzinfo=INDIA))
    phone = picky_simulator.add_project(seconds_per_message=0.01)
    project = pa.Project(
        phone.token, name=phone.name, seconds_per_message=0.01, push_limit=pa.RateLimit(1, 600.0)
    )
    async with pa.Dispatcher(
        [project], base_url=picky_simulator.base_url, quiet_hours=NIGHT, clock=clock
    ) as d:
        first, second = indian(2)
        await d.send(first.number, first.text)
        waiting = d.submit(second.number, second.text)
        await asyncio.sleep(30)
        assert d.stats().held == 0  # routed to the project, waiting for its push window
        receipt = await waiting
    accepted = [clock.wall(r.accepted_at).astimezone(INDIA) for r in picky_simulator.messages]
    assert accepted[0] < datetime(2026, 12, 1, 21, 0, tzinfo=INDIA)
    assert accepted[1] >= datetime(2026, 12, 2, 9, 0, tzinfo=INDIA)  # held for the night
    assert receipt.number == second.number


async def test_each_recipient_gets_its_own_morning(picky_simulator: Simulator) -> None:
    clock = LoopClock(datetime(2026, 12, 1, 22, 30, tzinfo=timezone.utc))  # 04:00 in India
    async with dispatcher(picky_simulator, clock) as d:
        india = d.submit("919812345678", "namaste")
        london = d.submit("447911123456", "hello")
        await india
        assert clock().astimezone(INDIA).time() < time(9, 1)
        assert not london.done()
        assert d.stats().held == 1
        await london
    local = {r.number: clock.wall(r.accepted_at) for r in picky_simulator.messages}
    assert time(9) <= local["919812345678"].astimezone(INDIA).time() < time(9, 1)
    assert time(9) <= local["447911123456"].astimezone(LONDON).time() < time(9, 1)


async def test_high_priority_passes_at_night(picky_simulator: Simulator) -> None:
    clock = LoopClock(INDIAN_EVENING)
    async with dispatcher(picky_simulator, clock) as d:
        await d.send("919812345678", "your code is 1234", priority=pa.Priority.HIGH)
    assert clock() < INDIAN_EVENING + timedelta(minutes=1)


async def test_high_priority_waits_when_asked_to(picky_simulator: Simulator) -> None:
    clock = LoopClock(INDIAN_EVENING)
    options = {"quiet_hours_apply_to_high": True}
    async with dispatcher(picky_simulator, clock, **options) as d:
        await d.send("919812345678", "your code is 1234", priority=pa.Priority.HIGH)
    assert clock() >= datetime(2026, 12, 2, 9, 0, tzinfo=INDIA)


async def test_a_number_no_zone_places_uses_the_default(picky_simulator: Simulator) -> None:
    clock = LoopClock(datetime(2026, 12, 1, 3, 0, tzinfo=NEW_YORK))  # 13:30 in India
    async with dispatcher(picky_simulator, clock, default_timezone="America/New_York") as d:
        await d.send("919812345678", "placed in India: sent now")
        assert clock().astimezone(NEW_YORK).time() < time(3, 1)
        await d.send("999123456789", "placed nowhere: New York's morning")
    assert clock().astimezone(NEW_YORK).time() >= time(9)


@pytest.mark.usefixtures("without_phonenumbers")
async def test_without_the_numbers_extra_every_number_uses_the_default(
    picky_simulator: Simulator,
) -> None:
    clock = LoopClock(datetime(2026, 12, 1, 18, 0, tzinfo=LONDON))  # 23:30 in India
    async with dispatcher(picky_simulator, clock, default_timezone="Asia/Kolkata") as d:
        await d.send("447911123456", "evening in London, night in India")
    assert clock() >= datetime(2026, 12, 2, 9, 0, tzinfo=INDIA)


async def test_cancelling_a_held_send_withdraws_it(picky_simulator: Simulator) -> None:
    clock = LoopClock(INDIAN_EVENING)
    async with dispatcher(picky_simulator, clock) as d:
        future = d.submit("919812345678", "never mind")
        await asyncio.sleep(1)
        assert d.stats().held == 1
        future.cancel()
        assert (d.stats().held, d.stats().pending) == (0, 0)
        await asyncio.sleep(24 * 3600)
    assert picky_simulator.messages == []


async def test_closing_without_draining_fails_held_messages(picky_simulator: Simulator) -> None:
    clock = LoopClock(INDIAN_EVENING)
    d = dispatcher(picky_simulator, clock)
    campaign = asyncio.create_task(d.send_many(indian(5), return_exceptions=True))
    single = d.submit("919899999999", "tonight?")
    await asyncio.sleep(60)
    await d.close(drain=False)
    assert clock() < INDIAN_EVENING + timedelta(minutes=2)
    with pytest.raises(pa.DispatcherClosed):
        await single
    results = await campaign
    assert all(isinstance(r, pa.DispatcherClosed) for r in results)
    assert len(results) == 5
    assert picky_simulator.messages == []
    assert d.stats().held == 0


async def test_a_message_outside_quiet_hours_goes_at_once(picky_simulator: Simulator) -> None:
    clock = LoopClock(datetime(2026, 12, 1, 12, 0, tzinfo=INDIA))
    async with dispatcher(picky_simulator, clock) as d:
        await d.send_many(indian(10))
        assert d.stats().held == 0
    assert clock() < datetime(2026, 12, 1, 12, 1, tzinfo=INDIA)


@pytest.mark.parametrize(
    ("options", "match"),
    [
        ({"quiet_hours": (21, 9)}, "pair of naive datetime.time"),
        ({"quiet_hours": (time(21),)}, "pair of naive datetime.time"),
        ({"quiet_hours": (time(21, tzinfo=timezone.utc), time(9))}, "naive"),
        ({"quiet_hours": (time(9), time(9))}, "different times"),
        ({"quiet_hours": NIGHT, "default_timezone": "Mars/Olympus_Mons"}, "Mars"),
        ({"quiet_hours": NIGHT, "default_timezone": "../etc"}, "zoneinfo"),
    ],
)
def test_bad_quiet_hours_options_are_refused(options: dict[str, Any], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        pa.Dispatcher([pa.Project("token")], base_url="http://127.0.0.1:9", **options)
