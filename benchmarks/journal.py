"""Journal: what writing each message's fate costs a campaign, and how fast a rerun resumes.

A campaign of ``messages`` messages goes through ``Dispatcher.stream`` to
``projects`` projects whose pusher is a stand-in answering after 1 ms (no
HTTP), with and without a :class:`~picky_async.Journal` in a file
(WAL, ``synchronous=FULL``), runs taken in turns. Per message: this
process's CPU (``time.process_time()``, which counts the journal's worker
thread too) and wall time; and the worst stall of the event loop, as a
task waking every millisecond sees it (a pause of the garbage collector
included: the more messages wait, the longer). Then a journal holding
``resume_rows`` accepted messages is streamed through again: every
message is skipped with its receipt rebuilt, nothing is sent. Medians of
``repeat`` runs; the notes give the spread.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import pathlib
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Iterator, Sequence

import attrs

import picky_async as pa
from picky_async.journal import message_key

from ._harness import numbers
from ._table import Row, render
from .ledger import StandIn

__all__ = ["QUICK", "configure", "run"]

QUICK = {"messages": 2_000, "resume_rows": 5_000, "repeat": 1}
"""Sizes for the smoke test."""

_UNLIMITED = pa.RateLimit(10**9, 60.0)
_TICK = 0.001


def configure(parser: argparse.ArgumentParser) -> None:
    """Add this benchmark's options."""
    parser.add_argument("--messages", type=int, default=100_000, help="campaign size per run")
    parser.add_argument("--projects", type=int, default=4, help="projects sharing the work")
    parser.add_argument("--max-batch", type=int, default=100, help="messages per push")
    parser.add_argument("--max-pending", type=int, default=10_000, help="messages queued at most")
    parser.add_argument("--resume-rows", type=int, default=1_000_000, help="journal to resume")
    parser.add_argument("--repeat", type=int, default=5, help="runs per figure (median)")


@attrs.frozen
class Measured:
    """One campaign: CPU and wall per message (µs), the worst loop stall (ms)."""

    cpu: float
    wall: float
    stall: float


def _campaign(count: int) -> Iterator[pa.Message]:
    for number in numbers(count):
        yield pa.Message(number, f"Order {number} has shipped")


async def _watch(stalls: list[float]) -> None:
    """Note how late each millisecond's wake-up came, until cancelled."""
    loop = asyncio.get_running_loop()
    while True:
        before = loop.time()
        await asyncio.sleep(_TICK)
        stalls.append(loop.time() - before - _TICK)


async def _send(args: argparse.Namespace, journal: pa.Journal | None, run: int) -> Measured:
    projects = [
        pa.Project(f"token-{run}-{n}", seconds_per_message=1e-6, push_limit=_UNLIMITED)
        for n in range(args.projects)
    ]
    stand_in = StandIn()
    dispatcher = pa.Dispatcher(
        projects,
        client_factory=lambda project: stand_in,
        max_batch=args.max_batch,
        max_pending=args.max_pending,
        horizon=1.0,
        linger=0.0,
    )
    stalls: list[float] = []
    gc.collect()
    async with dispatcher:
        watcher = asyncio.get_running_loop().create_task(_watch(stalls))
        wall, cpu = time.perf_counter(), time.process_time()
        async for outcome in dispatcher.stream(_campaign(args.messages), journal=journal):
            if outcome.error is not None:
                raise outcome.error
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        watcher.cancel()
    per = 1e6 / args.messages
    return Measured(cpu * per, wall * per, max(stalls, default=0.0) * 1e3)


async def _pair(args: argparse.Namespace, folder: pathlib.Path, run: int) -> tuple[Measured, ...]:
    plain = await _send(args, None, run)
    async with pa.Journal(folder / f"campaign-{run}.db") as journal:
        journaled = await _send(args, journal, run)
    return plain, journaled


def _fill(path: pathlib.Path, count: int) -> None:
    """A journal of ``count`` accepted messages, the ones ``_campaign(count)`` makes."""
    asyncio.run(_open_and_close(path))  # the journal's own schema
    with sqlite3.connect(path) as db:
        db.executemany(
            "INSERT INTO messages VALUES (?, ?, ?, NULL, 'accepted', 'project-1', 'push', NULL,"
            " NULL)",
            ((message_key(m), m.number, m.text) for m in _campaign(count)),
        )


async def _open_and_close(path: pathlib.Path) -> None:
    async with pa.Journal(path):
        pass


async def _resume(args: argparse.Namespace, path: pathlib.Path) -> float:
    """Seconds to stream the whole campaign through a journal that has it all accepted."""
    project = pa.Project("token", seconds_per_message=1e-6, push_limit=_UNLIMITED)
    stand_in = StandIn()
    gc.collect()
    async with (
        pa.Journal(path) as journal,
        pa.Dispatcher([project], client_factory=lambda p: stand_in) as dispatcher,
    ):
        start = time.perf_counter()
        resumed = 0
        async for outcome in dispatcher.stream(_campaign(args.resume_rows), journal=journal):
            resumed += outcome.resumed
        took = time.perf_counter() - start
        if resumed != args.resume_rows or dispatcher.stats().pushes:
            raise AssertionError(f"{resumed} resumed of {args.resume_rows}")
    return took


def _spread(values: Sequence[float]) -> str:
    return f"{min(values):.3g}-{max(values):.3g}"


def run(args: argparse.Namespace) -> str:
    """Run both ways ``repeat`` times, then the resumes; the table of medians."""
    with tempfile.TemporaryDirectory() as folder:
        pairs = [asyncio.run(_pair(args, pathlib.Path(folder), n)) for n in range(args.repeat)]
        full = pathlib.Path(folder) / "full.db"
        _fill(full, args.resume_rows)
        resumes = [asyncio.run(_resume(args, full)) for _ in range(args.repeat)]
    plain = [pair[0] for pair in pairs]
    journaled = [pair[1] for pair in pairs]

    def row(metric: str, field: str, unit: str) -> Row:
        mine = [getattr(m, field) for m in journaled]
        theirs = [getattr(m, field) for m in plain]
        return Row(
            metric,
            statistics.median(mine),
            unit,
            baseline=statistics.median(theirs),
            paired_ratio=statistics.median(a / b for a, b in zip(mine, theirs, strict=True)),
        )

    rows = [
        row("CPU per message, journaled", "cpu", "µs"),
        row("wall per message, journaled", "wall", "µs"),
        row("worst event-loop stall, journaled", "stall", "ms"),
        Row("resume: stream through an all-accepted journal", statistics.median(resumes), "s"),
        Row(
            "resume: per message",
            statistics.median(resumes) / args.resume_rows * 1e6,
            "µs",
        ),
    ]
    notes = [
        f"{args.messages:,} messages, {args.projects} projects, pushes of {args.max_batch},"
        f" max_pending {args.max_pending:,},"
        f" stand-in pusher (1 ms); baseline: the same campaign without a journal;"
        f" resume: {args.resume_rows:,} rows; median of {args.repeat} runs",
        f"spread: CPU {_spread([m.cpu for m in journaled])} µs"
        f" (without {_spread([m.cpu for m in plain])}),"
        f" wall {_spread([m.wall for m in journaled])} µs"
        f" (without {_spread([m.wall for m in plain])}),"
        f" stall {_spread([m.stall for m in journaled])} ms"
        f" (without {_spread([m.stall for m in plain])}),"
        f" resume {_spread(resumes)} s",
    ]
    return render("journal: cost per message, and resuming", rows, notes)
