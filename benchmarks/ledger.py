"""Shared ledger: what each push costs with RedisLedger, against the in-process ledger.

One process sends a campaign through ``projects`` projects whose pusher is a
stand-in that answers after 1 ms (no HTTP), with limits that never bind and
phones fast enough that the horizon never holds a push back: every push's
cost is the Dispatcher's own plus, with ``RedisLedger``, its reservation and
release in Redis (a redis-server this benchmark starts on loopback). Per push:
this process's CPU (``time.process_time()``), Redis round trips (pipelines
sent) and script calls, and redis-server's own CPU (``INFO cpu``). Each figure
is the median of ``repeat`` runs, in-process and Redis runs taken in turns;
the notes give the spread.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import statistics
import time
from collections.abc import Sequence
from typing import Any

import attrs
import redis.asyncio

import picky_async as pa
from picky_async.redis import RedisLedger
from picky_async.redis._link import Link
from picky_async.testing import RedisServer

from ._harness import numbers
from ._table import Row, render

__all__ = ["QUICK", "configure", "run"]

QUICK = {"projects": 2, "messages": 40, "repeat": 1}
"""Sizes for the smoke test."""

_LATENCY = 0.001
_UNLIMITED = pa.RateLimit(10**9, 60.0)


def configure(parser: argparse.ArgumentParser) -> None:
    """Add this benchmark's options."""
    parser.add_argument("--projects", type=int, default=10, help="projects sharing the work")
    parser.add_argument("--messages", type=int, default=5_000, help="campaign size per run")
    parser.add_argument("--max-batch", type=int, default=10, help="messages per push")
    parser.add_argument("--repeat", type=int, default=5, help="runs per figure (median)")


class StandIn:
    """A Pusher that accepts everything after 1 ms."""

    async def push_msg_ids(
        self, messages: Sequence[pa.Message], **options: Any
    ) -> tuple[str, list[str | None]]:
        await asyncio.sleep(_LATENCY)
        return "push", [None] * len(messages)

    async def device_status(self) -> pa.DeviceStatus:
        await asyncio.sleep(_LATENCY)
        return pa.DeviceStatus()


class RoundTrips:
    """Counts the pipelines the shared ledger's link sends while installed."""

    def __init__(self) -> None:
        self.count = 0
        self._original = Link._send

    def __enter__(self) -> RoundTrips:
        original = self._original

        async def counted(link: Link, calls: Any) -> Any:
            self.count += 1
            return await original(link, calls)

        Link._send = counted  # type: ignore[method-assign,assignment]
        return self

    def __exit__(self, *exc: object) -> None:
        Link._send = self._original  # type: ignore[method-assign]


@attrs.frozen
class Measured:
    """One run, per push: client CPU (µs), round trips, script calls, Redis CPU (µs)."""

    pushes: int
    cpu: float
    round_trips: float = 0.0
    calls: float = 0.0
    redis_cpu: float = 0.0


async def _redis_counters(url: str) -> tuple[int, float]:
    """Script calls so far and redis-server's CPU seconds so far."""
    client = redis.asyncio.Redis.from_url(url)
    try:
        stats = await client.info("commandstats")
        cpu = await client.info("cpu")
    finally:
        await client.aclose()
    calls = int(stats.get("cmdstat_evalsha", {}).get("calls", 0))
    return calls, float(cpu["used_cpu_user"]) + float(cpu["used_cpu_sys"])


async def _campaign(args: argparse.Namespace, ledger: RedisLedger | None, run: int) -> Measured:
    projects = [
        pa.Project(f"token-{run}-{n}", seconds_per_message=1e-4, push_limit=_UNLIMITED)
        for n in range(args.projects)
    ]
    messages = [pa.Message(number, "x") for number in numbers(args.messages)]
    stand_in = StandIn()
    dispatcher = pa.Dispatcher(
        projects,
        client_factory=lambda project: stand_in,
        ledger=ledger,
        max_batch=args.max_batch,
        horizon=1.0,
        linger=0.0,
    )
    gc.collect()
    async with dispatcher:
        with RoundTrips() as trips:
            cpu = time.process_time()
            await dispatcher.send_many(messages)
            cpu = time.process_time() - cpu
        pushes = dispatcher.stats().pushes
    return Measured(pushes, cpu / pushes * 1e6, trips.count / pushes)


async def _pair(args: argparse.Namespace, url: str, run: int) -> tuple[Measured, Measured]:
    local = await _campaign(args, None, run)
    calls, redis_cpu = await _redis_counters(url)
    shared = await _campaign(args, RedisLedger(url, namespace=f"bench-{run}"), run)
    calls_after, redis_cpu_after = await _redis_counters(url)
    shared = attrs.evolve(
        shared,
        calls=(calls_after - calls) / shared.pushes,
        redis_cpu=(redis_cpu_after - redis_cpu) / shared.pushes * 1e6,
    )
    return local, shared


def _spread(values: Sequence[float]) -> str:
    return f"{min(values):.3g}-{max(values):.3g}"


def run(args: argparse.Namespace) -> str:
    """Run the campaign ``repeat`` times each way; the table of medians."""
    with RedisServer() as server:
        pairs = [asyncio.run(_pair(args, server.url, run)) for run in range(args.repeat)]
    local = [pair[0] for pair in pairs]
    shared = [pair[1] for pair in pairs]
    cpu_local = [m.cpu for m in local]
    cpu_shared = [m.cpu for m in shared]
    ratios = [s / m for s, m in zip(cpu_shared, cpu_local, strict=True)]
    rows = [
        Row(
            "client CPU per push",
            statistics.median(cpu_shared),
            "µs",
            baseline=statistics.median(cpu_local),
            paired_ratio=statistics.median(ratios),
        ),
        Row("Redis round trips per push", statistics.median(m.round_trips for m in shared)),
        Row("Redis script calls per push", statistics.median(m.calls for m in shared)),
        Row("redis-server CPU per push", statistics.median(m.redis_cpu for m in shared), "µs"),
    ]
    notes = [
        f"{args.projects} projects, {args.messages} messages in pushes of up to"
        f" {args.max_batch}, {statistics.median(m.pushes for m in shared):.0f} pushes a run;"
        f" median of {args.repeat} runs; baseline: the same campaign, in-process ledger",
        f"spread: client CPU {_spread(cpu_shared)} µs (in-process {_spread(cpu_local)}),"
        f" round trips {_spread([m.round_trips for m in shared])},"
        f" redis-server CPU {_spread([m.redis_cpu for m in shared])} µs",
    ]
    return render("ledger: cost per push of the shared ledger", rows, notes)
