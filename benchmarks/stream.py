"""Stream: peak memory of a 1,000,000-message campaign, through stream() and send_many().

The messages are made by a generator as they are read and go to a Simulator
in another process (20 projects, phones at 0 s a message, push limit out of
the way). Each run is a fresh process that reports how far its resident
memory rose above where it started (Linux's peak RSS, reset just before the
campaign), so no run inherits another's heap. ``stream()`` holds what
``max_pending`` allows; ``send_many()`` returns a receipt per message.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import pathlib
import statistics
import subprocess
import sys
from collections.abc import Iterator

import picky_async as pa

from ._harness import SimulatorProcess, simulator_process
from ._table import Row, at_most, render

__all__ = ["QUICK", "campaign_peak", "configure", "run"]

QUICK = {"messages": 2_000, "rounds": 1}
"""Sizes for the smoke test."""


def configure(parser: argparse.ArgumentParser) -> None:
    """Add this benchmark's options."""
    parser.add_argument("--messages", type=int, default=1_000_000, help="messages per campaign")
    parser.add_argument("--projects", type=int, default=20, help="projects (and phones)")
    parser.add_argument("--rounds", type=int, default=5, help="runs of each way; medians shown")


_MIB = 2**20


def _rss_kib(field: str) -> int:
    """This process's ``VmRSS`` or ``VmHWM`` (its peak), in KiB; 0 off Linux."""
    try:
        status = pathlib.Path("/proc/self/status").read_text()
    except OSError:
        return 0
    return next((int(line.split()[1]) for line in status.splitlines() if line.startswith(field)), 0)


def campaign_peak(way: str, count: int, base_url: str, tokens: list[str]) -> int:
    """Bytes the resident memory peaked above its start while sending ``count``
    generated messages through ``way`` (``stream`` or ``send_many``).

    Meant for a fresh process (see :func:`_peak_in_a_process`); Linux only.
    """

    def campaign() -> Iterator[pa.Message]:
        for n in range(count):
            yield pa.Message(str(919_000_000_000 + n), f"Order {n} has shipped")

    async def send() -> None:
        projects = [
            pa.Project(token, seconds_per_message=1e-6, push_limit=pa.RateLimit(10**9, 60.0))
            for token in tokens
        ]
        async with pa.Dispatcher(projects, base_url=base_url, horizon=1e12) as dispatcher:
            if way == "stream":
                async for outcome in dispatcher.stream(campaign()):
                    if outcome.error is not None:
                        raise outcome.error
            else:
                await dispatcher.send_many(campaign())

    gc.collect()
    pathlib.Path("/proc/self/clear_refs").write_text("5")  # the peak starts from here
    start = _rss_kib("VmRSS")
    asyncio.run(send())
    return (_rss_kib("VmHWM") - start) * 1024


def _peak_in_a_process(way: str, count: int, server: SimulatorProcess) -> int:
    """:func:`campaign_peak` in a fresh Python, so no run inherits another's heap."""
    call = f"campaign_peak({way!r}, {count}, {server.base_url!r}, {list(server.tokens)!r})"
    child = subprocess.run(
        [sys.executable, "-c", f"from benchmarks.stream import campaign_peak; print({call})"],
        cwd=pathlib.Path(__file__).resolve().parent.parent,
        capture_output=True,
        text=True,
        check=True,
    )
    return int(child.stdout.split()[-1])


def run(args: argparse.Namespace) -> str:
    """Measure and return the table."""
    peaks: dict[str, list[int]] = {"stream": [], "send_many": []}
    for _ in range(args.rounds):  # interleaved, so a slow spell hits both ways
        for way, found in peaks.items():
            with simulator_process(args.projects) as server:
                found.append(_peak_in_a_process(way, args.messages, server))
    stream, many = (statistics.median(found) / _MIB for found in peaks.values())
    who = f"{args.messages:,}-message"
    rows = [
        Row(f"peak RSS, {who} stream()", stream, "MiB", many, at_most(48)),
        Row(f"peak RSS, {who} send_many()", many, "MiB"),
    ]
    spread = ", ".join(
        f"{way} {min(found) / _MIB:.1f}-{max(found) / _MIB:.1f} MiB" for way, found in peaks.items()
    )
    notes = [
        f"{args.messages:,} messages made by a generator as read, {args.projects} projects at "
        "0 s/message, default max_pending; peak RSS above the start of each run, in a fresh "
        f"process, medians of {args.rounds} (lowest-highest: {spread}); baseline: send_many().",
    ]
    return render("stream: peak memory of a campaign", rows, notes)
