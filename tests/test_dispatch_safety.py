"""The Dispatcher honours opt-outs and refuses repeated keys, on the Simulator."""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import pathlib
import sqlite3
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any

import pytest
from aiohttp import web

import picky_async as pa
from picky_async.safety import SafetyStore
from picky_async.testing import Simulator

pytestmark = pytest.mark.looptime

LIMIT = pa.RateLimit(90, 60.0)


@pytest.fixture
def opt_outs() -> Iterator[pa.OptOuts]:
    with pa.OptOuts() as store:
        yield store


def project_on(
    sim: Simulator, seconds_per_message: float = 0.001, webhook_url: str | None = None
) -> pa.Project:
    """A project on the Simulator, and the Dispatcher's view of it."""
    sim_project = sim.add_project(
        seconds_per_message=seconds_per_message, push_limit=LIMIT, webhook_url=webhook_url
    )
    return pa.Project(
        sim_project.token,
        name=sim_project.name,
        seconds_per_message=seconds_per_message,
        push_limit=LIMIT,
    )


def number(n: int) -> str:
    return f"9198{n:08d}"


def sent_numbers(sim: Simulator) -> list[str]:
    return [record.number for record in sim.messages]


async def test_send_and_submit_refuse_an_opted_out_number_before_queueing(
    picky_simulator: Simulator, opt_outs: pa.OptOuts
) -> None:
    opt_outs.add(number(1))
    project = project_on(picky_simulator)
    async with pa.Dispatcher([project], base_url=picky_simulator.base_url, opt_outs=opt_outs) as d:
        with pytest.raises(pa.OptedOut, match=number(1)):
            await d.send(f"+{number(1)[:2]} {number(1)[2:]}", "hello")
        with pytest.raises(pa.OptedOut):
            d.submit(number(1), "hello")
        receipt = await d.send(number(2), "hello")
        stats = d.stats()
    assert receipt.number == number(2)
    assert sent_numbers(picky_simulator) == [number(2)]
    assert (stats.opted_out, stats.failed, stats.sent) == (2, 0, 1)


async def test_stream_and_send_many_fail_only_the_opted_out_messages(
    picky_simulator: Simulator, opt_outs: pa.OptOuts
) -> None:
    opt_outs.add(number(3))
    opt_outs.add(number(5))
    messages = [pa.Message(number(n), "hello") for n in range(8)]
    project = project_on(picky_simulator)
    async with pa.Dispatcher([project], base_url=picky_simulator.base_url, opt_outs=opt_outs) as d:
        results = await d.send_many(messages, return_exceptions=True)
        errors = {o.index: o.error async for o in d.stream(messages) if o.error is not None}
        with pytest.raises(pa.OptedOut):
            await d.send_many(messages)
    assert [isinstance(r, pa.OptedOut) for r in results] == [n in (3, 5) for n in range(8)]
    assert set(errors) == {3, 5}
    assert all(isinstance(error, pa.OptedOut) for error in errors.values())
    assert number(3) not in sent_numbers(picky_simulator)
    assert number(5) not in sent_numbers(picky_simulator)
    assert len(sent_numbers(picky_simulator)) == 3 * 6


async def test_a_number_that_opts_out_while_queued_is_withdrawn_alone(
    picky_simulator: Simulator, opt_outs: pa.OptOuts
) -> None:
    # A slow phone: the first push fills its horizon, the rest wait in the queue.
    project = project_on(picky_simulator, seconds_per_message=1.0)
    messages = [pa.Message(number(n), "hello") for n in range(12)]
    async with pa.Dispatcher(
        [project], base_url=picky_simulator.base_url, opt_outs=opt_outs, horizon=4.0
    ) as d:
        campaign = asyncio.create_task(d.send_many(messages, return_exceptions=True))
        await asyncio.sleep(0.5)
        assert number(9) not in sent_numbers(picky_simulator)  # still waiting
        assert 0 < len(sent_numbers(picky_simulator)) < 9
        opt_outs.add(number(9))
        results = await campaign
    assert isinstance(results[9], pa.OptedOut)
    assert sum(isinstance(result, BaseException) for result in results) == 1
    assert sorted(sent_numbers(picky_simulator)) == [number(n) for n in range(12) if n != 9]
    # The phone takes two at a time here: 8 left alone in the push that was to carry 9.
    push_of = {record.number: record.push_id for record in picky_simulator.messages}
    assert push_of[number(6)] == push_of[number(7)]
    assert [n for n, push in push_of.items() if push == push_of[number(8)]] == [number(8)]
    assert d.stats().opted_out == 1


async def _no_reply(inbound: pa.InboundMessage) -> None:
    return None


