"""What the benchmarks share: recipients, clocks, a Simulator process, phone timelines.

Two ways to run a benchmark. Throughput wants real CPU time of the client
alone, so the Simulator runs in its own process (:func:`simulator_process`) and
the client measures ``time.process_time()``. Pacing and priority want hours of
phone time, so they run the Simulator and the Dispatcher on one event loop
whose clock ``looptime`` fast-forwards whenever nothing is ready
(:func:`run_simulated`); HTTP still goes over real loopback sockets.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import json
import os
import pathlib
import subprocess
import sys
from collections.abc import Awaitable, Callable, Iterable, Iterator, Sequence
from typing import TypeVar

import aiohttp
import attrs
import looptime

import picky_async as pa
from picky_async.testing import FaultKind, MessageRecord, Simulator
from picky_async.testing._looptime import looptime_options
from picky_async.wire import PushItem, PushRequest, converter, encode_body

__all__ = [
    "Job",
    "SimulatorProcess",
    "add_scenario_options",
    "dispatcher_projects",
    "mixed_speeds",
    "numbers",
    "percentile",
    "phone_jobs",
    "post_pushes",
    "process_cpu",
    "push_bodies",
    "run_simulated",
    "simulated_service",
    "simulator_process",
    "split_cpus",
]

T = TypeVar("T")

_ROOT = pathlib.Path(__file__).resolve().parent.parent
_JSON = {"Content-Type": "application/json"}


def numbers(count: int, *, first: int = 0) -> list[str]:
    """``count`` distinct valid recipient numbers (12 digits, Indian style)."""
    return [str(919_000_000_000 + first + n) for n in range(count)]


def push_bodies(
    tokens: Sequence[str], messages: Sequence[pa.Message], max_batch: int
) -> list[bytes]:
    """The push bodies, batch ``k`` going to project ``k mod len(tokens)``."""
    bodies = []
    for k, first in enumerate(range(0, len(messages), max_batch)):
        batch = messages[first : first + max_batch]
        request = PushRequest(
            tokens[k % len(tokens)],
            data=tuple(PushItem(message.number, message.text) for message in batch),
        )
        bodies.append(encode_body(converter.unstructure(request), "json")[0])
    return bodies


async def post_pushes(base_url: str, projects: int, bodies: Sequence[bytes]) -> None:
    """Post pre-built push ``bodies`` with raw aiohttp, one in flight per project.

    Body ``k`` goes in the turn of project ``k mod projects``, as
    :func:`push_bodies` addressed them: the transport limit, no client logic.

    Raises:
        RuntimeError: when the server refuses a push.
    """
    url = f"{base_url}/push"

    async def post_in_turn(own: Sequence[bytes]) -> None:
        for body in own:
            async with session.post(url, data=body, headers=_JSON) as response:
                answer = json.loads(await response.read())
            if answer.get("status") != pa.StatusCode.SUCCESS:
                raise RuntimeError(f"raw push refused: {answer}")

    async with aiohttp.ClientSession() as session:
        await asyncio.gather(*(post_in_turn(bodies[p::projects]) for p in range(projects)))


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0-100) of ``values``, interpolating between ranks.

    Raises:
        ValueError: for no values.
    """
    if not values:
        raise ValueError("percentile of no values")
    ordered = sorted(values)
    rank = q / 100 * (len(ordered) - 1)
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def run_simulated(main: Callable[[], Awaitable[T]]) -> T:
    """Run ``main()`` on a looptime loop: timers fire at once when nothing else can run."""
    loop = looptime.new_event_loop(**looptime_options())
    try:
        return loop.run_until_complete(main())
    finally:
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.close()


# Phones of mixed speeds, seconds per message: fast, typical and slow apps.
_SPEEDS = (2.0, 3.0, 4.0, 6.0, 10.0)


def mixed_speeds(count: int) -> list[float]:
    """Seconds per message for ``count`` phones, cycling through a mix of speeds."""
    return [_SPEEDS[n % len(_SPEEDS)] for n in range(count)]


def add_scenario_options(parser: argparse.ArgumentParser) -> None:
    """Options of the simulated-time benchmarks: the Dispatcher's and the phones'."""
    parser.add_argument("--horizon", type=float, default=60.0, help="Dispatcher horizon, s")
    parser.add_argument("--linger", type=float, default=0.05, help="Dispatcher linger, s")
    parser.add_argument(
        "--latency", type=float, default=0.1, help="simulated seconds each request takes"
    )
    parser.add_argument(
        "--jitter", type=float, default=0.1, help="phone time varies by this fraction either way"
    )
    parser.add_argument("--seed", type=int, default=0)


