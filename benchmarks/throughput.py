"""Throughput and CPU overhead: the Dispatcher against raw aiohttp and naive sending.

The same messages go four ways to a Simulator in another process, whose
phones take 0 s a message and whose push limit is raised out of the way:

- raw aiohttp posts the pushes the Dispatcher would make, built and encoded
  before the clock starts: the transport limit;
- the Dispatcher (``send_many``) routes, folds and pushes them itself;
- single sends: every message through ``submit()`` (all at once, then
  every future awaited) and through ``send()`` (1,000 tasks, each sending
  one message after another), the cost per call of a Run and its wake;
- naive sending pushes one message per request through ``PickyClient``;
- and, as context, ``PickyClient.push`` of the same batches of 100: the client
  and wire layers' share of the cost, without the Dispatcher.

Each way keeps one request in flight per project, as the Dispatcher does.
CPU is ``time.process_time()`` of this process alone: the client's cost. Each
run gets a fresh server process on a CPU of its own (when there are two), and
the table shows medians of interleaved runs, since a shared machine is noisy.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import statistics
import time
from collections.abc import Callable, Coroutine, Sequence
from typing import Any

import aiohttp
import attrs

import picky_async as pa

from ._harness import (
    SimulatorProcess,
    numbers,
    post_pushes,
    process_cpu,
    push_bodies,
    simulator_process,
)
from ._profile import hot_spots, new_profiler
from ._table import Row, at_least, at_most, render

__all__ = ["QUICK", "configure", "run"]

QUICK = {"messages": 2_000, "naive_messages": 200, "projects": "1,4", "repeat": 1}
"""Sizes for the smoke test."""

# Out of the way: this benchmark measures CPU, not the service's limits.
_UNLIMITED = pa.RateLimit(10**9, 60.0)
# Phones take 0 s a message; the Dispatcher needs a positive estimate, and a
# horizon so large that pacing never holds anything back.
_TINY_SECONDS = 1e-6
_LARGE_HORIZON = 1e12


def configure(parser: argparse.ArgumentParser) -> None:
    """Add this benchmark's options."""
    parser.add_argument("--messages", type=int, default=100_000, help="messages per run")
    parser.add_argument(
        "--naive-messages",
        type=int,
        default=5_000,
        help="messages for the naive run (one request each; its rate is what counts)",
    )
    parser.add_argument(
        "--projects", default="1,20", help="comma-separated project counts, one run each"
    )
    parser.add_argument("--max-batch", type=int, default=100, help="messages per push")
    parser.add_argument(
        "--repeat", type=int, default=5, help="runs of each way; the table shows medians"
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="profile the Dispatcher runs with pyinstrument (pip install pyinstrument)",
    )


@attrs.frozen
class Measured:
    """One run: how many messages, how long, how much CPU here and in the server."""

    messages: int
    wall: float
    cpu: float
    server_cpu: float | None

    @property
    def rate(self) -> float:
        """Messages per second of wall time."""
        return self.messages / self.wall

    @property
    def cpu_us(self) -> float:
        """This process's CPU microseconds per message."""
        return self.cpu / self.messages * 1e6

    @property
    def server_cpu_us(self) -> float | None:
        """The Simulator process's CPU microseconds per message."""
        return None if self.server_cpu is None else self.server_cpu / self.messages * 1e6


Work = Callable[[], Coroutine[Any, Any, object]]
Prepared = Callable[[SimulatorProcess], Work]
"""Given a running server, whatever needs building first, and then the work to time."""


def _measure(projects: int, messages: int, prepare: Prepared, profiler: Any = None) -> Measured:
    """Time one run against a fresh Simulator process.

    A fresh one each time, so no run pays for the records an earlier one left
    (the server's garbage collector walks them all).
    """
    with simulator_process(projects) as server:
        work = prepare(server)
        gc.collect()  # every way starts from the same collector state
        server_before = process_cpu(server.pid)
        if profiler is not None:
            profiler.start()
        wall, cpu = time.perf_counter(), time.process_time()
        asyncio.run(work())
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        if profiler is not None:
            profiler.stop()
        server_after = process_cpu(server.pid)
    server_cpu = None
    if server_before is not None and server_after is not None:
        server_cpu = server_after - server_before
    return Measured(messages, wall, cpu, server_cpu)


def _new_dispatcher(
    base_url: str, tokens: Sequence[str], messages: Sequence[pa.Message], max_batch: int
) -> pa.Dispatcher:
    projects = [
        pa.Project(token, seconds_per_message=_TINY_SECONDS, push_limit=_UNLIMITED)
        for token in tokens
    ]
    return pa.Dispatcher(
        projects,
        base_url=base_url,
        max_batch=max_batch,
        horizon=_LARGE_HORIZON,
        max_pending=max(len(messages), 1),
    )


