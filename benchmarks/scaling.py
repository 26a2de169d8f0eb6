"""Scaling: the Dispatcher's CPU per message as the number of projects grows.

No HTTP: every project's pusher is a stand-in that answers after a latency
spread uniformly over 50-150 ms of real time (``asyncio.sleep``), so the CPU
this process spends, ``time.process_time()``, is the Dispatcher's own work plus
the event loop's. Two loads, each at P projects:

- *single sends*: one high-priority ``submit()`` every 20 ms (OTP-style), phones
  of 5 s a message and the service's limits; CPU per message from the first
  submit until the last receipt;
- *a campaign*: ``send_many`` of ``per_project`` messages a project (at least
  ``min_messages``), phones of P / ``rate`` seconds a message so that together
  they send ``rate`` messages a second whatever P is (at 10,000 projects, 5 s a
  message: real phones), a horizon of four messages so that every project is
  topped up again and again; CPU per message, and CPU seconds per wall second
  (the share of a core) at the largest P.

Each figure is the median of ``repeat`` runs, each with a fresh Dispatcher
built before the clock starts and after ``gc.collect()``; the notes give the
spread (lowest to highest).
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import gc
import random
import statistics
import time
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from typing import Any

import attrs

import picky_async as pa

from ._harness import numbers
from ._table import Row, at_most, render

__all__ = ["QUICK", "configure", "run"]

QUICK = {"projects": "1,20", "sends": 5, "per_project": 3, "min_messages": 50, "repeat": 1}
"""Sizes for the smoke test."""

_LATENCY = (0.05, 0.15)  # seconds a stand-in request takes, uniformly
_SEND_EVERY = 0.02
_SEND_SECONDS_PER_MESSAGE = 5.0
_HORIZON_MESSAGES = 4
_UNLIMITED = pa.RateLimit(10**9, 60.0)
_SINGLE_GOAL = 1.5  # single sends at the largest P within this of 20 projects
_SHARE_GOAL = 25.0  # percent of a core while the most projects send a campaign


def configure(parser: argparse.ArgumentParser) -> None:
    """Add this benchmark's options."""
    parser.add_argument(
        "--projects", default="1,20,200,2000,10000", help="comma-separated project counts"
    )
    parser.add_argument("--sends", type=int, default=100, help="single sends per run")
    parser.add_argument("--per-project", type=int, default=8, help="campaign messages a project")
    parser.add_argument("--min-messages", type=int, default=3_000, help="campaign at least")
    parser.add_argument("--rate", type=float, default=2_000.0, help="campaign msg/s of all phones")
    parser.add_argument("--repeat", type=int, default=5, help="runs per figure (median)")
    parser.add_argument("--seed", type=int, default=0)


class StandIn:
    """A Pusher that accepts everything after 50-150 ms and knows no queue length."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng

    async def push_msg_ids(
        self, messages: Sequence[pa.Message], **options: Any
    ) -> tuple[str, list[str | None]]:
        await asyncio.sleep(self._rng.uniform(*_LATENCY))
        return "push", [None] * len(messages)

    async def device_status(self) -> pa.DeviceStatus:
        await asyncio.sleep(self._rng.uniform(*_LATENCY))
        return pa.DeviceStatus()


@attrs.frozen
class Measured:
    """One run: messages, CPU and wall seconds between the clock's start and stop."""

    messages: int
    cpu: float
    wall: float


def _spread_speeds(count: int) -> list[float]:
    """Factors 0.8-1.2, one per phone: phones differ, so their top-ups fall due apart."""
    return [0.8 + 0.4 * n / max(count - 1, 1) for n in range(count)]


def _dispatcher(projects: list[pa.Project], seed: int, **options: Any) -> pa.Dispatcher:
    stand_in = StandIn(random.Random(seed))
    return pa.Dispatcher(projects, client_factory=lambda project: stand_in, **options)


async def _clocked(count: int, work: Callable[[], Awaitable[None]]) -> Measured:
    gc.collect()
    wall, cpu = time.perf_counter(), time.process_time()
    await work()
    return Measured(count, time.process_time() - cpu, time.perf_counter() - wall)


async def _paced(sends: int, submit: Callable[[str], Awaitable[object]]) -> Measured:
    """``submit`` to each of ``sends`` recipients, 20 ms apart, until every one is done."""
    recipients = numbers(sends)

    async def paced() -> None:
        futures = []
        for number in recipients:
            futures.append(asyncio.ensure_future(submit(number)))
            await asyncio.sleep(_SEND_EVERY)
        await asyncio.gather(*futures)

    return await _clocked(sends, paced)


async def _bare_sends(sends: int, seed: int) -> Measured:
    """The baseline: each send one stand-in push of its own, no Dispatcher."""
    stand_in = StandIn(random.Random(seed))
    return await _paced(sends, lambda number: stand_in.push_msg_ids([pa.Message(number, "x")]))


