"""A fleet of worker processes sharing one service's tokens, and what they did to it.

:func:`run_fleet` runs one Simulator in this process and spawns ``processes``
workers (``python -m benchmarks.fleet_worker``), each with a Dispatcher over
the same projects and its own share of one campaign, while this event loop
keeps serving them. Phones and limits are scaled down (milliseconds a
message, a few pushes a second) so that the limits bind when several workers
push at once and a run takes seconds. Scenarios: SIGKILL one worker mid-run,
or stop Redis mid-run and start it again. The result comes from the
Simulator's records (see :mod:`benchmarks._fleet_measure`); the workers'
processes are handled in :mod:`benchmarks._fleet_workers`.
"""

from __future__ import annotations

import asyncio
import itertools
import signal
import time
import uuid
from collections.abc import Sequence

import attrs

import picky_async as pa
from picky_async.testing import MessageRecord, RedisServer, Simulator

from ._fleet_measure import Share, Usage, requests_between, share_of, usage
from ._fleet_workers import outputs, reports, signal_worker, started
from ._harness import numbers
from .fleet_worker import WorkerPlan, WorkerResult

__all__ = ["Fleet", "FleetResult", "RedisRestart", "run_fleet"]

_IN_FLIGHT = 0.05  # seconds after Redis stops in which a push already started may still land
# The service's limits (90 pushes and 3 status requests a minute) scaled to phones of 20 ms.
_PUSH_LIMIT = pa.RateLimit(6, 1.0)
_STATUS_LIMIT = pa.RateLimit(3, 1.0)


