"""Priority: urgent sends overtaking a campaign's backlog, in simulated time.

A 10,000-message low-priority campaign is queued in the Dispatcher; meanwhile
100 high-priority messages are sent one at a time at random (seeded) moments.
Each high message's wait is read three ways: until the Receipt, until its
phone takes it (starts sending it), and until the phone has sent it, from the
Simulator's records. The baseline is the same run with the 100 sent at low
priority. The target is linger + round trip + one message time (of the
slowest phone: the message in hand when the urgent one arrives); a message
cannot be sent before one more message time has passed, so the sent wait is
held to that target plus its own message time.
"""

from __future__ import annotations

import argparse
import asyncio
import random
from collections.abc import Sequence

import attrs

import picky_async as pa

from ._harness import (
    add_scenario_options,
    dispatcher_projects,
    mixed_speeds,
    numbers,
    percentile,
    phone_jobs,
    run_simulated,
    simulated_service,
)
from ._table import Row, Target, at_most, render

__all__ = ["QUICK", "configure", "run"]

QUICK = {"backlog": 300, "urgent": 10, "projects": 3}
"""Sizes for the smoke test."""


def configure(parser: argparse.ArgumentParser) -> None:
    """Add this benchmark's options."""
    parser.add_argument("--backlog", type=int, default=10_000, help="low-priority messages")
    parser.add_argument("--urgent", type=int, default=100, help="high-priority sends")
    parser.add_argument("--projects", type=int, default=10)
    add_scenario_options(parser)


@attrs.frozen
class Waits:
    """Seconds from each urgent send() call until its receipt, its start and its sending."""

    receipt: list[float]
    started: list[float]
    sent: list[float]


async def _run(args: argparse.Namespace, urgent: pa.Priority) -> Waits:
    speeds = mixed_speeds(args.projects)
    service = simulated_service(speeds, jitter=args.jitter, latency=args.latency, seed=args.seed)
    async with service as simulator:
        loop = asyncio.get_running_loop()
        rng = random.Random(args.seed)
        backlog = [pa.Message(number, "campaign") for number in numbers(args.backlog)]
        expected = args.backlog / sum(1 / seconds for seconds in speeds)
        moments = sorted(rng.uniform(0, 0.8 * expected) for _ in range(args.urgent))
        called: dict[str, tuple[float, float]] = {}

        async def send_at(moment: float, number: str) -> None:
            await asyncio.sleep(moment)
            at = loop.time()
            await dispatcher.send(number, "urgent", priority=urgent)
            called[number] = (at, loop.time())

        async with pa.Dispatcher(
            dispatcher_projects(simulator),
            base_url=simulator.base_url,
            horizon=args.horizon,
            linger=args.linger,
        ) as dispatcher:
            campaign = asyncio.ensure_future(dispatcher.send_many(backlog))
            urgent_numbers = numbers(args.urgent, first=args.backlog)
            await asyncio.gather(*map(send_at, moments, urgent_numbers))
            await campaign
        await simulator.wait_sent(args.backlog + args.urgent)
    jobs = {
        job.record.number: job
        for timeline in phone_jobs(simulator.messages).values()
        for job in timeline
    }
    waits = Waits([], [], [])
    for number, (at, answered) in called.items():
        waits.receipt.append(answered - at)
        waits.started.append(jobs[number].started - at)
        waits.sent.append(jobs[number].sent - at)
    return waits


def _rows(high: Waits, low: Waits, target: float, slowest: float) -> list[Row]:
    rows = []
    for label, measured, baseline, goal in (
        ("until its phone takes it", high.started, low.started, at_most(target)),
        ("until its phone has sent it", high.sent, low.sent, at_most(target + slowest)),
        ("until the Receipt", high.receipt, low.receipt, None),
    ):
        rows += _percentiles(label, measured, baseline, goal)
    return rows


def _percentiles(
    label: str, measured: Sequence[float], baseline: Sequence[float], goal: Target | None
) -> list[Row]:
    name = f"high priority p{{}}, {label}"
    return [
        Row(name.format(q), percentile(measured, q), "s", percentile(baseline, q), goal)
        for q in (50, 99)
    ]


def run(args: argparse.Namespace) -> str:
    """Run with the urgent sends at high and then at low priority; return the table."""
    high = run_simulated(lambda: _run(args, pa.Priority.HIGH))
    low = run_simulated(lambda: _run(args, pa.Priority.LOW))
    speeds = mixed_speeds(args.projects)
    slowest = max(speeds)
    target = args.linger + args.latency + slowest
    notes = [
        f"{args.backlog:,} low-priority messages queued at once, {args.urgent} high-priority "
        f"send() calls at seeded random moments; {args.projects} projects at "
        f"{sorted(set(speeds))} s/message (±{args.jitter:.0%}), 90 pushes/min, simulated time.",
        f"Target: linger {args.linger:g} s + round trip {args.latency:g} s + one message of "
        f"the slowest phone {slowest:g} s = {target:g} s; sent: plus its own message time.",
        "Baseline: the same run with the urgent messages sent at low priority.",
    ]
    return render(
        "priority: urgent sends through a backlog", _rows(high, low, target, slowest), notes
    )