async def _single_sends(projects: int, sends: int, seed: int) -> Measured:
    tokens = [f"token-{n}" for n in range(projects)]
    dispatcher = _dispatcher([pa.Project(token) for token in tokens], seed)
    async with dispatcher:
        await dispatcher.send(numbers(1, first=sends)[0], "warm-up", priority=pa.Priority.HIGH)
        return await _paced(
            sends, lambda number: dispatcher.submit(number, "x", priority=pa.Priority.HIGH)
        )


async def _campaign(projects: int, args: argparse.Namespace) -> Measured:
    seconds = projects / args.rate
    listed = [
        pa.Project(f"token-{n}", seconds_per_message=seconds * speed, push_limit=_UNLIMITED)
        for n, speed in enumerate(_spread_speeds(projects))
    ]
    count = max(args.per_project * projects, args.min_messages)
    messages = [pa.Message(number, "Our sale") for number in numbers(count)]
    dispatcher = _dispatcher(
        listed, args.seed, horizon=_HORIZON_MESSAGES * seconds, max_pending=count
    )

    async def campaign() -> None:
        async with dispatcher:
            await dispatcher.send_many(messages)

    return await _clocked(count, campaign)


def _projects(count: int) -> str:
    return f"{count:,} project{'' if count == 1 else 's'}"


def _per_message(run: Measured) -> float:
    """Microseconds of CPU per message."""
    return 1e6 * run.cpu / run.messages


def _share(run: Measured) -> float:
    """Percent of a core: CPU seconds per wall second."""
    return 100 * run.cpu / run.wall


def _repeated(times: int, measure: Callable[[], Coroutine[Any, Any, Measured]]) -> list[Measured]:
    return [asyncio.run(measure()) for _ in range(times)]


def _median(runs: Sequence[Measured], figure: Callable[[Measured], float]) -> float:
    return statistics.median(figure(run) for run in runs)


def _spread(label: str, runs: Sequence[Measured], figure: Callable[[Measured], float]) -> str:
    values = sorted(figure(run) for run in runs)
    shown = ", ".join(f"{value:,.1f}" for value in values)
    return f"{label}: median {statistics.median(values):,.1f} of [{shown}]"


def _single_rows(counts: Sequence[int], args: argparse.Namespace) -> tuple[list[Row], list[str]]:
    bare_runs = _repeated(args.repeat, functools.partial(_bare_sends, args.sends, args.seed))
    bare = _median(bare_runs, _per_message)
    rows, notes = [], [_spread("bare stand-in sends, µs/msg", bare_runs, _per_message)]
    single: dict[int, float] = {}
    for projects in counts:
        measure = functools.partial(_single_sends, projects, args.sends, args.seed)
        runs = _repeated(args.repeat, measure)
        single[projects] = _median(runs, _per_message)
        rows.append(Row(f"single send CPU, {_projects(projects)}", single[projects], "µs", bare))
        notes.append(_spread(f"single sends, {_projects(projects)}, µs/msg", runs, _per_message))
    many = 2_000 if 2_000 in single else max(counts)
    if 20 in single and many != 20:
        label = f"single send CPU over bare, {many:,} vs 20 projects"
        goal = at_most(_SINGLE_GOAL, ratio=True)
        rows.append(Row(label, single[many] - bare, "µs", single[20] - bare, goal))
    return rows, notes


def _campaign_rows(counts: Sequence[int], args: argparse.Namespace) -> tuple[list[Row], list[str]]:
    rows, notes = [], []
    runs: list[Measured] = []
    for projects in counts:
        if projects < 2:
            continue  # one project's campaign waits on its one push in flight: no routing
        runs = _repeated(args.repeat, functools.partial(_campaign, projects, args))
        value = _median(runs, _per_message)
        rows.append(Row(f"campaign CPU per message, {projects:,} projects", value, "µs"))
        wall = statistics.median(run.wall for run in runs)
        notes.append(
            _spread(f"campaign, {projects:,} projects, µs/msg", runs, _per_message)
            + f"; {runs[0].messages:,} messages in {wall:.1f} s"
        )
    if runs:
        largest = f"{max(counts):,} projects"
        goal = at_most(_SHARE_GOAL)
        rows.append(
            Row(f"share of a core, campaign on {largest}", _median(runs, _share), "%", None, goal)
        )
        notes.append(_spread(f"campaign, {largest}, % of a core", runs, _share))
    return rows, notes


def run(args: argparse.Namespace) -> str:
    """Measure both loads at every project count and return the table."""
    counts = sorted(int(count) for count in args.projects.split(","))
    single, single_notes = _single_rows(counts, args)
    campaign, campaign_notes = _campaign_rows(counts, args)
    notes = [
        f"Stand-in pushers answering in 50-150 ms; single sends: {args.sends} high-priority "
        "submits 20 ms apart, phones of 5 s a message; campaign: phones of "
        f"P / {args.rate:g} s a message (x 0.8-1.2), horizon {_HORIZON_MESSAGES} messages; "
        f"medians of {args.repeat} runs.",
        *single_notes,
        *campaign_notes,
    ]
    return render("scaling: Dispatcher CPU as projects grow", [*single, *campaign], notes)