async def _dispatcher(
    base_url: str, tokens: Sequence[str], messages: Sequence[pa.Message], max_batch: int
) -> None:
    async with _new_dispatcher(base_url, tokens, messages, max_batch) as dispatcher:
        receipts = await dispatcher.send_many(messages)
    if len(receipts) != len(messages):
        raise RuntimeError("the Dispatcher lost messages")


async def _submits(
    base_url: str, tokens: Sequence[str], messages: Sequence[pa.Message], max_batch: int
) -> None:
    """Every message through ``submit()`` at once, then every future awaited."""
    async with _new_dispatcher(base_url, tokens, messages, max_batch) as dispatcher:
        submit = dispatcher.submit
        for future in [submit(m.number, m.text) for m in messages]:
            await future


_SENDERS = 1000


async def _sends(
    base_url: str, tokens: Sequence[str], messages: Sequence[pa.Message], max_batch: int
) -> None:
    """Every message through ``send()``, from 1,000 tasks sending one after another."""
    rest = iter(messages)
    async with _new_dispatcher(base_url, tokens, messages, max_batch) as dispatcher:

        async def sender() -> None:
            for message in rest:
                await dispatcher.send(message.number, message.text)

        await asyncio.gather(*(sender() for _ in range(_SENDERS)))


async def _pushes(
    base_url: str, tokens: Sequence[str], messages: Sequence[pa.Message], per_push: int
) -> None:
    """``PickyClient.push`` of ``per_push`` messages at a time, batch k to project k mod n."""

    async def in_turn(client: pa.PickyClient, own: Sequence[Sequence[pa.Message]]) -> None:
        for batch in own:
            await client.push(batch)

    batches = [messages[first : first + per_push] for first in range(0, len(messages), per_push)]
    async with aiohttp.ClientSession() as session:
        clients = [
            pa.PickyClient(token, base_url=base_url, session=session, retry=None)
            for token in tokens
        ]
        count = len(clients)
        await asyncio.gather(
            *(in_turn(client, batches[p::count]) for p, client in enumerate(clients))
        )


@attrs.frozen
class Comparison:
    """Every way, for one number of projects."""

    projects: int
    raw: Measured
    client: Measured
    dispatcher: Measured
    naive: Measured
    submits: Measured
    sends: Measured
    vs_raw: float  # the median of each round's Dispatcher rate / raw rate
    vs_naive: float
    spread: str  # the CPU per message of the Dispatcher's ways, lowest to highest
    profile: str | None

    def ways(self) -> list[tuple[str, Measured]]:
        """Each way with its name, from the transport limit to naive sending."""
        return [
            ("raw aiohttp", self.raw),
            ("PickyClient", self.client),
            ("Dispatcher", self.dispatcher),
            ("naive", self.naive),
            ("submit()", self.submits),
            ("send()", self.sends),
        ]


def _compare(
    count: int, messages: Sequence[pa.Message], naive: int, args: argparse.Namespace
) -> Comparison:
    max_batch = args.max_batch

    def raw(server: SimulatorProcess) -> Work:
        bodies = push_bodies(server.tokens, messages, max_batch)
        return lambda: post_pushes(server.base_url, count, bodies)

    def client(server: SimulatorProcess) -> Work:
        return lambda: _pushes(server.base_url, server.tokens, messages, max_batch)

    def dispatcher(server: SimulatorProcess) -> Work:
        return lambda: _dispatcher(server.base_url, server.tokens, messages, max_batch)

    def one_by_one(server: SimulatorProcess) -> Work:
        return lambda: _pushes(server.base_url, server.tokens, messages[:naive], 1)

    def submits(server: SimulatorProcess) -> Work:
        return lambda: _submits(server.base_url, server.tokens, messages, max_batch)

    def sends(server: SimulatorProcess) -> Work:
        return lambda: _sends(server.base_url, server.tokens, messages, max_batch)

    with simulator_process(count) as server:  # warm up: connections, lazily built hooks
        warm = messages[: max_batch * count]
        asyncio.run(_dispatcher(server.base_url, server.tokens, warm, max_batch))
    profiler = new_profiler() if args.profile else None
    runs: list[list[Measured]] = [[], [], [], [], [], []]
    for attempt in range(args.repeat):  # interleaved, so a slow spell hits every way
        watched = profiler if attempt == 0 else None
        runs[0].append(_measure(count, len(messages), raw))
        runs[1].append(_measure(count, len(messages), client))
        runs[2].append(_measure(count, len(messages), dispatcher, watched))
        runs[3].append(_measure(count, naive, one_by_one))
        runs[4].append(_measure(count, len(messages), submits))
        runs[5].append(_measure(count, len(messages), sends))
    raw_run, client_run, dispatched, naive_run, submitted, sent = (_median(way) for way in runs)
    vs_raw = _paired(runs[2], runs[0])
    vs_naive = _paired(runs[2], runs[3])
    profile = None if profiler is None else hot_spots(profiler)
    spread = ", ".join(
        f"{name} {min(r.cpu_us for r in way):.1f}-{max(r.cpu_us for r in way):.1f}"
        for name, way in (("send_many", runs[2]), ("submit()", runs[4]), ("send()", runs[5]))
    )
    return Comparison(
        count,
        raw_run,
        client_run,
        dispatched,
        naive_run,
        submitted,
        sent,
        vs_raw,
        vs_naive,
        spread,
        profile,
    )


