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
  message: real phones), a horizon of ``horizon_messages`` (default four) so that every project is
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
from picky_async.dispatch._scheduler import Scheduler

from ._harness import numbers
from ._table import Row, at_most, render

__all__ = ["QUICK", "configure", "run"]

QUICK = {"projects": "1,20", "sends": 5, "per_project": 3, "min_messages": 50, "repeat": 1}
"""Sizes for the smoke test."""

_LATENCY = (0.05, 0.15)  # seconds a stand-in request takes, uniformly
_SEND_EVERY = 0.02
_SEND_SECONDS_PER_MESSAGE = 5.0
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
    parser.add_argument(
        "--horizon-messages",
        type=float,
        default=4.0,
        help="campaign horizon in messages of a phone (the Dispatcher's 60 s default is 12 at 5 s)",
    )
    parser.add_argument("--repeat", type=int, default=5, help="runs per figure (median)")
    parser.add_argument("--seed", type=int, default=0)


class StandIn:
    """A Pusher that accepts everything after 50-150 ms and knows no queue length."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self.pushes = 0
        self.statuses = 0

    async def push_msg_ids(
        self, messages: Sequence[pa.Message], **options: Any
    ) -> tuple[str, list[str | None]]:
        self.pushes += 1
        await asyncio.sleep(self._rng.uniform(*_LATENCY))
        return "push", [None] * len(messages)

    async def device_status(self) -> pa.DeviceStatus:
        self.statuses += 1
        await asyncio.sleep(self._rng.uniform(*_LATENCY))
        return pa.DeviceStatus()


@attrs.frozen
class Measured:
    """One run: messages; process CPU, CPU in the scheduler's turns and wall
    seconds, from the clock's start to its stop; the stand-in's requests."""

    messages: int
    cpu: float
    turns: float
    wall: float
    pushes: int = 0
    statuses: int = 0


class TurnClock:
    """Sums the CPU spent inside ``Scheduler._turn`` while it is installed.

    A turn is where the scheduler's cost per event lives (tending, routing and
    releasing the projects it visits); the rest of a message's path (its push,
    its receipt, the event loop) does not depend on the number of projects.
    Wrapping a private method is for measuring only: the same wrapper fits
    the scheduler before and after issue 10, whose ``_turn`` differ in arguments.
    """

    def __init__(self) -> None:
        self.spent = 0.0
        self._original = Scheduler._turn

    def __enter__(self) -> TurnClock:
        original = self._original

        def clocked(scheduler: Scheduler, *args: Any) -> Any:
            start = time.process_time()
            try:
                return original(scheduler, *args)
            finally:
                self.spent += time.process_time() - start

        Scheduler._turn = clocked  # type: ignore[method-assign,assignment]
        return self

    def __exit__(self, *exc: object) -> None:
        Scheduler._turn = self._original  # type: ignore[method-assign]


def _spread_speeds(count: int) -> list[float]:
    """Factors 0.8-1.2, one per phone: phones differ, so their top-ups fall due apart."""
    return [0.8 + 0.4 * n / max(count - 1, 1) for n in range(count)]


def _dispatcher(projects: list[pa.Project], stand_in: StandIn, **options: Any) -> pa.Dispatcher:
    return pa.Dispatcher(projects, client_factory=lambda project: stand_in, **options)


async def _clocked(count: int, stand_in: StandIn, work: Callable[[], Awaitable[None]]) -> Measured:
    gc.collect()
    pushes, statuses = stand_in.pushes, stand_in.statuses
    with TurnClock() as turns:
        wall, cpu = time.perf_counter(), time.process_time()
        await work()
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    pushes, statuses = stand_in.pushes - pushes, stand_in.statuses - statuses
    return Measured(count, cpu, turns.spent, wall, pushes, statuses)


async def _paced(
    sends: int, stand_in: StandIn, submit: Callable[[str], Awaitable[object]]
) -> Measured:
    """``submit`` to each of ``sends`` recipients, 20 ms apart, until every one is done."""
    recipients = numbers(sends)

    async def paced() -> None:
        futures = []
        for number in recipients:
            futures.append(asyncio.ensure_future(submit(number)))
            await asyncio.sleep(_SEND_EVERY)
        await asyncio.gather(*futures)

    return await _clocked(sends, stand_in, paced)


async def _bare_sends(sends: int, seed: int) -> Measured:
    """The baseline: each send one stand-in push of its own, no Dispatcher."""
    stand_in = StandIn(random.Random(seed))

    def push(number: str) -> Awaitable[object]:
        return stand_in.push_msg_ids([pa.Message(number, "x")])

    return await _paced(sends, stand_in, push)


async def _single_sends(projects: int, sends: int, seed: int) -> Measured:
    stand_in = StandIn(random.Random(seed))
    dispatcher = _dispatcher([pa.Project(f"token-{n}") for n in range(projects)], stand_in)
    async with dispatcher:
        await dispatcher.send(numbers(1, first=sends)[0], "warm-up", priority=pa.Priority.HIGH)

        def submit(number: str) -> Awaitable[object]:
            return dispatcher.submit(number, "x", priority=pa.Priority.HIGH)

        return await _paced(sends, stand_in, submit)


async def _campaign(projects: int, args: argparse.Namespace) -> Measured:
    seconds = projects / args.rate
    listed = [
        pa.Project(f"token-{n}", seconds_per_message=seconds * speed, push_limit=_UNLIMITED)
        for n, speed in enumerate(_spread_speeds(projects))
    ]
    count = max(args.per_project * projects, args.min_messages)
    messages = [pa.Message(number, "Our sale") for number in numbers(count)]
    stand_in = StandIn(random.Random(args.seed))
    dispatcher = _dispatcher(
        listed, stand_in, horizon=args.horizon_messages * seconds, max_pending=count
    )

    async def campaign() -> None:
        async with dispatcher:
            await dispatcher.send_many(messages)

    return await _clocked(count, stand_in, campaign)


def _projects(count: int) -> str:
    return f"{count:,} project{'' if count == 1 else 's'}"


def _per_message(run: Measured) -> float:
    """Microseconds of CPU per message."""
    return 1e6 * run.cpu / run.messages


def _turns_per_message(run: Measured) -> float:
    """Microseconds of CPU in the scheduler's turns per message."""
    return 1e6 * run.turns / run.messages


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


