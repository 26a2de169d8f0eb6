"""Memory: bytes the Dispatcher holds per pending message, with 1,000,000 pending.

The messages are submitted in one go, without yielding to the event loop, so
all of them are pending (queued in the Dispatcher, not yet pushed) when
tracemalloc reads how much memory was allocated meanwhile. Numbers and texts
are built before, so the caller's own strings are not counted; the
Dispatcher's copy of each number (normalized) and everything it keeps per
message is. The baseline is the least a queue of sends can hold: a
``pa.Message`` and an ``asyncio.Future`` per message, in a list.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import pathlib
import tracemalloc
from collections.abc import Callable

import picky_async as pa
from picky_async.testing import Simulator

from ._harness import numbers
from ._table import Row, at_most, render

__all__ = ["QUICK", "configure", "run"]

QUICK = {"pending": 1_000}
"""Sizes for the smoke test."""

_SITES = 6


def configure(parser: argparse.ArgumentParser) -> None:
    """Add this benchmark's options."""
    parser.add_argument("--pending", type=int, default=1_000_000, help="messages pending")


Sites = list[tuple[str, int]]


def _allocated(fill: Callable[[], object]) -> tuple[int, Sites]:
    """Bytes still allocated after ``fill()`` (which keeps what it made alive),
    and the lines of code that allocated most of them."""
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        kept = fill()
        after = tracemalloc.get_traced_memory()[0]
        top = tracemalloc.take_snapshot().statistics("lineno")[:_SITES]
    finally:
        tracemalloc.stop()
    del kept
    sites = [(_where(stat.traceback[0]), stat.size) for stat in top]
    return after - before, sites


def _where(frame: tracemalloc.Frame) -> str:
    path = pathlib.PurePath(frame.filename)
    return f"{path.parent.name}/{path.name}:{frame.lineno}"


async def _measure(pending: int) -> tuple[int, int, Sites]:
    """Bytes in all: the Dispatcher's, the baseline's, and where the Dispatcher's went."""
    # Digits that need normalizing, as callers give them, so the copy is counted.
    given = [f"+{number}" for number in numbers(pending)]
    texts = [f"Your code is {n:06d}" for n in range(pending)]
    loop = asyncio.get_running_loop()

    def bare() -> object:
        return [(pa.Message(n, t), loop.create_future()) for n, t in zip(given, texts, strict=True)]

    baseline, _ = _allocated(bare)
    async with Simulator(projects=1) as simulator:
        project = pa.Project(simulator.projects[0].token)
        dispatcher = pa.Dispatcher([project], base_url=simulator.base_url, max_pending=pending)
        futures: list[asyncio.Future[pa.Receipt]] = []

        def submit_all() -> object:
            submit = dispatcher.submit
            futures.extend(submit(n, t) for n, t in zip(given, texts, strict=True))
            if dispatcher.stats().pending != pending:
                raise RuntimeError("messages left the Dispatcher while measuring")
            return futures

        used, sites = _allocated(submit_all)
        await dispatcher.close(drain=False)
        await asyncio.gather(*futures, return_exceptions=True)
    return used, baseline, sites


def run(args: argparse.Namespace) -> str:
    """Measure and return the table."""
    used, baseline, sites = asyncio.run(_measure(args.pending))
    per = args.pending
    rows = [Row("memory per pending message", used / per, "bytes", baseline / per, at_most(1024))]
    notes = [
        f"{args.pending:,} messages submitted without yielding, then measured with "
        "tracemalloc (current allocations, after gc); nothing was pushed meanwhile.",
        "Baseline: a list of (pa.Message, asyncio.Future) pairs, the least a queue of "
        "sends can hold. Caller-built number and text strings are not counted.",
        "Where the Dispatcher's bytes were allocated, per message:",
        *(f"  {size / per:6.1f} B  {where}" for where, size in sites),
    ]
    return render("memory: Dispatcher bytes per pending message", rows, notes)
