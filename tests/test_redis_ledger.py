"""RedisLedger: what every process sharing a token sees, against a real redis-server.

Real time throughout (Redis keeps its own clock), with phones of milliseconds.
"""

from __future__ import annotations

import asyncio
import collections
import logging
import pathlib
from collections.abc import AsyncIterator
from typing import Any

import pytest
import redis.asyncio

import picky_async as pa
from picky_async.dispatch._ledger import Health
from picky_async.redis import RedisLedger
from picky_async.redis._ledger import SharedLedger
from picky_async.testing import ProjectState, RedisServer, Simulator

SPEED = 0.005
PUSH_LIMIT = pa.RateLimit(4, 0.5)


def project(
    token: str = "token-of-a-phone",
    *,
    name: str | None = None,
    seconds_per_message: float = SPEED,
    push_limit: pa.RateLimit = PUSH_LIMIT,
) -> pa.Project:
    return pa.Project(
        token, name=name, seconds_per_message=seconds_per_message, push_limit=push_limit
    )


@pytest.fixture
async def store(redis_url: str) -> AsyncIterator[RedisLedger]:
    ledger = RedisLedger(redis_url, namespace="tests")
    await ledger.open()
    yield ledger
    await ledger.close()


def two_processes(store: RedisLedger, the_project: pa.Project) -> tuple[SharedLedger, SharedLedger]:
    """The ledgers two processes would hold for one project (one owner each)."""
    return (
        store.ledger_for(the_project, timeout=0.2, horizon=1.0),
        store.ledger_for(the_project, timeout=0.2, horizon=1.0),
    )


async def test_the_push_window_counts_every_process(store: RedisLedger) -> None:
    a, b = two_processes(store, project(push_limit=pa.RateLimit(3, 1.0)))
    loop = asyncio.get_running_loop()
    for ledger in (a, b, a):
        assert await ledger.reserve_push(1, high=True) is None
        ledger.record_push(loop.time())
    retry_at = await b.reserve_push(1, high=True)
    assert retry_at is not None
    assert 0.9 < retry_at - loop.time() <= 1.02  # the oldest leaves the window (+2 %)
    assert b.push_ready_at(loop.time()) == retry_at


async def test_one_push_in_flight_per_token_across_processes(store: RedisLedger) -> None:
    a, b = two_processes(store, project())
    loop = asyncio.get_running_loop()
    assert await a.reserve_push(1, high=False) is None
    assert await b.reserve_push(1, high=False) is not None  # a holds the lease
    a.record_push(loop.time())
    assert await b.reserve_push(1, high=False) is None


async def test_a_dead_holders_lease_expires(store: RedisLedger) -> None:
    a, b = two_processes(store, project())
    assert await a.reserve_push(1, high=False) is None  # and a dies before its answer
    started = asyncio.get_running_loop().time()
    retry_at = await b.reserve_push(1, high=False)
    while retry_at is not None:  # as the scheduler does: ask again when told
        await asyncio.sleep(retry_at - asyncio.get_running_loop().time())
        retry_at = await b.reserve_push(1, high=False)
    waited = asyncio.get_running_loop().time() - started
    assert 2.0 < waited < 3.0  # the timeout (0.2 s) and the lease's margin (2 s)


async def test_high_priority_goes_next_across_processes(store: RedisLedger) -> None:
    the_project = project()
    a, b = two_processes(store, the_project)
    c = store.ledger_for(the_project, timeout=0.2, horizon=1.0)
    loop = asyncio.get_running_loop()
    assert await a.reserve_push(1, high=False) is None
    assert await b.reserve_push(1, high=True) is not None  # waits, and claims the next push
    a.record_push(loop.time())
    assert await c.reserve_push(1, high=False) is not None  # low waits behind the claim
    assert await b.reserve_push(1, high=True) is None
    b.record_push(loop.time())
    assert await c.reserve_push(1, high=False) is None