def _rows_of(
    load: str, projects: int, runs: Sequence[Measured], bare: float | None = None
) -> tuple[list[Row], list[str]]:
    """A load's rows at one project count (process CPU, turns' CPU) and their notes."""
    where = _projects(projects)
    requests = (
        f"{statistics.median(run.pushes for run in runs):,.0f} pushes, "
        f"{statistics.median(run.statuses for run in runs):,.0f} status requests, "
        f"{statistics.median(run.wall for run in runs):.1f} s for {runs[0].messages:,} messages"
    )
    rows = [
        Row(f"{load} CPU, {where}", _median(runs, _per_message), "µs", bare),
        Row(f"{load}, scheduler turns, {where}", _median(runs, _turns_per_message), "µs"),
    ]
    notes = [
        _spread(f"{load}, {where}, µs/msg", runs, _per_message),
        _spread(f"  turns {where}, µs/msg", runs, _turns_per_message) + f"; {requests}",
    ]
    return rows, notes


def _single_rows(counts: Sequence[int], args: argparse.Namespace) -> tuple[list[Row], list[str]]:
    bare_runs = _repeated(args.repeat, functools.partial(_bare_sends, args.sends, args.seed))
    bare = _median(bare_runs, _per_message)
    rows, notes = [], [_spread("bare stand-in sends, µs/msg", bare_runs, _per_message)]
    turns: dict[int, float] = {}
    for projects in counts:
        measure = functools.partial(_single_sends, projects, args.sends, args.seed)
        runs = _repeated(args.repeat, measure)
        turns[projects] = _median(runs, _turns_per_message)
        more_rows, more_notes = _rows_of("single send", projects, runs, bare)
        rows += more_rows
        notes += more_notes
    many = 2_000 if 2_000 in turns else max(counts)
    if 20 in turns and many != 20:
        label = f"single send, scheduler turns, {many:,} vs 20 projects"
        goal = at_most(_SINGLE_GOAL, ratio=True)
        rows.append(Row(label, turns[many], "µs", turns[20], goal))
    return rows, notes


def _campaign_rows(counts: Sequence[int], args: argparse.Namespace) -> tuple[list[Row], list[str]]:
    rows: list[Row] = []
    notes: list[str] = []
    runs: list[Measured] = []
    for projects in counts:
        if projects < 2:
            continue  # one project's campaign waits on its one push in flight: no routing
        runs = _repeated(args.repeat, functools.partial(_campaign, projects, args))
        more_rows, more_notes = _rows_of("campaign message", projects, runs)
        rows += more_rows
        notes += more_notes
    if runs:
        largest = _projects(max(counts))
        goal = at_most(_SHARE_GOAL)
        share = _median(runs, _share)
        rows.append(Row(f"share of a core, campaign on {largest}", share, "%", None, goal))
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
        f"P / {args.rate:g} s a message (x 0.8-1.2), horizon {args.horizon_messages:g} messages; "
        f"medians of {args.repeat} runs, each listed low to high. Process CPU includes "
        "the event loop's wake-ups, ~0.3 ms each on a machine that idles between sends; "
        "the turns' CPU is the scheduler's own work.",
        *single_notes,
        *campaign_notes,
    ]
    return render("scaling: Dispatcher CPU as projects grow", [*single, *campaign], notes)
