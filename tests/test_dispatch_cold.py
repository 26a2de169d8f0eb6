"""The Dispatcher's cold-contact limit: a daily count of messages to numbers that never wrote."""

from __future__ import annotations

import asyncio
import pathlib
import sqlite3
from collections.abc import Iterator
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest
from loop_clock import LoopClock
from test_dispatch_quiet import INDIA, NEW_YORK
from test_dispatch_safety import number, project_on, sent_numbers, webhook

import picky_async as pa
from picky_async.testing import Simulator

pytestmark = pytest.mark.looptime

# 1 December 2026, 22:00 in India: far from midnight, so a test's day never turns.
EVENING = datetime(2026, 12, 1, 22, 0, tzinfo=INDIA)
TODAY = "2026-12-01"


class CountedStore(pa.OptOuts):
    """An opt-out store that counts the tally writes the dispatcher makes."""

    takes = 0

    def take_daily(self, tally: str, day: str, wanted: int, limit: int) -> int:
        self.takes += 1
        return super().take_daily(tally, day, wanted, limit)


@pytest.fixture
def store() -> Iterator[CountedStore]:
    opened = CountedStore()
    with opened:
        yield opened


def wrote(store: pa.OptOuts, *numbers: str) -> None:
    """Record an inbound message of each of ``numbers``, as the webhook does."""
    for n, sender in enumerate(numbers):
        store.record(pa.InboundMessage(sender, "hi", unique_id=f"in-{n}"))


def cold_dispatcher(
    sim: Simulator, store: pa.OptOuts, limit: int, clock: LoopClock, **options: object
) -> pa.Dispatcher:
    """A dispatcher on one fast phone of ``sim``, with a cold-contact limit."""
    return pa.Dispatcher(
        [project_on(sim)],
        base_url=sim.base_url,
        opt_outs=store,
        cold_limit=limit,
        clock=clock,
        **options,  # type: ignore[arg-type]  # the few options these tests pass
    )


async def test_numbers_that_wrote_are_never_limited(
    picky_simulator: Simulator, store: CountedStore
) -> None:
    warm = [number(n) for n in range(6)]
    wrote(store, *warm)
    async with cold_dispatcher(picky_simulator, store, 1, LoopClock(EVENING)) as d:
        for n in warm:
            await d.send(n, "hello")
        await d.send_many([pa.Message(n, "again") for n in warm])
        stats = d.stats()
    assert len(sent_numbers(picky_simulator)) == 12
    assert stats.cold_refused == 0
    assert store.daily_count("cold", TODAY) == 0
    assert store.takes == 0  # warm messages cost no write


async def test_send_and_submit_stop_at_the_limit_before_queueing(
    picky_simulator: Simulator, store: CountedStore
) -> None:
    wrote(store, number(9))
    async with cold_dispatcher(picky_simulator, store, 2, LoopClock(EVENING)) as d:
        await d.send(number(1), "hello")
        first = d.submit(number(2), "hello")
        with pytest.raises(pa.ColdLimitReached, match=rf"{number(3)} never wrote.*limit \(2\)"):
            await d.send(number(3), "hello")
        with pytest.raises(pa.CapReached):
            d.submit(number(4), "hello")  # raised at once: nothing queued
        await first
        await d.send(number(9), "a reply")  # warm: still goes
        stats = d.stats()
    assert sent_numbers(picky_simulator) == [number(1), number(2), number(9)]
    assert (stats.cold_refused, stats.failed, stats.sent) == (2, 0, 3)
    assert store.daily_count("cold", TODAY) == 2


