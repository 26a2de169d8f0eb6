"""Pacing: a campaign over phones of mixed speeds, in simulated time.

20,000 messages go to 20 projects whose phones take 2 to 10 s a message,
under the service's limits (90 pushes and 3 status requests a minute), once
through the Dispatcher and once the naive way: equal shares pushed to every
phone at once, 100 per push. The Simulator's records tell when each phone
took and sent each message, from which come the makespan against the ideal
(every phone busy until the end), the time phones sat idle while messages
still waited in the client, the largest queue a phone held, and how full the
pushes were. The clock is looptime's, so hours of phone time take seconds.
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import collections
import math
import time
from collections.abc import Sequence

import attrs

import picky_async as pa
from picky_async.testing import MessageRecord, Simulator

from ._harness import (
    add_scenario_options,
    dispatcher_projects,
    mixed_speeds,
    numbers,
    phone_jobs,
    run_simulated,
    simulated_service,
)
from ._table import Row, at_least, at_most, render

__all__ = ["QUICK", "configure", "run"]

QUICK = {"messages": 300, "projects": 4}
"""Sizes for the smoke test."""

_NAIVE_BATCH = 100


def configure(parser: argparse.ArgumentParser) -> None:
    """Add this benchmark's options."""
    parser.add_argument("--messages", type=int, default=20_000)
    parser.add_argument("--projects", type=int, default=20)
    parser.add_argument("--max-batch", type=int, default=100)
    add_scenario_options(parser)


@attrs.frozen
class Outcome:
    """What one way of sending achieved, from the Simulator's records."""

    makespan: float  # first push to last message sent
    ideal: float  # messages / the phones' summed speed
    idle: float | None  # fraction of phone time idle while messages waited in the client
    backlog: float  # the most work (seconds) any phone held, in horizons
    pushes: int
    messages: int
    push_size: float  # mean messages per push while messages waited in the client
    fill_room: float  # those pushes' size / the room the phone's queue left when they came
    fill_full: float  # their size / what one push can carry to an idle phone
    over_limit: int  # requests the service refused for going over a limit
    wall: float


def _busy(records: Sequence[MessageRecord], start: float, end: float) -> float:
    """Phone-seconds spent sending within [start, end]."""
    busy = 0.0
    for jobs in phone_jobs(records).values():
        for job in jobs:
            busy += max(0.0, min(job.sent, end) - max(job.started, start))
    return busy


def _most_work(simulator: Simulator) -> float:
    """The most seconds of work any phone held, checked as each push arrived.

    Counted as the Dispatcher counts it, in the phone's nominal seconds per
    message: what is left of the message in hand, and each message behind it.
    """
    most = 0.0
    speeds = {project.name: project.seconds_per_message for project in simulator.projects}
    for project, jobs in phone_jobs(simulator.messages).items():
        spm = speeds[project]
        for at in sorted({job.record.accepted_at for job in jobs}):
            held = sum(
                min(spm, max(0.0, job.started + spm - at))
                for job in jobs
                if job.record.accepted_at <= at < job.sent
            )
            most = max(most, held)
    return most


def _fill(simulator: Simulator, drained: float, args: argparse.Namespace) -> list[Fill]:
    """Each push made while messages waited in the client, with what it could have held.

    The room is what the horizon left given the phone's real queue when the
    push arrived; full is what one push can carry to an idle phone.
    """
    speeds = {project.name: project.seconds_per_message for project in simulator.projects}
    accepted: dict[str, list[float]] = collections.defaultdict(list)
    sent: dict[str, list[float]] = collections.defaultdict(list)
    pushes: dict[str | None, tuple[str, float, int]] = {}
    for record in simulator.messages:
        accepted[record.project].append(record.accepted_at)
        if record.sent_at is not None:
            sent[record.project].append(record.sent_at)
        project, at, size = pushes.get(record.push_id, (record.project, record.accepted_at, 0))
        pushes[record.push_id] = (project, at, size + 1)
    for times in (*accepted.values(), *sent.values()):
        times.sort()
    fills = []
    for project, at, size in pushes.values():
        if at > drained:
            continue
        spm = speeds[project]
        held = bisect.bisect_left(accepted[project], at) - bisect.bisect_right(sent[project], at)
        room = math.ceil((args.horizon - held * spm) / spm)
        full = math.ceil(args.horizon / spm)
        fills.append(Fill(size, max(1, min(args.max_batch, room)), min(args.max_batch, full)))
    return fills


@attrs.frozen
class Fill:
    """One push: its size, the room its phone had left, and a full load."""

    size: int
    room: int
    full: int


def _outcome(
    simulator: Simulator, start: float, drained: float, wall: float, args: argparse.Namespace
) -> Outcome:
    records = simulator.messages
    speeds = [project.seconds_per_message for project in simulator.projects]
    handed_over = max(record.accepted_at for record in records)
    span = handed_over - start
    idle = None
    if span > 0:
        idle = 1 - _busy(records, start, handed_over) / (span * len(speeds))
    fills = _fill(simulator, drained, args) or [Fill(0, 1, 1)]
    return Outcome(
        makespan=max(record.sent_at or 0.0 for record in records) - start,
        ideal=len(records) / sum(1 / seconds for seconds in speeds),
        idle=idle,
        backlog=_most_work(simulator) / args.horizon,
        pushes=len({record.push_id for record in records}),
        messages=len(records),
        push_size=sum(fill.size for fill in fills) / len(fills),
        fill_room=sum(min(1.0, fill.size / fill.room) for fill in fills) / len(fills),
        fill_full=sum(fill.size / fill.full for fill in fills) / len(fills),
        over_limit=sum(simulator.stats.over_limit.values()),
        wall=wall,
    )