def _paired(runs: Sequence[Measured], baselines: Sequence[Measured]) -> float:
    """The median over rounds of one way's rate against another's in the same round."""
    return statistics.median(
        run.rate / baseline.rate for run, baseline in zip(runs, baselines, strict=True)
    )


def _median(runs: Sequence[Measured]) -> Measured:
    """Each figure's median over the runs (not one run's figures)."""
    servers = [run.server_cpu for run in runs]
    return Measured(
        runs[0].messages,
        statistics.median(run.wall for run in runs),
        statistics.median(run.cpu for run in runs),
        None if None in servers else statistics.median(s for s in servers if s is not None),
    )


def _rows(c: Comparison) -> list[Row]:
    who = f"{c.projects} project" + ("s" if c.projects > 1 else "")
    d = c.dispatcher

    def versus(name: str, baseline: Measured, paired: float, bound: float) -> Row:
        target = at_least(bound, ratio=True)
        return Row(f"{who}: Dispatcher vs {name}", d.rate, "msg/s", baseline.rate, target, paired)

    return [
        versus("raw aiohttp", c.raw, c.vs_raw, 0.8),
        versus("naive", c.naive, c.vs_naive, 20),
        Row(f"{who}: client CPU per message", d.cpu_us, "µs", c.raw.cpu_us, at_most(10)),
        Row(f"{who}: CPU per message, submit()", c.submits.cpu_us, "µs", d.cpu_us, at_most(8)),
        Row(f"{who}: CPU per message, send()", c.sends.cpu_us, "µs", d.cpu_us, at_most(8)),
    ]


def _notes(comparisons: Sequence[Comparison], args: argparse.Namespace) -> list[str]:
    notes = [
        f"{args.messages:,} messages per run, {args.max_batch} per push, medians of "
        f"{args.repeat} interleaved rounds (the ratios: medians of each round's ratio, "
        "which a slow spell of a shared machine sways less); baselines: raw "
        f"aiohttp posting the same pre-built pushes, and naive one-push-per-message "
        f"({args.naive_messages:,} messages, its rate is what counts).",
        "Simulator in another process, phones at 0 s/message, push limit raised to "
        "10**9/min on both sides; one request in flight per project in every run.",
        "PickyClient (context): PickyClient.push of the same 100-message batches, "
        "the client and wire layers without the Dispatcher.",
        "submit() and send() (single sends, their baseline send_many): every message "
        f"submitted at once then awaited; {_SENDERS:,} tasks each awaiting send() in turn.",
    ]
    for c in comparisons:
        notes.append(f"{c.projects:>3} project(s), CPU µs/msg over the rounds: {c.spread}")
        for name, run in c.ways():
            server = "n/a" if run.server_cpu_us is None else f"{run.server_cpu_us:.1f}"
            notes.append(
                f"{c.projects:>3} project(s), {name:<11}: {run.rate:>9,.0f} msg/s, "
                f"{run.wall:6.2f} s, client CPU {run.cpu_us:6.1f} µs/msg, "
                f"server CPU {server} µs/msg"
            )
    return notes


def run(args: argparse.Namespace) -> str:
    """Run every comparison and return the table (and profiles, if asked)."""
    counts = [int(part) for part in str(args.projects).split(",")]
    texts = [f"Order {n} has shipped" for n in range(args.messages)]
    messages = [
        pa.Message(number, text) for number, text in zip(numbers(args.messages), texts, strict=True)
    ]
    naive = min(args.naive_messages, len(messages))
    comparisons = [_compare(count, messages, naive, args) for count in counts]
    rows = [row for c in comparisons for row in _rows(c)]
    text = render(
        "throughput: Dispatcher vs raw aiohttp and naive", rows, _notes(comparisons, args)
    )
    for c in comparisons:
        if c.profile is not None:
            text += f"\n\nprofile of the Dispatcher run, {c.projects} project(s):\n{c.profile}"
    return text