async def test_a_campaign_counts_its_cold_messages_in_one_step_and_fails_those_beyond(
    picky_simulator: Simulator, store: CountedStore
) -> None:
    wrote(store, *(number(n) for n in range(0, 40, 2)))  # the even ones wrote
    messages = [pa.Message(number(n), "sale") for n in range(40)]
    async with cold_dispatcher(picky_simulator, store, 5, LoopClock(EVENING)) as d:
        results = await d.send_many(messages, return_exceptions=True)
        assert store.takes == 1  # one write for the 20 cold messages of the chunk
        outcomes = {o.index: o.error async for o in d.stream(messages)}
        with pytest.raises(pa.CapReached):
            await d.send_many(messages)
        stats = d.stats()
    refused = [n for n, result in enumerate(results) if isinstance(result, pa.CapReached)]
    assert refused == list(range(11, 40, 2))  # the first five cold ones went, in order
    assert not any(isinstance(r, BaseException) for n, r in enumerate(results) if n % 2 == 0)
    assert {n for n, error in outcomes.items() if error is not None} == set(range(1, 40, 2))
    assert all(isinstance(outcomes[n], pa.CapReached) for n in range(1, 40, 2))
    assert stats.cold_refused == 15 + 20 + 20
    cold_sent = [n for n in sent_numbers(picky_simulator) if int(n[-2:]) % 2]
    assert sorted(cold_sent) == [number(n) for n in (1, 3, 5, 7, 9)]
    assert store.daily_count("cold", TODAY) == 5


async def test_refused_for_another_reason_a_cold_message_takes_no_count(
    picky_simulator: Simulator, store: CountedStore
) -> None:
    store.add(number(1))
    async with cold_dispatcher(picky_simulator, store, 1, LoopClock(EVENING)) as d:
        with pytest.raises(pa.OptedOut):
            await d.send(number(1), "hello")
        results = await d.send_many([pa.Message(number(1), "x")], return_exceptions=True)
        await d.send(number(2), "hello")
    assert isinstance(results[0], pa.OptedOut)
    assert sent_numbers(picky_simulator) == [number(2)]


@pytest.mark.parametrize("zone", [INDIA, NEW_YORK])
async def test_the_limit_resets_at_midnight_of_the_default_timezone(
    picky_simulator: Simulator, store: CountedStore, zone: ZoneInfo
) -> None:
    # One minute before midnight there, told in UTC: the day is the zone's, not the clock's.
    clock = LoopClock(datetime(2026, 12, 1, 23, 59, tzinfo=zone).astimezone(timezone.utc))
    async with cold_dispatcher(picky_simulator, store, 1, clock, default_timezone=str(zone)) as d:
        await d.send(number(1), "hello")
        with pytest.raises(pa.CapReached):
            await d.send(number(2), "hello")
        await asyncio.sleep(90)  # past midnight there
        await d.send(number(2), "hello")
        with pytest.raises(pa.CapReached):
            await d.send(number(3), "hello")
    assert sent_numbers(picky_simulator) == [number(1), number(2)]
    assert (store.daily_count("cold", TODAY), store.daily_count("cold", "2026-12-02")) == (1, 1)


async def test_dispatchers_sharing_a_store_file_share_the_limit(
    picky_simulator: Simulator, tmp_path: pathlib.Path
) -> None:
    path = tmp_path / "safety.db"
    clock = LoopClock(EVENING)
    with pa.OptOuts(path) as one, pa.OptOuts(path) as other:
        async with (
            cold_dispatcher(picky_simulator, one, 3, clock) as first,
            cold_dispatcher(picky_simulator, other, 3, clock) as second,
        ):
            await first.send(number(1), "hello")
            await first.send(number(2), "hello")
            results = await second.send_many(
                [pa.Message(number(n), "hello") for n in (3, 4)], return_exceptions=True
            )
            with pytest.raises(pa.CapReached):
                await first.send(number(5), "hello")
    assert isinstance(results[1], pa.CapReached)
    assert sorted(sent_numbers(picky_simulator)) == [number(n) for n in (1, 2, 3)]


async def test_a_number_that_writes_after_being_refused_is_warm_at_once(
    picky_simulator: Simulator, store: CountedStore
) -> None:
    async with webhook(store) as url:
        phone = picky_simulator.add_project(webhook_url=url)
        async with cold_dispatcher(picky_simulator, store, 1, LoopClock(EVENING)) as d:
            await d.send(number(1), "hello")
            with pytest.raises(pa.CapReached):
                await d.send(number(2), "hello")
            await picky_simulator.inbound(phone, number(2), "what is this about?")
            await d.send(number(2), "an answer")
    assert store.wrote(number(2))
    assert sent_numbers(picky_simulator) == [number(1), number(2)]
    assert store.daily_count("cold", TODAY) == 1


