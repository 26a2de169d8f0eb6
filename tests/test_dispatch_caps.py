"""Daily caps and warm-up on the Simulator: days of local time fast-forwarded in milliseconds."""

from __future__ import annotations

import asyncio
import collections
import logging
import pathlib
from datetime import date, datetime, time, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from loop_clock import LoopClock

import picky_async as pa
from picky_async.dispatch._caps import tally_for
from picky_async.testing import FaultKind, Simulator

pytestmark = pytest.mark.looptime

INDIA = ZoneInfo("Asia/Kolkata")
LONDON = ZoneInfo("Europe/London")
FAST = pa.RateLimit(1000, 1.0)  # requests are not what these tests limit
# 22:00 in India on 1 December: two hours before the caps reset.
INDIAN_EVENING = datetime(2026, 12, 1, 22, 0, tzinfo=INDIA)


def project_on(sim: Simulator, seconds_per_message: float = 0.001, **cap: Any) -> pa.Project:
    """A fast phone of ``sim``, and the Dispatcher's project for it with ``cap`` options."""
    phone = sim.add_project(
        seconds_per_message=seconds_per_message, push_limit=FAST, status_limit=FAST
    )
    return pa.Project(
        phone.token,
        name=phone.name,
        seconds_per_message=seconds_per_message,
        push_limit=FAST,
        status_limit=FAST,
        **cap,
    )


def dispatcher(
    sim: Simulator, projects: list[pa.Project], clock: LoopClock, **options: Any
) -> pa.Dispatcher:
    return pa.Dispatcher(projects, base_url=sim.base_url, clock=clock, **options)


def messages(count: int, start: int = 0) -> list[pa.Message]:
    return [pa.Message(f"9198{n:08d}", "sale") for n in range(start, start + count)]


def per_day(
    sim: Simulator, clock: LoopClock, zone: ZoneInfo = INDIA
) -> dict[tuple[str | None, date], int]:
    """How many messages the service accepted per project and local day in ``zone``."""
    days: collections.Counter[tuple[str | None, date]] = collections.Counter(
        (r.project, clock.wall(r.accepted_at).astimezone(zone).date()) for r in sim.messages
    )
    return dict(days)


def first_accepted(
    sim: Simulator, clock: LoopClock, project: pa.Project, day: date, zone: ZoneInfo
) -> datetime:
    """When ``project``'s first message of local ``day`` was accepted."""
    moments = [clock.wall(r.accepted_at) for r in sim.messages if r.project == project.name]
    return min(when for when in moments if when.astimezone(zone).date() == day)


DEC_1, DEC_2, DEC_3, DEC_4 = (date(2026, 12, d) for d in (1, 2, 3, 4))


# -- routing ---------------------------------------------------------------


async def test_a_cap_is_kept_exactly_and_the_rest_goes_to_the_others(
    picky_simulator: Simulator,
) -> None:
    clock = LoopClock(INDIAN_EVENING)
    capped = project_on(picky_simulator, daily_cap=30)  # the faster phone: it would take most
    free = project_on(picky_simulator, seconds_per_message=0.01)
    async with dispatcher(picky_simulator, [capped, free], clock) as d:
        await d.send_many(messages(150))
        await d.send("919800000999", "code 1", priority=pa.Priority.HIGH)
        stats = d.stats()
    assert clock() < INDIAN_EVENING + timedelta(minutes=1)  # no one waited for midnight
    assert per_day(picky_simulator, clock) == {
        (capped.name, DEC_1): 30,
        (free.name, DEC_1): 121,
    }
    assert stats.capped == 1
    mine, theirs = stats.projects
    assert (mine.sent_today, mine.cap_today, mine.sent) == (30, 30, 30)
    assert (theirs.sent_today, theirs.cap_today) == (None, None)