@contextlib.asynccontextmanager
async def webhook(
    opt_outs: SafetyStore,
    callback: Callable[[pa.InboundMessage], Awaitable[pa.InstantReply | None]] = _no_reply,
    **options: Any,
) -> AsyncIterator[str]:
    """A webhook on 127.0.0.1 that records STOP and START in ``opt_outs`` before
    ``callback`` (``options`` are ``webhook_handler``'s); its URL."""
    app = web.Application()
    app.router.add_post("/picky", pa.webhook_handler(callback, opt_outs=opt_outs, **options))
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    try:
        yield f"http://127.0.0.1:{runner.addresses[0][1]}/picky"
    finally:
        await runner.cleanup()


async def test_a_stop_through_the_webhook_withdraws_a_waiting_message_and_start_undoes_it(
    picky_simulator: Simulator, opt_outs: pa.OptOuts
) -> None:
    async with webhook(opt_outs) as url:
        project = project_on(picky_simulator, seconds_per_message=1.0, webhook_url=url)
        (sim_project,) = picky_simulator.projects
        messages = [pa.Message(number(n), "hello") for n in range(8)]
        async with pa.Dispatcher(
            [project], base_url=picky_simulator.base_url, opt_outs=opt_outs, horizon=2.0
        ) as d:
            campaign = asyncio.create_task(d.send_many(messages, return_exceptions=True))
            await asyncio.sleep(0.5)
            await picky_simulator.inbound(sim_project, number(6), "STOP")
            results = await campaign
            await picky_simulator.inbound(sim_project, number(6), "start")
            await d.send(number(6), "welcome back")
    assert [n for n, result in enumerate(results) if isinstance(result, pa.OptedOut)] == [6]
    texts = [(record.number, record.text) for record in picky_simulator.messages]
    assert [text for n, text in texts if n == number(6)] == ["welcome back"]
    assert len(texts) == 8


async def test_a_store_that_fails_sends_nothing_unchecked(picky_simulator: Simulator) -> None:
    opt_outs = pa.OptOuts()
    project = project_on(picky_simulator, seconds_per_message=1.0)
    messages = [pa.Message(number(n), "hello") for n in range(6)]
    async with pa.Dispatcher(
        [project], base_url=picky_simulator.base_url, opt_outs=opt_outs, horizon=2.0
    ) as d:
        campaign = asyncio.create_task(d.send_many(messages, return_exceptions=True))
        await asyncio.sleep(0.5)
        opt_outs.close()
        results = await campaign
        with pytest.raises(sqlite3.ProgrammingError):
            await d.send(number(1), "hello")
    sent = sent_numbers(picky_simulator)
    assert 0 < len(sent) < 6
    assert all(isinstance(result, sqlite3.ProgrammingError) for result in results[len(sent) :])


async def test_a_journaled_campaign_is_screened_too(
    picky_simulator: Simulator, opt_outs: pa.OptOuts, tmp_path: pathlib.Path
) -> None:
    opt_outs.add(number(1))
    messages = [pa.Message(number(n), "hello", key=f"row-{n}") for n in range(3)]
    project = project_on(picky_simulator)
    async with (
        pa.Journal(tmp_path / "campaign.db") as journal,
        pa.Dispatcher([project], base_url=picky_simulator.base_url, opt_outs=opt_outs) as d,
    ):
        first = await d.send_many(messages, journal=journal, return_exceptions=True)
        again = [o async for o in d.stream(messages, journal=journal)]
    assert isinstance(first[1], pa.OptedOut)
    assert sorted(sent_numbers(picky_simulator)) == [number(0), number(2)]
    # the rerun resumes what was sent from the journal, and still refuses the opted-out one
    assert {o.index: (o.resumed, type(o.error)) for o in again} == {
        0: (True, type(None)),
        1: (False, pa.OptedOut),
        2: (True, type(None)),
    }


async def test_start_lets_a_number_get_messages_again(
    picky_simulator: Simulator, opt_outs: pa.OptOuts
) -> None:
    opt_outs.add(number(1))
    project = project_on(picky_simulator)
    async with pa.Dispatcher([project], base_url=picky_simulator.base_url, opt_outs=opt_outs) as d:
        with pytest.raises(pa.OptedOut):
            await d.send(number(1), "hello")
        opt_outs.remove(number(1))
        await d.send(number(1), "hello")
    assert sent_numbers(picky_simulator) == [number(1)]


async def test_a_key_sent_within_the_window_is_refused(
    picky_simulator: Simulator, opt_outs: pa.OptOuts
) -> None:
    project = project_on(picky_simulator)
    async with pa.Dispatcher([project], base_url=picky_simulator.base_url, opt_outs=opt_outs) as d:
        await d.send(number(1), "bill 7", key="bill-7")
        with pytest.raises(pa.Duplicate, match="bill-7"):
            await d.send(number(1), "bill 7", key="bill-7")
        results = await d.send_many(
            [pa.Message(number(2), "x", key="bill-7"), pa.Message(number(3), "x", key="bill-8")],
            return_exceptions=True,
        )
        assert d.stats().duplicates == 2
    assert isinstance(results[0], pa.Duplicate)
    assert sent_numbers(picky_simulator) == [number(1), number(3)]