async def test_the_horizon_holds_for_all_processes(store: RedisLedger) -> None:
    a, b = two_processes(store, project(token="slow", seconds_per_message=0.1))
    loop = asyncio.get_running_loop()
    assert await a.reserve_push(8, high=False) is None  # 0.8 s of a 1 s horizon
    a.record_push(loop.time())
    retry_at = await b.reserve_push(5, high=False)
    assert retry_at is not None
    assert 0.25 < retry_at - loop.time() <= 0.3  # until 0.5 s of room
    assert b.backlog(loop.time()) == pytest.approx(0.8, abs=0.02)  # what a pushed, seen by b
    assert await b.reserve_push(5, high=True) is None  # high priority skips the horizon


async def test_health_is_shared_and_one_process_probes(store: RedisLedger) -> None:
    a, b = two_processes(store, project())
    loop = asyncio.get_running_loop()
    a.suspend(loop.time(), pa.DeviceNotFound("the phone is offline"))
    assert await b.reserve_push(1, high=False) is not None
    assert b.health is Health.SUSPENDED
    assert "the phone is offline" in str(b.last_error)
    assert await b.reserve_status(probe=True) is not None  # not before the backoff
    await asyncio.sleep(max(0.0, b.resume_at - loop.time()))
    assert await b.reserve_status(probe=True) is None  # b probes...
    assert await a.reserve_status(probe=True) is not None  # ...alone
    b.recover()
    b.record_status(loop.time())
    assert await a.reserve_status(probe=True) is not None
    assert a.health is Health.HEALTHY  # back for a too
    assert await a.reserve_push(1, high=False) is None


async def redis_dump(url: str) -> list[str]:
    """Every key in Redis, and every field, value and member under it."""
    client = redis.asyncio.Redis.from_url(url, decode_responses=True)
    dump: list[Any] = []
    async for key in client.scan_iter("*"):
        dump.append(key)
        kind = await client.type(key)
        if kind == "hash":
            for field, value in (await client.hgetall(key)).items():
                dump += [field, value]
        elif kind == "zset":
            dump += await client.zrange(key, 0, -1)
        elif kind == "string":
            dump.append(await client.get(key))
    await client.aclose()
    return dump


async def test_no_token_reaches_redis(redis_url: str) -> None:
    token = "a-secret-token-0123456789"
    async with Simulator() as sim:
        sim.add_project(token, seconds_per_message=SPEED)
        ledger = RedisLedger(redis_url, namespace="shop", secret="s3cret")
        async with pa.Dispatcher([project(token)], base_url=sim.base_url, ledger=ledger) as d:
            await d.send("919876543210", "hello")
            assert token not in repr(d.stats())
    dump = await redis_dump(redis_url)
    keys = [key for key in dump if key.startswith("picky:")]
    assert keys
    assert all(key.startswith("picky:shop:{") for key in keys)
    assert not any(token in item for item in dump)
    assert token not in repr(ledger)


def test_keys_depend_on_token_namespace_and_secret() -> None:
    def state_key(token: str, namespace: str = "shop", secret: str = "s") -> str:
        ledger = RedisLedger(namespace=namespace, secret=secret)
        return repr(ledger.ledger_for(project(token), timeout=1.0, horizon=1.0))

    assert state_key("t1") == state_key("t1")  # every process finds the same keys
    assert (
        len(
            {
                state_key("t1"),
                state_key("t2"),
                state_key("t1", "other"),
                state_key("t1", secret="x"),
            }
        )
        == 4
    )


def test_bad_options_are_refused_before_any_connection() -> None:
    with pytest.raises(ValueError, match="redis://"):
        RedisLedger("http://127.0.0.1:6379")
    with pytest.raises(ValueError, match="namespace"):
        RedisLedger(namespace="")
    assert "hunter2" not in repr(RedisLedger("redis://:hunter2@127.0.0.1:6379/0"))


# -- dispatchers -----------------------------------------------------------


def sim_projects(sim: Simulator, count: int) -> list[pa.Project]:
    projects = []
    for _ in range(count):
        sim_project = sim.add_project(seconds_per_message=SPEED, push_limit=PUSH_LIMIT)
        projects.append(project(sim_project.token, name=sim_project.name))
    return projects