async def test_when_every_project_is_capped_messages_wait_for_local_midnight(
    picky_simulator: Simulator,
) -> None:
    clock = LoopClock(INDIAN_EVENING)
    project = project_on(picky_simulator, daily_cap=30)
    async with dispatcher(picky_simulator, [project], clock) as d:
        campaign = asyncio.create_task(d.send_many(messages(70)))
        await asyncio.sleep(3600)
        stats = d.stats()
        assert (stats.sent, stats.pending, stats.capped) == (30, 40, 1)
        receipts = await campaign
    assert len(receipts) == 70
    assert per_day(picky_simulator, clock) == {
        (project.name, DEC_1): 30,
        (project.name, DEC_2): 30,
        (project.name, DEC_3): 10,
    }
    second_day = first_accepted(picky_simulator, clock, project, DEC_2, INDIA)
    assert time(0) <= second_day.astimezone(INDIA).time() < time(0, 1)


async def test_each_project_resets_at_its_own_midnight(picky_simulator: Simulator) -> None:
    clock = LoopClock(datetime(2026, 12, 1, 17, 0, tzinfo=timezone.utc))  # 22:30 in India
    india = project_on(picky_simulator, daily_cap=10)  # the dispatcher's default zone
    london = project_on(picky_simulator, daily_cap=10, timezone="Europe/London")
    async with dispatcher(picky_simulator, [india, london], clock) as d:
        await d.send_many(messages(40))
    indian_day = first_accepted(picky_simulator, clock, india, DEC_2, INDIA)
    london_day = first_accepted(picky_simulator, clock, london, DEC_2, LONDON)
    assert time(0) <= indian_day.astimezone(INDIA).time() < time(0, 1)  # 18:30 UTC
    assert time(0) <= london_day.astimezone(LONDON).time() < time(0, 1)  # 00:00 UTC
    assert per_day(picky_simulator, clock, LONDON)[london.name, DEC_1] == 10
    assert per_day(picky_simulator, clock, INDIA)[india.name, DEC_1] == 10
    # India's second day came first: it took the messages London could not.
    assert per_day(picky_simulator, clock, INDIA)[india.name, DEC_2] == 10
    assert per_day(picky_simulator, clock, LONDON)[london.name, DEC_2] == 10


async def test_a_warm_up_ramp_grows_day_by_day(picky_simulator: Simulator) -> None:
    clock = LoopClock(datetime(2026, 12, 1, 0, 30, tzinfo=INDIA))
    project = project_on(picky_simulator, daily_cap=300, warm_up=(50, 100, 200))
    async with dispatcher(picky_simulator, [project], clock) as d:
        assert d.stats().projects[0].cap_today == 50
        await d.send_many(messages(650))
        assert d.stats().projects[0].cap_today == 300
    assert per_day(picky_simulator, clock) == {
        (project.name, DEC_1): 50,
        (project.name, DEC_2): 100,
        (project.name, DEC_3): 200,
        (project.name, DEC_4): 300,
    }


async def test_sticky_recipients_of_a_full_project_move_to_the_others(
    picky_simulator: Simulator,
) -> None:
    clock = LoopClock(INDIAN_EVENING)
    capped = project_on(picky_simulator, daily_cap=5)
    free = project_on(picky_simulator)
    async with dispatcher(picky_simulator, [capped, free], clock, sticky=True) as d:
        await d.send_many(messages(60))
        assert d.stats().capped == 1
    assert clock() < INDIAN_EVENING + timedelta(minutes=1)  # none waited for midnight
    assert per_day(picky_simulator, clock) == {
        (capped.name, DEC_1): 5,
        (free.name, DEC_1): 55,
    }


async def test_routing_hands_a_project_no_more_than_its_cap_left(
    picky_simulator: Simulator,
) -> None:
    clock = LoopClock(INDIAN_EVENING)
    project = project_on(picky_simulator, daily_cap=5)
    async with dispatcher(picky_simulator, [project], clock, linger=10.0) as d:
        futures = [d.submit(f"9198000000{n:02d}", "hi") for n in range(20)]
        await asyncio.sleep(1)  # well within the linger
        stats = d.stats()
        # Given its 5 alone, it pushed them at once: nothing more could join.
        assert (stats.sent, stats.projects[0].assigned, stats.queued_low) == (5, 0, 15)
        await asyncio.gather(*futures)
    assert per_day(picky_simulator, clock) == {
        (project.name, DEC_1): 5,
        (project.name, DEC_2): 5,
        (project.name, DEC_3): 5,
        (project.name, DEC_4): 5,
    }


