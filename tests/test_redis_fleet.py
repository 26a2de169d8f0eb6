"""Worker processes sharing the same tokens stay within the service's limits through Redis.

Each test runs a fleet (``benchmarks._fleet.run_fleet``): separate OS
processes, each with its own Dispatcher over the same 10 projects, against
one Simulator in this process, with phones of 20 ms a message and limits
scaled to match. The first two show that the harness sees the problem of
issue 12 when every worker keeps its own ledger, the requests made while
Redis is down and what a killed worker left (tests/test_fleet_measure.py
checks its arithmetic); the others
share a ``RedisLedger`` and must not overstep, even when a worker dies or
Redis restarts mid-run.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import redis

from benchmarks._fleet import Fleet, FleetResult, RedisRestart, run_fleet
from picky_async.testing import RedisServer

FLEET = Fleet(processes=4, messages=2_500)  # 5 s of phone time: start-up weighs little
TIMEOUT = 20.0  # seconds a fleet may take before its workers show where they wait


def _everyone_finished(result: FleetResult) -> None:
    """Every message of the live workers was accepted once and sent."""
    assert result.usage.duplicates == 0
    assert result.live.accepted == result.live.planned
    assert result.live.sent == result.live.planned
    for report in result.workers:
        assert report is None or report.failed == 0


READERS: dict[str, Callable[[redis.Redis, str], list[Any]]] = {
    "string": lambda client, key: [client.get(key)],
    "hash": lambda client, key: [item for pair in client.hgetall(key).items() for item in pair],
    "list": lambda client, key: client.lrange(key, 0, -1),
    "set": lambda client, key: list(client.smembers(key)),
    "zset": lambda client, key: client.zrange(key, 0, -1),
}
"""How to read each kind of Redis value (a hash's field names too)."""


def _stored(url: str) -> str:
    """Every key and value in the Redis at ``url``, one a line."""
    stored: list[Any] = []
    with redis.Redis.from_url(url, decode_responses=True) as client:
        for key in client.scan_iter():
            stored += [key, *READERS[client.type(key)](client, key)]
    return "\n".join(map(str, stored))


async def test_separate_ledgers_overstep_the_service() -> None:
    result = await run_fleet(FLEET, timeout=TIMEOUT)

    _everyone_finished(result)
    assert result.usage.over_limit > 0 or result.usage.peak_queue > FLEET.queue_bound


async def test_the_harness_sees_requests_while_down_and_what_a_killed_worker_left(
    own_redis_server: RedisServer,
) -> None:
    restart = RedisRestart(own_redis_server, after=0.5, down=0.5)
    result = await run_fleet(FLEET, kill_one_after=0.5, restart_redis=restart, timeout=TIMEOUT)

    assert result.requests_while_down is not None
    assert result.requests_while_down > 0  # in-process ledgers never ask Redis
    assert result.workers.count(None) == 1
    assert result.killed is not None
    assert result.killed.accepted < result.killed.planned  # it died mid-run
    assert result.killed.sent == result.killed.accepted  # phones send what they took
    _everyone_finished(result)
    assert own_redis_server.running


async def test_a_worker_still_running_at_the_timeout_says_where_it_waits() -> None:
    with pytest.raises(TimeoutError, match=r"still running after 0\.5 s") as raised:
        await run_fleet(Fleet(processes=1, messages=2_000), timeout=0.5)  # 4 s of phone time

    assert "fleet_worker.py" in str(raised.value)
    assert " send_many -> " in str(raised.value)  # each task's chain of awaits


async def test_a_shared_ledger_keeps_the_fleet_within_the_limits(redis_url: str) -> None:
    result = await run_fleet(FLEET, redis_url=redis_url, timeout=TIMEOUT)

    _everyone_finished(result)
    assert result.usage.over_limit == 0
    assert result.usage.peak_queue <= FLEET.queue_bound
    assert result.makespan_ratio <= 1.25
    stored = _stored(redis_url)
    assert stored  # the ledger was in Redis...
    assert not any(token in stored for token in result.tokens)  # ...without a token


async def test_the_others_finish_when_one_worker_is_killed(redis_url: str) -> None:
    result = await run_fleet(FLEET, redis_url=redis_url, kill_one_after=1.0, timeout=TIMEOUT)

    assert result.workers.count(None) == 1
    assert result.killed is not None
    assert result.killed.accepted < result.killed.planned  # it died mid-run
    _everyone_finished(result)
    assert result.usage.over_limit == 0
    assert "push-lease" not in _stored(redis_url)  # released, or expired with its holder


async def test_no_request_while_redis_is_down(own_redis_server: RedisServer) -> None:
    restart = RedisRestart(own_redis_server, after=1.0, down=0.5)
    result = await run_fleet(
        FLEET, redis_url=own_redis_server.url, restart_redis=restart, timeout=TIMEOUT
    )

    assert result.requests_while_down == 0
    _everyone_finished(result)
    assert result.usage.over_limit == 0