def campaign(worker: int, count: int) -> list[pa.Message]:
    return [pa.Message(f"91980{worker}{n:06d}", f"hello {worker} {n}") for n in range(count)]


async def test_two_dispatchers_share_three_tokens_within_every_limit(redis_url: str) -> None:
    async with Simulator() as sim:
        projects = sim_projects(sim, 3)
        ledger = RedisLedger(redis_url, namespace="two")

        async def worker(number: int) -> list[pa.Receipt]:
            async with pa.Dispatcher(
                projects, base_url=sim.base_url, ledger=ledger, horizon=0.1, max_batch=20
            ) as d:
                return await d.send_many(campaign(number, 300))

        receipts = await asyncio.gather(worker(1), worker(2))
    assert [len(r) for r in receipts] == [300, 300]
    assert sum(sim.stats.over_limit.values()) == 0
    accepted = collections.Counter((m.number, m.text) for m in sim.messages)
    assert len(accepted) == 600
    assert max(accepted.values()) == 1


async def test_a_phone_down_for_one_dispatcher_is_down_for_all(redis_url: str) -> None:
    async with Simulator() as sim:
        projects = sim_projects(sim, 2)
        sim.projects[0].state = ProjectState.OFFLINE
        ledger = RedisLedger(redis_url, namespace="health")
        async with (
            pa.Dispatcher(projects, base_url=sim.base_url, ledger=ledger, horizon=0.1) as d1,
            pa.Dispatcher(projects, base_url=sim.base_url, ledger=ledger, horizon=0.1) as d2,
        ):
            await asyncio.gather(d1.send_many(campaign(1, 100)), d2.send_many(campaign(2, 100)))
            healths = {d.stats().projects[0].health for d in (d1, d2)}
    offline_pushes = [r for r in sim.requests if r.endpoint == "push" and r.project == "project-1"]
    assert len(offline_pushes) == 1  # the first one's answer stopped every dispatcher
    assert healths == {"suspended"}
    assert len(sim.messages) == 200


async def test_redis_down_holds_every_push_until_it_is_back(
    own_redis_server: RedisServer, caplog: pytest.LogCaptureFixture
) -> None:
    async with Simulator() as sim:
        projects = sim_projects(sim, 2)
        ledger = RedisLedger(own_redis_server.url, namespace="down")
        async with pa.Dispatcher(projects, base_url=sim.base_url, ledger=ledger) as d:
            await d.send("919876543210", "before")
            own_redis_server.stop()
            with caplog.at_level(logging.ERROR, "picky_async.redis"):
                sent = asyncio.ensure_future(d.send("919876543211", "while down"))
                await asyncio.sleep(0.5)
            assert not sent.done()
            assert not d.stats().ledger_reachable
            assert [m.text for m in sim.messages] == ["before"]  # no push on a guess
            assert "Redis does not answer" in caplog.text
            own_redis_server.start()
            await asyncio.wait_for(sent, 10)
            assert d.stats().ledger_reachable
    assert [m.text for m in sim.messages] == ["before", "while down"]


async def test_while_redis_is_down_callers_may_give_up_and_close_may_abandon(
    own_redis_server: RedisServer,
) -> None:
    async with Simulator() as sim:
        projects = sim_projects(sim, 1)
        ledger = RedisLedger(own_redis_server.url, namespace="down")
        d = pa.Dispatcher(projects, base_url=sim.base_url, ledger=ledger, linger=0)
        async with d:
            await d.send("919876543210", "before")
            own_redis_server.stop()
            with pytest.raises(TimeoutError):
                await asyncio.wait_for(d.send("919876543211", "given up"), 0.3)
            waiting = asyncio.ensure_future(d.send("919876543212", "abandoned"))
            await asyncio.sleep(0.1)
            await asyncio.wait_for(d.close(drain=False), 5)  # does not wait for Redis
            with pytest.raises(pa.DispatcherClosed) as closed:
                await waiting
            assert [m.text for m in closed.value.messages] == ["abandoned"]
        own_redis_server.start()
    assert [m.text for m in sim.messages] == ["before"]


