"""Opt-outs: what a lookup and a recorded STOP cost with OptOuts on a SQLite file.

A store on a file in a temporary directory holds ``stored`` numbers; each
figure is the median of ``repeat`` runs. The lookup (``number in opt_outs``,
half of the numbers present) reads SQLite each time, which is what lets every
process see a change at once; the baseline is the other design that stays
correct across processes: a set in memory, refreshed whenever
``PRAGMA data_version`` says another connection changed the file (one such
refresh is measured too). A write commits with ``synchronous=FULL``; the
webhook makes it through ``asyncio.to_thread``, measured from the loop.
Last, the Dispatcher's share: the CPU per message of a ``send_many``
campaign of ``dispatched`` keyed messages to a stand-in pusher (1 ms, no
HTTP) with ``opt_outs=`` (two lookups a message, at intake and before its
push, plus its key's), against the same campaign without; with a
``cold_limit`` too (every number cold: a history lookup a message, one
``take_daily`` a chunk), and with a daily cap on the project instead (one
``take_daily`` per push, on the event loop), each against ``opt_outs`` alone.
A cold ``send`` or a capped push takes its count with one ``take_daily``,
committed like an add: measured too.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import pathlib
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable, Sequence

import picky_async as pa

from ._harness import numbers
from ._table import Row, Target, at_most, render, runs
from .ledger import StandIn

__all__ = ["QUICK", "configure", "run"]

_UNLIMITED = pa.RateLimit(10**9, 60.0)

QUICK = {"stored": 1_000, "lookups": 1_000, "writes": 10, "dispatched": 2_000, "repeat": 1}
"""Sizes for the smoke test."""


def configure(parser: argparse.ArgumentParser) -> None:
    """Add this benchmark's options."""
    parser.add_argument("--stored", type=int, default=100_000, help="numbers in the store")
    parser.add_argument("--lookups", type=int, default=200_000, help="lookups per run")
    parser.add_argument("--writes", type=int, default=200, help="adds per run")
    parser.add_argument(
        "--dispatched", type=int, default=20_000, help="messages sent through the Dispatcher"
    )
    parser.add_argument("--repeat", type=int, default=5, help="runs per figure (median)")


class CachedSet:
    """The baseline: a set of the numbers, reloaded when the file changed elsewhere."""

    def __init__(self, path: pathlib.Path) -> None:
        self._db = sqlite3.connect(path, isolation_level=None)
        self._version: int | None = None
        self._numbers: set[str] = set()

    def __contains__(self, number: str) -> bool:
        (version,) = self._db.execute("PRAGMA data_version").fetchone()
        if version != self._version:
            self.reload()
            self._version = version
        return pa.normalize_number(number) in self._numbers

    def reload(self) -> None:
        self._numbers = {row[0] for row in self._db.execute("SELECT number FROM opt_outs")}

    def close(self) -> None:
        self._db.close()


def _per_call(calls: Sequence[str], check: Callable[[str], object]) -> float:
    """Seconds per ``check`` over ``calls``."""
    started = time.perf_counter()
    for number in calls:
        check(number)
    return (time.perf_counter() - started) / len(calls)


async def _threaded_adds(opt_outs: pa.OptOuts, batch: Sequence[str]) -> float:
    """Seconds per add made through ``asyncio.to_thread``, as seen by the loop."""
    started = time.perf_counter()
    for number in batch:
        await asyncio.to_thread(opt_outs.add, number, reason="STOP")
    return (time.perf_counter() - started) / len(batch)


async def _dispatched(
    count: int,
    opt_outs: pa.OptOuts | None,
    run: int,
    *,
    cold_limit: int | None = None,
    daily_cap: int | None = None,
) -> float:
    """CPU seconds per message of a keyed campaign sent with (or without) ``opt_outs``,
    and a ``cold_limit`` or ``daily_cap`` none of them reaches."""
    project = pa.Project(
        f"token-{run}", seconds_per_message=1e-6, push_limit=_UNLIMITED, daily_cap=daily_cap
    )
    stand_in = StandIn()
    # Far above the numbers stored and added, so none of these has opted out.
    messages = [pa.Message(n, "hello", key=f"{run}-{n}") for n in numbers(count, first=10**8)]
    async with pa.Dispatcher(
        [project],
        client_factory=lambda p: stand_in,
        opt_outs=opt_outs,
        cold_limit=cold_limit,
        horizon=1.0,
        linger=0.0,
    ) as dispatcher:
        started = time.process_time()
        await dispatcher.send_many(messages)
        return (time.process_time() - started) / count