async def _watch_drain(dispatcher: pa.Dispatcher) -> float:
    """When the Dispatcher's queue first ran dry: from then on pushes are not under load."""
    loop = asyncio.get_running_loop()
    while True:
        stats = dispatcher.stats()
        if stats.queued_high + stats.queued_low == 0:
            return loop.time()
        await asyncio.sleep(0.5)


def _campaign(count: int) -> list[pa.Message]:
    return [pa.Message(number, f"Hello {number}") for number in numbers(count)]


async def _with_dispatcher(args: argparse.Namespace) -> Outcome:
    wall = time.perf_counter()
    speeds = mixed_speeds(args.projects)
    service = simulated_service(speeds, jitter=args.jitter, latency=args.latency, seed=args.seed)
    async with service as simulator:
        loop = asyncio.get_running_loop()
        start = loop.time()
        async with pa.Dispatcher(
            dispatcher_projects(simulator),
            base_url=simulator.base_url,
            horizon=args.horizon,
            linger=args.linger,
            max_batch=args.max_batch,
        ) as dispatcher:
            sending = asyncio.ensure_future(dispatcher.send_many(_campaign(args.messages)))
            await asyncio.sleep(0)  # let send_many queue the first messages
            drained = await _watch_drain(dispatcher)
            await sending
        await simulator.wait_sent(args.messages)
        return _outcome(simulator, start, drained, time.perf_counter() - wall, args)


async def _naive(args: argparse.Namespace) -> Outcome:
    """Equal shares to every phone at once, 100 per push, one push in flight per project."""
    wall = time.perf_counter()
    speeds = mixed_speeds(args.projects)
    service = simulated_service(speeds, jitter=args.jitter, latency=args.latency, seed=args.seed)
    async with service as simulator:
        start = asyncio.get_running_loop().time()
        messages = _campaign(args.messages)
        projects = simulator.projects

        async def push_share(token: str, share: Sequence[pa.Message]) -> None:
            async with pa.PickyClient(token, base_url=simulator.base_url) as client:
                for first in range(0, len(share), _NAIVE_BATCH):
                    await client.push(share[first : first + _NAIVE_BATCH])

        await asyncio.gather(
            *(push_share(p.token, messages[n :: len(projects)]) for n, p in enumerate(projects))
        )
        drained = asyncio.get_running_loop().time()
        await simulator.wait_sent(args.messages)
        return _outcome(simulator, start, drained, time.perf_counter() - wall, args)


def _rows(d: Outcome, naive: Outcome, args: argparse.Namespace) -> list[Row]:
    backlog_goal = at_most(1 + max(mixed_speeds(args.projects)) / args.horizon)
    makespan, naive_makespan = d.makespan / d.ideal, naive.makespan / naive.ideal
    fill, naive_fill = 100 * d.fill_room, 100 * naive.fill_room
    full, naive_full = 100 * d.fill_full, 100 * naive.fill_full
    return [
        Row("makespan / ideal", makespan, "x", naive_makespan, at_most(1.05)),
        Row("phone idle while messages wait", 100 * (d.idle or 0.0), "%", None, at_most(2)),
        Row("largest phone backlog", d.backlog, "horizons", naive.backlog, backlog_goal),
        Row("push calls per message", d.pushes / d.messages, "", naive.pushes / naive.messages),
        Row("batch fill, of the room the phone had", fill, "%", naive_fill, at_least(90)),
        Row("batch fill, of a full horizon", full, "%", naive_full),
        Row("requests over the service's limits", d.over_limit, "", naive.over_limit, at_most(0)),
    ]


def run(args: argparse.Namespace) -> str:
    """Run the campaign both ways and return the table."""
    dispatched = run_simulated(lambda: _with_dispatcher(args))
    naive = run_simulated(lambda: _naive(args))
    speeds = sorted(set(mixed_speeds(args.projects)))
    notes = [
        f"{args.messages:,} messages, {args.projects} projects at {speeds} s/message "
        f"(±{args.jitter:.0%}), 90 pushes/min, {args.latency} s per request, simulated time.",
        f"Dispatcher: horizon {args.horizon:g} s, linger {args.linger:g} s, max_batch "
        f"{args.max_batch}; baseline: equal shares pushed at once, {_NAIVE_BATCH} per push.",
        f"Dispatcher: makespan {dispatched.makespan:,.0f} s vs ideal {dispatched.ideal:,.0f} s, "
        f"{dispatched.pushes:,} pushes, {dispatched.wall:.1f} s of wall time; "
        f"baseline makespan {naive.makespan:,.0f} s.",
        "Idle counts phone time not spent sending between the first push and the last "
        "message leaving the client; backlog is the work a phone held when a push "
        "arrived (the rest of the message in hand plus the messages behind it, in "
        "nominal seconds per message, as the horizon counts) over the horizon; target: "
        "the horizon plus one message of the slowest phone, which rounding up may add.",
        "Batch fill counts pushes made while messages still waited in the client: their "
        "size against the room the horizon left given the phone's real queue when each "
        "came, and against min(max_batch, horizon / seconds per message), a full load; "
        f"{dispatched.push_size:.1f} messages per push on average "
        f"(baseline {naive.push_size:.1f}).",
    ]
    return render(
        "pacing: Dispatcher vs equal shares pushed at once", _rows(dispatched, naive, args), notes
    )