def simulated_service(
    speeds: Sequence[float], *, jitter: float, latency: float, seed: int
) -> Simulator:
    """A Simulator (not started) with one project per speed and the service's limits.

    Each phone's time per message varies by ``jitter`` times its speed either
    way; every request takes ``latency`` seconds to be answered.
    """
    simulator = Simulator(seed=seed)
    for seconds in speeds:
        simulator.add_project(seconds_per_message=seconds, jitter=seconds * jitter)
    if latency > 0:
        simulator.faults.add(FaultKind.LATENCY, seconds=latency)
    return simulator


def dispatcher_projects(simulator: Simulator) -> list[pa.Project]:
    """The Simulator's projects as the Dispatcher sees them: same names and speeds."""
    return [
        pa.Project(
            project.token, name=project.name, seconds_per_message=project.seconds_per_message
        )
        for project in simulator.projects
    ]


@attrs.frozen
class SimulatorProcess:
    """A Simulator serving from another process: where, which tokens, which pid."""

    base_url: str
    tokens: tuple[str, ...]
    pid: int


def split_cpus() -> tuple[set[int], int] | None:
    """CPUs for the client and the one for the server, when there are two or more.

    ``None`` where CPU affinity cannot be set (not Linux) or there is one CPU.
    """
    if not hasattr(os, "sched_getaffinity"):
        return None
    cpus = sorted(os.sched_getaffinity(0))
    if len(cpus) < 2:
        return None
    return set(cpus[:-1]), cpus[-1]


@contextlib.contextmanager
def simulator_process(
    projects: int, *, seconds_per_message: float = 0.0, pushes_per_minute: int = 10**9
) -> Iterator[SimulatorProcess]:
    """Start ``python -m picky_async.testing`` and stop it on exit.

    Its push limit is raised to ``pushes_per_minute`` (the service's 90 a
    minute would turn 100,000 messages into minutes of waiting). With two CPUs
    or more, the server gets one of its own and this process the others until
    the server stops, so neither waits for the other's CPU and this process's
    CPU time is its own work.

    Raises:
        RuntimeError: when the server exits before printing its address.
    """
    command = [
        sys.executable,
        "-m",
        "picky_async.testing",
        f"--projects={projects}",
        f"--seconds-per-message={seconds_per_message}",
        f"--push-limit={pushes_per_minute}/60",
    ]
    split = split_cpus()
    if split is not None:
        client, server = split
        everywhere = os.sched_getaffinity(0)
        os.sched_setaffinity(0, client)
    process = subprocess.Popen(command, cwd=_ROOT, stdout=subprocess.PIPE, text=True)
    try:
        if split is not None:
            os.sched_setaffinity(process.pid, {server})
        assert process.stdout is not None
        started = _announced(process.stdout, process.pid)
        if started is None:
            raise RuntimeError(f"the simulator process exited with {process.wait()}")
        yield started
    finally:
        process.terminate()
        process.wait(timeout=10)
        if process.stdout is not None:
            process.stdout.close()
        if split is not None:
            os.sched_setaffinity(0, everywhere)


def _announced(lines: Iterable[str], pid: int) -> SimulatorProcess | None:
    """Where the server says it serves and its tokens, read from its first lines:
    ``base URL ...``, then ``<project> token ...`` each, then ``Ctrl-C to stop``."""
    base_url, tokens = "", []
    for line in lines:
        words = line.split()
        if line.startswith("base URL "):
            base_url = words[2]
        elif words[1:2] == ["token"]:
            tokens.append(words[2])
        elif line.startswith("Ctrl-C"):
            return SimulatorProcess(base_url, tuple(tokens), pid)
    return None


def process_cpu(pid: int) -> float | None:
    """CPU seconds (user + system) process ``pid`` has used, or ``None`` off Linux."""
    try:
        fields = pathlib.Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    ticks = int(fields[11]) + int(fields[12])  # utime, stime: fields 14 and 15 of stat
    return ticks / os.sysconf("SC_CLK_TCK")


@attrs.frozen
class Job:
    """One message as its phone worked on it: taken off the queue, then sent."""

    record: MessageRecord
    started: float
    sent: float


def phone_jobs(records: Iterable[MessageRecord]) -> dict[str, list[Job]]:
    """Each phone's sent messages in order, with when the phone started each.

    A phone works one message at a time and starts the next as soon as the
    last is sent, so a message started when it arrived or when its
    predecessor was sent, whichever is later.
    """
    by_project: dict[str, list[MessageRecord]] = collections.defaultdict(list)
    for record in records:
        if record.sent_at is not None:
            by_project[record.project].append(record)
    jobs: dict[str, list[Job]] = {}
    for project, sent in by_project.items():
        sent.sort(key=lambda record: record.sent_at or 0.0)
        free = -float("inf")
        timeline = jobs[project] = []
        for record in sent:
            assert record.sent_at is not None
            timeline.append(Job(record, max(record.accepted_at, free), record.sent_at))
            free = record.sent_at
    return jobs