@attrs.frozen
class Fleet:
    """The set-up of a run: workers, campaign, phones, limits and the Dispatchers' pacing."""

    processes: int = 4
    messages: int = 2_500
    projects: int = 10
    seconds_per_message: float = 0.02
    push_limit: pa.RateLimit = _PUSH_LIMIT
    status_limit: pa.RateLimit = _STATUS_LIMIT
    horizon: float = 0.5
    max_batch: int = 20
    linger: float = 0.005

    @property
    def queue_bound(self) -> float:
        """The most work a phone should ever hold: the horizon plus one full push."""
        return self.horizon + self.max_batch * self.seconds_per_message

    def ideal(self, messages: int) -> float:
        """The least time ``messages`` can take: every phone busy, or every push
        full at the push limits, whichever is slower."""
        by_phones = messages * self.seconds_per_message / self.projects
        limit = self.push_limit
        by_pushes = messages / (self.max_batch * self.projects * limit.count / limit.period)
        return max(by_phones, by_pushes)

    def shares(self) -> list[tuple[int, int]]:
        """Each worker's first message and count: the campaign split as evenly as can be."""
        bounds = [self.messages * n // self.processes for n in range(self.processes + 1)]
        return [(low, high - low) for low, high in itertools.pairwise(bounds)]


@attrs.frozen
class RedisRestart:
    """Stop ``server`` ``after`` seconds into the run, and start it ``down`` seconds later."""

    server: RedisServer
    after: float
    down: float = 0.5


@attrs.frozen
class FleetResult:
    """One run: its set-up, what the service saw, and each worker's report.

    ``workers`` holds ``None`` for the worker killed on purpose; ``live`` and
    ``killed`` account for the messages of the others and of that one.
    ``requests_while_down`` counts requests the service got while Redis was
    stopped (after the first 50 ms), when the run restarted it. ``tokens``
    (never in the repr) lets a test check that none was left anywhere.
    """

    fleet: Fleet
    usage: Usage
    workers: tuple[WorkerResult | None, ...]
    live: Share
    killed: Share | None
    requests_while_down: int | None
    wall: float
    tokens: tuple[str, ...] = attrs.field(repr=False)

    @property
    def ideal(self) -> float:
        """The least time the messages the service accepted could have taken."""
        return self.fleet.ideal(self.usage.messages)

    @property
    def makespan_ratio(self) -> float:
        """Makespan over the ideal: 1 is as fast as the phones (or limits) allow."""
        return self.usage.makespan / self.ideal

    @property
    def queue_ratio(self) -> float:
        """The fullest phone's queue over the horizon plus one push: above 1 overfills."""
        return self.usage.peak_queue / self.fleet.queue_bound

    @property
    def pushes_per_message(self) -> float:
        """Push requests the service received (refused ones too) per message accepted."""
        return self.usage.push_requests / self.usage.messages


def _simulator(fleet: Fleet) -> Simulator:
    simulator = Simulator()
    for _ in range(fleet.projects):
        simulator.add_project(
            seconds_per_message=fleet.seconds_per_message,
            push_limit=fleet.push_limit,
            status_limit=fleet.status_limit,
        )
    return simulator


def _plans(fleet: Fleet, simulator: Simulator, redis_url: str | None) -> list[WorkerPlan]:
    namespace = f"fleet-{uuid.uuid4().hex}"  # runs on one Redis never share state
    return [
        WorkerPlan(
            simulator.base_url,
            tuple(project.token for project in simulator.projects),
            fleet.seconds_per_message,
            fleet.push_limit,
            fleet.status_limit,
            fleet.horizon,
            fleet.max_batch,
            fleet.linger,
            first,
            count,
            redis_url=redis_url,
            namespace=namespace,
        )
        for first, count in fleet.shares()
    ]


def _recipients(plan: WorkerPlan) -> list[str]:
    """The numbers of a worker's share."""
    return numbers(plan.count, first=plan.first)


async def _kill_after(
    seconds: float,
    simulator: Simulator,
    workers: Sequence[asyncio.subprocess.Process],
    plans: Sequence[WorkerPlan],
) -> int | None:
    """SIGKILL, ``seconds`` from now, the running worker with the most of its share
    the service has not accepted yet (so it dies mid-run); return which, if any ran."""
    await asyncio.sleep(seconds)
    accepted = {record.number for record in simulator.messages}
    running = [number for number, worker in enumerate(workers) if worker.returncode is None]
    if not running:
        return None

    def left(number: int) -> int:
        return sum(recipient not in accepted for recipient in _recipients(plans[number]))

    victim = max(running, key=left)
    signal_worker(workers[victim], signal.SIGKILL)
    return victim


async def _restart(restart: RedisRestart) -> tuple[float, float]:
    """Stop the server, wait, start it again; return when it stopped and when it restarted.

    The server's calls block, so they run in a thread while this loop serves.
    """
    loop = asyncio.get_running_loop()
    await asyncio.sleep(restart.after)
    stopped = loop.time()
    await asyncio.to_thread(restart.server.stop)
    await asyncio.sleep(restart.down)
    restarted = loop.time()
    await asyncio.to_thread(restart.server.start)
    return stopped, restarted


async def _nothing() -> None:
    return None


def _share(records: Sequence[MessageRecord], plans: Sequence[WorkerPlan]) -> Share:
    """What became of the messages of the workers given these ``plans``."""
    recipients = {number for plan in plans for number in _recipients(plan)}
    return share_of(records, recipients, sum(plan.count for plan in plans))


async def run_fleet(
    fleet: Fleet,
    *,
    redis_url: str | None = None,
    kill_one_after: float | None = None,
    restart_redis: RedisRestart | None = None,
    timeout: float = 60.0,
) -> FleetResult:
    """Run ``fleet`` against a fresh Simulator and measure it.

    With ``redis_url`` the workers share a ``RedisLedger`` there, else each
    keeps its own in-process ledger. ``kill_one_after`` SIGKILLs a worker
    that many seconds after the start, the one with the most of its share
    left (``workers`` then holds ``None`` in its place); ``restart_redis``
    stops and restarts the Redis server mid-run. Waits at most ``timeout``
    seconds for the workers and again for the phones.

    Raises:
        RuntimeError: when a worker (other than the one killed) fails.
        TimeoutError: when the workers or the phones take longer than ``timeout``.
    """
    wall = time.perf_counter()
    async with _simulator(fleet) as simulator:
        plans = _plans(fleet, simulator, redis_url)
        async with started(plans) as workers:
            killing = asyncio.ensure_future(
                _nothing()
                if kill_one_after is None
                else _kill_after(kill_one_after, simulator, workers, plans)
            )
            restarting = asyncio.ensure_future(
                _nothing() if restart_redis is None else _restart(restart_redis)
            )
            try:
                printed = await outputs(workers, timeout)
                killed, down = await killing, await restarting
            finally:
                killing.cancel()
                restarting.cancel()
            results = reports(workers, printed, killed)
        await asyncio.wait_for(simulator.wait_sent(), timeout)
    records = simulator.messages
    live = [plan for number, plan in enumerate(plans) if number != killed]
    return FleetResult(
        fleet,
        usage(simulator, fleet.seconds_per_message),
        results,
        live=_share(records, live),
        killed=None if killed is None else _share(records, [plans[killed]]),
        requests_while_down=None
        if down is None
        else requests_between(simulator.requests, down[0] + _IN_FLIGHT, down[1]),
        wall=time.perf_counter() - wall,
        tokens=plans[0].tokens,
    )