class NoHistory(pa.OptOuts):
    """A store whose history of who wrote cannot be read."""

    def wrote(self, number: str) -> bool:
        raise sqlite3.OperationalError("disk I/O error")


async def test_a_store_that_cannot_tell_who_wrote_sends_nothing_unjudged(
    picky_simulator: Simulator,
) -> None:
    with NoHistory() as store:
        async with cold_dispatcher(picky_simulator, store, 5, LoopClock(EVENING)) as d:
            with pytest.raises(sqlite3.OperationalError):
                await d.send(number(1), "hello")
            results = await d.send_many(
                [pa.Message(number(n), "x") for n in range(3)], return_exceptions=True
            )
            stats = d.stats()
    assert all(isinstance(result, sqlite3.OperationalError) for result in results)
    assert (stats.cold_refused, stats.sent) == (0, 0)
    assert sent_numbers(picky_simulator) == []


async def test_a_naive_clock_is_refused_when_it_is_read(
    picky_simulator: Simulator, store: CountedStore
) -> None:
    def naive() -> datetime:
        return datetime(2026, 12, 1, 12, 0)

    async with pa.Dispatcher(
        [project_on(picky_simulator)],
        base_url=picky_simulator.base_url,
        opt_outs=store,
        cold_limit=1,
        clock=naive,
    ) as d:
        with pytest.raises(ValueError, match="aware"):
            await d.send(number(1), "hello")
    assert sent_numbers(picky_simulator) == []


def test_cold_limit_needs_a_store() -> None:
    with pytest.raises(ValueError, match="cold_limit needs opt_outs"):
        pa.Dispatcher([pa.Project("t" * 20)], cold_limit=10)


@pytest.mark.parametrize("limit", [0, -5])
def test_cold_limit_must_be_at_least_one(store: CountedStore, limit: int) -> None:
    with pytest.raises(ValueError, match=f"cold_limit must be at least 1.*not {limit}"):
        pa.Dispatcher([pa.Project("t" * 20)], opt_outs=store, cold_limit=limit)


@pytest.mark.parametrize("limit", [2.5, "10", True])
def test_cold_limit_must_be_an_int(store: CountedStore, limit: object) -> None:
    with pytest.raises(TypeError, match="cold_limit must be an int"):
        pa.Dispatcher([pa.Project("t" * 20)], opt_outs=store, cold_limit=limit)  # type: ignore[arg-type]


def test_a_cold_limit_checks_the_default_timezone(store: CountedStore) -> None:
    with pytest.raises(ValueError, match="Mars/Olympus"):
        pa.Dispatcher(
            [pa.Project("t" * 20)], opt_outs=store, cold_limit=1, default_timezone="Mars/Olympus"
        )


async def test_a_send_refused_for_a_full_queue_takes_no_cold_count(
    picky_simulator: Simulator, store: CountedStore
) -> None:
    """Retrying ``submit`` on a full queue (backpressure) must not use up the day's limit."""
    wrote(store, number(9))
    async with cold_dispatcher(picky_simulator, store, 1, LoopClock(EVENING), max_pending=1) as d:
        waiting = d.submit(number(9), "a reply")  # the queue is full until it is routed
        for _ in range(3):
            with pytest.raises(asyncio.QueueFull):
                d.submit(number(1), "hello")
            with pytest.raises(asyncio.QueueFull):
                await d.send(number(1), "hello", block=False)
        assert store.daily_count("cold", TODAY) == 0
        await waiting
        await d.send(number(1), "hello")  # the day's one cold message
    assert sent_numbers(picky_simulator) == [number(9), number(1)]
    assert store.daily_count("cold", TODAY) == 1