def _measure(args: argparse.Namespace, folder: pathlib.Path) -> dict[str, list[float]]:
    path = folder / "optouts.db"
    stored = numbers(args.stored)
    calls = (stored[::2] + numbers(args.stored, first=args.stored)[::2]) * (
        args.lookups // args.stored + 1
    )
    figures: dict[str, list[float]] = {}
    with pa.OptOuts(path) as opt_outs:
        opt_outs.import_csv(io.StringIO("\n".join(["number", *stored])))
        cached = CachedSet(path)
        fresh = numbers(args.writes * args.repeat * 2, first=10 * args.stored)
        for run in range(args.repeat):
            figures.setdefault("lookup", []).append(
                _per_call(calls[: args.lookups], opt_outs.__contains__)
            )
            figures.setdefault("cached", []).append(
                _per_call(calls[: args.lookups], cached.__contains__)
            )
            started = time.perf_counter()
            cached.reload()
            figures.setdefault("reload", []).append(time.perf_counter() - started)
            batch = fresh[2 * run * args.writes : (2 * run + 1) * args.writes]
            figures.setdefault("add", []).append(_per_call(batch, opt_outs.add))
            days = [f"bench-{run}-{n}" for n in range(args.writes)]
            figures.setdefault("take", []).append(
                _per_call(days, lambda day: opt_outs.take_daily("cold", day, 1, 10))
            )
            threaded = fresh[(2 * run + 1) * args.writes : (2 * run + 2) * args.writes]
            figures.setdefault("threaded", []).append(
                asyncio.run(_threaded_adds(opt_outs, threaded))
            )
            for name, store in (("plain", None), ("screened", opt_outs)):
                figures.setdefault(name, []).append(
                    asyncio.run(_dispatched(args.dispatched, store, run))
                )
            cold_run = args.repeat + run  # keys of their own: none refused as a repeat
            figures.setdefault("cold", []).append(
                asyncio.run(_dispatched(args.dispatched, opt_outs, cold_run, cold_limit=10**9))
            )
            capped_run = 2 * args.repeat + run
            figures.setdefault("capped", []).append(
                asyncio.run(_dispatched(args.dispatched, opt_outs, capped_run, daily_cap=10**9))
            )
        cached.close()
    return figures


def run(args: argparse.Namespace) -> str:
    """Measure and return the table."""
    with tempfile.TemporaryDirectory() as folder:
        figures = _measure(args, pathlib.Path(folder))

    def row(
        metric: str,
        name: str,
        unit: str,
        *,
        against: str | None = None,
        target: Target | None = None,
    ) -> Row:
        """The median of ``name``'s runs in ``unit`` (µs or ms), with their spread; against
        the median of the runs of ``against`` made beside them, and the median of their ratios."""
        scale = 1e6 if unit == "µs" else 1e3
        value, spread = runs(figures[name], scale)
        if against is None:
            return Row(metric, value, unit, target=target, spread=spread)
        pairs = zip(figures[name], figures[against], strict=True)
        return Row(
            metric,
            value,
            unit,
            runs(figures[against], scale)[0],
            target,
            paired_ratio=statistics.median(mine / theirs for mine, theirs in pairs),
            spread=spread,
        )

    rows = [
        row("lookup, number in opt_outs", "lookup", "µs", against="cached", target=at_most(10)),
        row("cached set: reload after a change elsewhere", "reload", "ms"),
        row("add, committed to disk", "add", "ms", target=at_most(1)),
        row("add through asyncio.to_thread, from the loop", "threaded", "ms"),
        row("take_daily (a cold send's or a capped push's count), committed", "take", "ms"),
        row("Dispatcher CPU per message, with opt_outs", "screened", "µs", against="plain"),
        row(
            "Dispatcher CPU per message, with opt_outs and cold_limit",
            "cold",
            "µs",
            against="screened",
        ),
        row(
            "Dispatcher CPU per message, with opt_outs and a daily cap",
            "capped",
            "µs",
            against="screened",
        ),
    ]
    notes = [
        f"{args.stored:,} numbers stored, {args.lookups:,} lookups (half present) and "
        f"{args.writes:,} adds per run, median of {args.repeat} runs [lowest-highest];"
        " ratios are medians of the runs' own ratios (each run measures both).",
        "Baseline of the lookup: a set refreshed when PRAGMA data_version changes, which "
        "pays the reload above after each change another process makes.",
        f"Dispatcher: send_many of {args.dispatched:,} keyed messages to a stand-in pusher"
        " (1 ms), with opt_outs and a repeat window; baseline: without opt_outs.",
        "With cold_limit: every number cold, one take_daily per chunk of 1,000; baseline:"
        " opt_outs alone.",
        "With a daily cap (never reached), one take_daily per push; baseline: opt_outs alone.",
    ]
    return render("optouts: lookup and write costs of the opt-out store", rows, notes)