async def test_one_process_polls_the_phone_for_all(store: RedisLedger) -> None:
    a, b = two_processes(store, project(token="polled", seconds_per_message=0.1))
    loop = asyncio.get_running_loop()
    assert await a.reserve_push(5, high=False) is None
    a.record_push(loop.time())
    assert await a.reserve_status(probe=False) is None
    retry_at = await b.reserve_status(probe=False)
    assert retry_at is not None  # a polls for both
    assert retry_at - loop.time() == pytest.approx(40.0, abs=0.1)  # 2 x 60 s / 3 requests
    a.correct(loop.time(), 1)  # the phone had only one message left
    a.record_status(loop.time())
    assert await b.reserve_push(1, high=False) is None
    assert b.backlog(loop.time()) == pytest.approx(0.2, abs=0.02)  # its own push and that one


async def test_a_high_priority_message_waits_behind_at_most_one_push_of_another_process(
    redis_url: str,
) -> None:
    async with Simulator() as sim:
        projects = sim_projects(sim, 1)
        ledger = RedisLedger(redis_url, namespace="priority")
        async with (
            pa.Dispatcher(projects, base_url=sim.base_url, ledger=ledger, horizon=0.05) as busy,
            pa.Dispatcher(projects, base_url=sim.base_url, ledger=ledger, linger=0) as urgent,
        ):
            campaign_sent = asyncio.ensure_future(busy.send_many(campaign(1, 200)))
            await asyncio.sleep(0.3)  # the campaign keeps the phone busy
            asked_at = asyncio.get_running_loop().time()
            await urgent.send("919876543210", "urgent", priority=pa.Priority.HIGH)
            await campaign_sent
    (urgent_message,) = [m for m in sim.messages if m.text == "urgent"]
    pushes_before = [
        r for r in sim.requests if asked_at <= r.arrived_at < urgent_message.accepted_at
    ]
    assert len(pushes_before) <= 1  # the push in flight when it was asked for, at most
    assert len(sim.messages) == 201


async def test_a_redis_that_lost_its_data_holds_pushes_for_a_window(
    own_redis_server: RedisServer, caplog: pytest.LogCaptureFixture
) -> None:
    async with Simulator() as sim:
        projects = sim_projects(sim, 1)
        ledger = RedisLedger(own_redis_server.url, namespace="lost")
        async with pa.Dispatcher(projects, base_url=sim.base_url, ledger=ledger, linger=0) as d:
            await d.send("919876543210", "before")
            own_redis_server.kill()  # no save: the windows are gone
            own_redis_server.start()
            loop = asyncio.get_running_loop()
            asked_at = loop.time()
            with caplog.at_level(logging.ERROR, "picky_async.redis"):
                await asyncio.wait_for(d.send("919876543211", "after"), 10)
            waited = loop.time() - asked_at
    assert waited >= PUSH_LIMIT.period  # what Redis forgot could still count until then
    assert "Redis lost the state of a project" in caplog.text
    assert [m.text for m in sim.messages] == ["before", "after"]


async def test_a_journal_works_per_process_beside_a_shared_ledger(
    redis_url: str, tmp_path: pathlib.Path
) -> None:
    async with Simulator() as sim:
        projects = sim_projects(sim, 2)
        ledger = RedisLedger(redis_url, namespace="journal")
        messages = campaign(1, 60)

        async def run() -> list[pa.Outcome]:
            async with (
                pa.Journal(tmp_path / "campaign.db") as journal,
                pa.Dispatcher(projects, base_url=sim.base_url, ledger=ledger) as d,
            ):
                return [o async for o in d.stream(messages, journal=journal)]

        first, again = await run(), await run()
    assert all(o.ok and not o.resumed for o in first)
    assert all(o.ok and o.resumed for o in again)  # nothing sent twice
    assert len(sim.messages) == 60
