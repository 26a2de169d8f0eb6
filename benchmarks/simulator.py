"""Simulator: its own CPU per message, for 100-message pushes from raw aiohttp.

The throughput benchmark's figures are only the client's while the Simulator
serving it is cheaper than the client; this one measures the server alone.
Each run starts a fresh ``python -m picky_async.testing`` (phones at 0 s a
message, push limit out of the way) and posts pre-built pushes to it with raw
aiohttp, one in flight per project, as throughput's raw baseline does. The
server's CPU time (user + system, from ``/proc``) divided by the messages is
the figure, read twice: when the last answer is in (what the client's rate
saw), and once the phones have sent every message and the server idles (all
the messages cost it). The baseline is the raw client's own CPU per message in
the same runs. Medians of ``--repeat`` runs, with their spread.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import statistics
import time
from collections.abc import Sequence

import attrs

import picky_async as pa

from ._harness import numbers, post_pushes, process_cpu, push_bodies, simulator_process
from ._table import Row, at_most, render

__all__ = ["QUICK", "configure", "run"]

QUICK = {"messages": 2_000, "projects": 4, "repeat": 1}
"""Sizes for the smoke test."""


def configure(parser: argparse.ArgumentParser) -> None:
    """Add this benchmark's options."""
    parser.add_argument("--messages", type=int, default=50_000, help="messages per run")
    parser.add_argument(
        "--projects", type=int, default=20, help="projects, one push in flight each"
    )
    parser.add_argument("--max-batch", type=int, default=100, help="messages per push")
    parser.add_argument("--repeat", type=int, default=5, help="runs; the table shows medians")


@attrs.frozen
class Measured:
    """One run: microseconds of CPU per message in the server and in the client."""

    server_us: float
    settled_us: float
    client_us: float
    rate: float


# The server counts as idle once its CPU time stays put this long.
_IDLE_SECONDS = 0.2


def _settled_cpu(pid: int) -> float | None:
    """Process ``pid``'s CPU seconds once it stops using any."""
    last = process_cpu(pid)
    while True:
        time.sleep(_IDLE_SECONDS)
        now = process_cpu(pid)
        if now == last:
            return now
        last = now


def _measure(projects: int, messages: Sequence[pa.Message], max_batch: int) -> Measured:
    """Post ``messages`` to a fresh Simulator process and read both CPU clocks."""
    with simulator_process(projects) as server:
        bodies = push_bodies(server.tokens, messages, max_batch)
        gc.collect()
        server_before = process_cpu(server.pid)
        wall, cpu = time.perf_counter(), time.process_time()
        asyncio.run(post_pushes(server.base_url, projects, bodies))
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        server_after = process_cpu(server.pid)
        server_settled = _settled_cpu(server.pid)
    if server_before is None or server_after is None or server_settled is None:
        raise RuntimeError("the server's CPU time is read from /proc, which this system lacks")
    per_message = 1e6 / len(messages)
    return Measured(
        (server_after - server_before) * per_message,
        (server_settled - server_before) * per_message,
        cpu * per_message,
        len(messages) / wall,
    )


def _spread(values: Sequence[float]) -> str:
    """The median with the range of the runs, such as ``2.10 (1.98-2.31)``."""
    return f"{statistics.median(values):.2f} ({min(values):.2f}-{max(values):.2f})"


def run(args: argparse.Namespace) -> str:
    """Measure ``--repeat`` runs and return the table.

    Raises:
        RuntimeError: off Linux, where the server's CPU time cannot be read.
    """
    messages = [pa.Message(number, "Order has shipped") for number in numbers(args.messages)]
    runs = [_measure(args.projects, messages, args.max_batch) for _ in range(args.repeat)]
    server = [measured.server_us for measured in runs]
    settled = [measured.settled_us for measured in runs]
    client = [measured.client_us for measured in runs]
    rates = [measured.rate for measured in runs]
    baseline = statistics.median(client)
    rows = [
        Row("Simulator CPU per message", statistics.median(settled), "µs", baseline),
        Row(
            "Simulator CPU per message, until the last answer",
            statistics.median(server),
            "µs",
            baseline,
            at_most(1, ratio=True),
        ),
    ]
    notes = [
        f"{args.messages:,} messages per run in pushes of {args.max_batch} to "
        f"{args.projects} projects from raw aiohttp; medians of {args.repeat} runs "
        "(range in brackets); baseline: the raw client's own CPU per message.",
        f"Simulator CPU µs/msg, in all: {_spread(settled)}; until the last answer: "
        f"{_spread(server)}; raw client CPU µs/msg: {_spread(client)}; "
        f"msg/s: {statistics.median(rates):,.0f}.",
    ]
    return render("simulator: the Simulator's own CPU per message", rows, notes)