# -- counts in the store -----------------------------------------------------


async def test_counts_survive_a_restart_on_the_same_store(
    picky_simulator: Simulator, tmp_path: pathlib.Path
) -> None:
    clock = LoopClock(INDIAN_EVENING)
    project = project_on(picky_simulator, daily_cap=30)
    path = tmp_path / "safety.db"
    with pa.OptOuts(path) as store:
        async with dispatcher(picky_simulator, [project], clock, opt_outs=store) as d:
            await d.send_many(messages(20))
    with pa.OptOuts(path) as store:
        async with dispatcher(picky_simulator, [project], clock, opt_outs=store) as d:
            assert d.stats().projects[0].sent_today == 20
            await d.send_many(messages(20, start=20))
            assert d.stats().projects[0].sent_today == 10  # the day after
    assert per_day(picky_simulator, clock) == {
        (project.name, DEC_1): 30,
        (project.name, DEC_2): 10,
    }
    assert project.token.encode() not in stored_bytes(tmp_path)  # nor in the -wal file
    with pa.OptOuts(path) as store:
        assert store.daily_count(tally_for(project.token), "2026-12-01") == 30


def stored_bytes(folder: pathlib.Path) -> bytes:
    """Every byte of every file of the store, its journal files too."""
    return b"".join(path.read_bytes() for path in folder.iterdir())


async def test_two_dispatchers_on_one_store_never_pass_a_cap_together(
    picky_simulator: Simulator, tmp_path: pathlib.Path
) -> None:
    clock = LoopClock(INDIAN_EVENING)
    project = project_on(picky_simulator, daily_cap=25)
    path = tmp_path / "safety.db"
    with pa.OptOuts(path) as mine, pa.OptOuts(path) as theirs:
        one = dispatcher(picky_simulator, [project], clock, opt_outs=mine)
        other = dispatcher(picky_simulator, [project], clock, opt_outs=theirs)
        async with one, other:
            await asyncio.gather(
                one.send_many(messages(30)), other.send_many(messages(30, start=30))
            )
    assert per_day(picky_simulator, clock) == {
        (project.name, DEC_1): 25,
        (project.name, DEC_2): 25,
        (project.name, DEC_3): 10,
    }


async def test_without_a_store_counts_are_in_memory_and_a_warning_says_so(
    picky_simulator: Simulator, caplog: pytest.LogCaptureFixture
) -> None:
    clock = LoopClock(INDIAN_EVENING)
    with caplog.at_level(logging.WARNING, logger="picky_async.dispatch"):
        dispatcher(picky_simulator, [project_on(picky_simulator, daily_cap=5)], clock)
        dispatcher(picky_simulator, [project_on(picky_simulator)], clock)  # no cap: no warning
    assert [r.getMessage() for r in caplog.records] == [
        "daily caps without opt_outs: counts are kept in memory and restart from zero"
    ]


# -- failing instead of waiting ------------------------------------------------


async def test_when_asked_to_capped_messages_fail_instead_of_waiting(
    picky_simulator: Simulator,
) -> None:
    clock = LoopClock(INDIAN_EVENING)
    project = project_on(picky_simulator, daily_cap=5)
    async with dispatcher(picky_simulator, [project], clock, when_capped="fail") as d:
        futures = [d.submit(f"9198000000{n:02d}", "hi") for n in range(8)]
        results = await asyncio.gather(*futures, return_exceptions=True)
        errors = [r for r in results if isinstance(r, pa.CapReached)]
        assert len(errors) == 3
        assert len({id(error) for error in errors}) == 3  # each caller its own
        with pytest.raises(pa.CapReached, match="daily cap"):
            await d.send("919812345678", "refused before queueing")
        assert d.stats().pending == 0
    assert clock() < INDIAN_EVENING + timedelta(minutes=1)
    assert len(picky_simulator.messages) == 5


# -- pushes that did not send ----------------------------------------------------


