"""Fleet: worker processes sharing the same tokens, each with its own Dispatcher.

An async service often runs several worker processes over the same Picky
Assist projects (issue 12). Each worker here is a process of its own
(``python -m benchmarks.fleet_worker``) with a Dispatcher over the same 10
projects and an equal share of one campaign; one Simulator in this process
serves them all. The phones take 20 ms a message and the limits are scaled
to match (6 pushes and 3 status requests a second a project, horizon 0.5 s,
pushes of at most 20), so that the limits bind when several workers push at
once and a run takes seconds. Everything is read from the Simulator's
records: the makespan (first push to last message sent) over the ideal (all
phones busy, or every push full at the limits, whichever is slower), push
requests per message, requests over the limits (HTTP 429) and the fullest
phone queue over the horizon plus one push. Each fleet runs twice: with
in-process ledgers (each worker believes the phones are its own) and with one
``RedisLedger`` shared through a redis-server the benchmark starts; the
in-process figures are the Redis rows' baseline. Each figure is the median of
``repeat`` runs; the notes give their spread.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import statistics
from collections.abc import Callable, Sequence

from picky_async.testing import RedisServer

from ._fleet import Fleet, FleetResult, run_fleet
from ._table import Row, at_most, render

__all__ = ["QUICK", "configure", "run"]

QUICK = {"processes": "1,2", "messages": 400, "repeat": 1}
"""Sizes for the smoke test."""

_MAKESPAN_GOAL = 1.25


_LEDGERS = {"memory": "in-process ledger", "redis": "Redis ledger"}
"""The ledgers a fleet can share its phones through, by option name and row label."""


def _ledgers(text: str) -> list[str]:
    """Comma-separated ledger names, each one of :data:`_LEDGERS`."""
    names = text.split(",")
    unknown = set(names) - set(_LEDGERS)
    if unknown:
        raise argparse.ArgumentTypeError(f"expected some of {', '.join(_LEDGERS)}; got {text!r}")
    return names


def configure(parser: argparse.ArgumentParser) -> None:
    """Add this benchmark's options."""
    parser.add_argument("--processes", default="1,2,4,8", help="comma-separated worker counts")
    parser.add_argument("--messages", type=int, default=2_500, help="campaign, over all workers")
    parser.add_argument(
        "--ledgers",
        type=_ledgers,
        default=list(_LEDGERS),
        help="comma-separated: memory (each worker its own) and redis (one shared, "
        "on a redis-server this benchmark starts)",
    )
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure (median)")


Figure = Callable[[FleetResult], float]

_FIGURES: Sequence[tuple[str, str, Figure, float | None]] = (
    ("makespan / ideal", "x", lambda run: run.makespan_ratio, _MAKESPAN_GOAL),
    ("push requests per message", "", lambda run: run.pushes_per_message, None),
    ("requests over the limits", "", lambda run: run.usage.over_limit, 0),
    ("peak queue / (horizon + batch)", "x", lambda run: run.queue_ratio, 1),
)
"""Each row of a fleet: its name, unit, how to read it off a run, and its goal."""


def _median(runs: Sequence[FleetResult], figure: Figure) -> float:
    return statistics.median(figure(run) for run in runs)


def _spread(runs: Sequence[FleetResult], figure: Figure) -> str:
    values = sorted(figure(run) for run in runs)
    return "[" + ", ".join(f"{value:.3g}" for value in values) + "]"


def _fleet_rows(
    label: str, runs: Sequence[FleetResult], baseline: Sequence[FleetResult] = ()
) -> tuple[list[Row], str]:
    """One fleet's rows, against the ``baseline`` runs if any, and the note giving their spread."""
    rows = [
        Row(
            f"{label}: {name}",
            _median(runs, figure),
            unit,
            _median(baseline, figure) if baseline else None,
            None if goal is None else at_most(goal),
        )
        for name, unit, figure, goal in _FIGURES
    ]
    spreads = "; ".join(f"{name} {_spread(runs, figure)}" for name, _, figure, _ in _FIGURES)
    wall = statistics.median(run.wall for run in runs)
    return rows, f"{label}: {spreads}; {wall:.1f} s a run"


def _processes(count: int) -> str:
    return f"{count} process{'' if count == 1 else 'es'}"


def _measure(
    counts: Sequence[int], ledgers: Sequence[str], args: argparse.Namespace
) -> dict[tuple[str, int], list[FleetResult]]:
    """Every fleet's runs, by ledger and worker count; Redis on a server of its own."""
    runs: dict[tuple[str, int], list[FleetResult]] = {
        (ledger, count): [] for ledger in ledgers for count in counts
    }
    with contextlib.ExitStack() as stack:
        urls: dict[str, str | None] = {"memory": None}
        if "redis" in ledgers:
            urls["redis"] = stack.enter_context(RedisServer()).url
        for _ in range(args.repeat):  # interleaved, so a slow spell hits every fleet
            for count in counts:
                for ledger in ledgers:
                    fleet = Fleet(processes=count, messages=args.messages)
                    result = asyncio.run(run_fleet(fleet, redis_url=urls[ledger]))
                    runs[ledger, count].append(result)
    return runs


def run(args: argparse.Namespace) -> str:
    """Run every fleet ``repeat`` times and return the table."""
    counts = sorted(int(count) for count in args.processes.split(","))
    runs = _measure(counts, args.ledgers, args)
    rows: list[Row] = []
    notes = [
        f"{args.messages:,} messages split over the workers, 10 projects, phones of 20 ms a "
        "message, 6 pushes and 3 status requests a second a project, horizon 0.5 s, "
        f"max_batch 20; medians of {args.repeat} runs, spreads low to high below.",
    ]
    if len(args.ledgers) > 1:
        notes.append("Baseline of the Redis rows: the same fleet with in-process ledgers.")
    for count in counts:
        own = runs.get(("memory", count), [])
        for ledger in args.ledgers:
            label = f"{_processes(count)}, {_LEDGERS[ledger]}"
            baseline = own if ledger != "memory" else []
            more_rows, note = _fleet_rows(label, runs[ledger, count], baseline)
            rows += more_rows
            notes.append(note)
    return render("fleet: worker processes sharing the same tokens", rows, notes)