async def test_repeats_queued_together_are_sent_once(
    picky_simulator: Simulator, opt_outs: pa.OptOuts
) -> None:
    project = project_on(picky_simulator)
    async with pa.Dispatcher([project], base_url=picky_simulator.base_url, opt_outs=opt_outs) as d:
        futures = [d.submit(number(n), "hello", key="same") for n in range(3)]
        results = await asyncio.gather(*futures, return_exceptions=True)
    assert [isinstance(result, pa.Duplicate) for result in results] == [False, True, True]
    assert sent_numbers(picky_simulator) == [number(0)]


async def test_a_key_sent_before_the_window_is_sent_again(
    picky_simulator: Simulator, opt_outs: pa.OptOuts
) -> None:
    opt_outs.record_sent(["old"], at=time.time() - 120)
    opt_outs.record_sent(["recent"], at=time.time() - 30)
    project = project_on(picky_simulator)
    async with pa.Dispatcher(
        [project],
        base_url=picky_simulator.base_url,
        opt_outs=opt_outs,
        repeat_window=datetime.timedelta(minutes=1),
    ) as d:
        await d.send(number(1), "hello", key="old")
        with pytest.raises(pa.Duplicate):
            await d.send(number(1), "hello", key="recent")
    assert sent_numbers(picky_simulator) == [number(1)]
    sent_at = opt_outs.sent_at("old")
    assert sent_at is not None
    assert time.time() - sent_at < 60  # recorded anew


async def test_keys_are_remembered_across_a_restart(
    picky_simulator: Simulator, tmp_path: pathlib.Path
) -> None:
    path = tmp_path / "optouts.db"
    project = project_on(picky_simulator)
    with pa.OptOuts(path) as first:
        async with pa.Dispatcher([project], base_url=picky_simulator.base_url, opt_outs=first) as d:
            await d.send(number(1), "hello", key="welcome-1")
    with pa.OptOuts(path) as second:
        async with pa.Dispatcher(
            [project], base_url=picky_simulator.base_url, opt_outs=second
        ) as d:
            with pytest.raises(pa.Duplicate):
                await d.send(number(1), "hello", key="welcome-1")
            await d.send(number(1), "hello", key="welcome-2")
    assert len(sent_numbers(picky_simulator)) == 2


async def test_messages_without_keys_may_repeat(
    picky_simulator: Simulator, opt_outs: pa.OptOuts
) -> None:
    project = project_on(picky_simulator)
    async with pa.Dispatcher([project], base_url=picky_simulator.base_url, opt_outs=opt_outs) as d:
        await d.send(number(1), "hello")
        await d.send(number(1), "hello")
        await d.send_many([pa.Message(number(1), "hello")] * 2)
    assert sent_numbers(picky_simulator) == [number(1)] * 4


async def test_repeat_window_none_sends_repeats(
    picky_simulator: Simulator, opt_outs: pa.OptOuts
) -> None:
    project = project_on(picky_simulator)
    async with pa.Dispatcher(
        [project], base_url=picky_simulator.base_url, opt_outs=opt_outs, repeat_window=None
    ) as d:
        await d.send(number(1), "hello", key="k")
        await d.send(number(1), "hello", key="k")
    assert len(sent_numbers(picky_simulator)) == 2
    assert opt_outs.sent_at("k") is None


async def test_without_opt_outs_nothing_is_screened(picky_simulator: Simulator) -> None:
    project = project_on(picky_simulator)
    async with pa.Dispatcher([project], base_url=picky_simulator.base_url) as d:
        await d.send(number(1), "hello", key="k")
        await d.send(number(1), "hello", key="k")
        stats = d.stats()
    assert len(sent_numbers(picky_simulator)) == 2
    assert (stats.opted_out, stats.duplicates) == (0, 0)


@pytest.mark.parametrize("window", [0, -1.0, datetime.timedelta(0)])
def test_a_repeat_window_must_be_positive(window: float | datetime.timedelta) -> None:
    with pytest.raises(ValueError, match="repeat_window"):
        pa.Dispatcher([pa.Project("t" * 20)], repeat_window=window)


def test_a_repeat_window_longer_than_the_store_keeps_keys_is_refused() -> None:
    """The store prunes keys after keep_keys: a longer window would pass repeats silently."""
    with pa.OptOuts(keep_keys=3600) as store:
        with pytest.raises(ValueError, match="longer than the opt-out store keeps"):
            pa.Dispatcher([pa.Project("t" * 20)], opt_outs=store, repeat_window=3601)
        pa.Dispatcher([pa.Project("t" * 20)], opt_outs=store, repeat_window=3600)