async def test_a_push_that_certainly_failed_gives_its_count_back(
    picky_simulator: Simulator,
) -> None:
    clock = LoopClock(INDIAN_EVENING)
    project = project_on(picky_simulator, daily_cap=10)
    fault = picky_simulator.faults.add(FaultKind.SERVER_ERROR, endpoint="push", times=1)
    async with dispatcher(picky_simulator, [project], clock) as d:
        await d.send_many(messages(10))
        assert d.stats().projects[0].sent_today == 10
    assert fault.hits == 1
    assert per_day(picky_simulator, clock) == {(project.name, DEC_1): 10}  # none waited a day


async def test_a_push_that_may_have_sent_keeps_its_count(picky_simulator: Simulator) -> None:
    clock = LoopClock(INDIAN_EVENING)
    project = project_on(picky_simulator, daily_cap=10)
    fault = picky_simulator.faults.add(FaultKind.LOST_ANSWER, endpoint="push", times=1)
    async with dispatcher(picky_simulator, [project], clock) as d:
        lost = await d.send_many(messages(4), return_exceptions=True)
        assert all(isinstance(r, pa.DeliveryUncertain) for r in lost)
        await d.send_many(messages(7, start=4))
    assert fault.hits == 1
    assert per_day(picky_simulator, clock) == {
        (project.name, DEC_1): 10,  # the 4 the service got, though unanswered, and 6
        (project.name, DEC_2): 1,
    }


class BrokenTallies(pa.OptOuts):
    """A store whose daily tallies fail: ``broken`` names the call that raises."""

    def __init__(self, broken: str) -> None:
        super().__init__()
        self.broken = broken

    def take_daily(self, tally: str, day: str, wanted: int, limit: int) -> int:
        if self.broken == "take_daily":
            raise OSError("disk full")
        return super().take_daily(tally, day, wanted, limit)

    def daily_count(self, tally: str, day: str) -> int:
        if self.broken == "daily_count":
            raise OSError("disk gone")
        return super().daily_count(tally, day)


async def test_a_push_the_store_cannot_count_fails_with_its_error(
    picky_simulator: Simulator,
) -> None:
    clock = LoopClock(INDIAN_EVENING)
    project = project_on(picky_simulator, daily_cap=10)
    with BrokenTallies("take_daily") as store:
        async with dispatcher(picky_simulator, [project], clock, opt_outs=store) as d:
            with pytest.raises(OSError, match="disk full"):
                await d.send("919812345678", "hi")
    assert picky_simulator.messages == []


async def test_a_project_whose_count_cannot_be_read_sends_nothing(
    picky_simulator: Simulator, caplog: pytest.LogCaptureFixture
) -> None:
    clock = LoopClock(INDIAN_EVENING)
    capped = project_on(picky_simulator, daily_cap=10)
    free = project_on(picky_simulator, seconds_per_message=0.01)
    with BrokenTallies("daily_count") as store:
        async with dispatcher(picky_simulator, [capped, free], clock, opt_outs=store) as d:
            await d.send_many(messages(20))
    assert per_day(picky_simulator, clock) == {(free.name, DEC_1): 20}
    assert "sends nothing: its daily count is unknown" in caplog.text


# -- options -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "error"),
    [
        ({"daily_cap": 0}, "daily_cap must be an int of at least 1"),
        ({"daily_cap": 2.5}, "daily_cap must be an int"),
        ({"warm_up": (50, 0)}, r"warm_up caps must be ints of at least 1, got 0 on day 1"),
        ({"warm_up": 50}, "warm_up must be a sequence"),
        ({"daily_cap": 100, "warm_up": (50, 150)}, "must not pass daily_cap=100, got 150"),
        ({"timezone": "Mars/Olympus"}, "timezone 'Mars/Olympus' is not a time zone"),
    ],
)
def test_bad_cap_options_are_refused(options: dict[str, Any], error: str) -> None:
    with pytest.raises(ValueError, match=error):
        pa.Project("token", **options)


def test_a_ramp_is_kept_as_a_tuple() -> None:
    assert pa.Project("token", warm_up=[50, 100]).warm_up == (50, 100)


def test_when_capped_must_be_wait_or_fail() -> None:
    with pytest.raises(ValueError, match="when_capped must be 'wait' or 'fail'"):
        pa.Dispatcher([pa.Project("token")], when_capped="drop")  # type: ignore[arg-type]
