"""``python -m benchmarks.fleet_worker``: one process of a fleet sending its share of a campaign.

Several of these run at once, each with a Dispatcher over the same tokens, as
an async service's worker processes do (issue 12). A worker reads its
:class:`WorkerPlan` as one JSON line on stdin (the tokens travel there, never
on the command line, so ``ps`` never shows one), answers ``ready`` once its
imports are done, waits for a ``go`` line so that the whole fleet starts
together, sends its share with ``send_many`` and prints one JSON line, its
:class:`WorkerResult`. On SIGUSR1 it prints to stderr where each of its tasks
waits, so that a worker that hangs can say where.
"""

from __future__ import annotations

import asyncio
import json
import signal
import sys
import time
from typing import TypeVar

import attrs
import cattrs

import picky_async as pa
from picky_async.redis import RedisLedger

from ._harness import numbers

__all__ = [
    "READY",
    "WorkerPlan",
    "WorkerResult",
    "decode",
    "encode",
    "main",
    "share",
    "where_tasks_wait",
]

# Simulator pushes answer in milliseconds: a short timeout keeps the lease of a
# killed worker (timeout + 2 s) from holding a phone for long.
_TIMEOUT = 2.0

T = TypeVar("T")

READY = "ready"
"""What a worker prints once it can start at once."""

_converter = cattrs.Converter()


@attrs.frozen
class WorkerPlan:
    """Everything one worker needs: where, which projects, how to pace, which messages.

    Its share is messages ``first`` to ``first + count - 1`` of the campaign
    (see :func:`share`). With ``redis_url`` the workers share a
    ``RedisLedger`` in ``namespace``; without, each keeps its own ledger.
    """

    base_url: str
    tokens: tuple[str, ...] = attrs.field(repr=False)
    seconds_per_message: float
    push_limit: pa.RateLimit
    status_limit: pa.RateLimit
    horizon: float
    max_batch: int
    linger: float
    first: int
    count: int
    redis_url: str | None = None
    namespace: str = "fleet"


@attrs.frozen
class WorkerResult:
    """What one worker reports: messages accepted and failed, its pushes, its seconds."""

    accepted: int
    failed: int
    pushes: int
    elapsed: float


def encode(value: WorkerPlan | WorkerResult) -> str:
    """``value`` as one JSON line (without its newline)."""
    return json.dumps(_converter.unstructure(value))


def decode(line: str | bytes, kind: type[T]) -> T:
    """The ``kind`` that :func:`encode` wrote as ``line``."""
    return _converter.structure(json.loads(line), kind)


def share(first: int, count: int) -> list[pa.Message]:
    """Messages ``first`` to ``first + count - 1`` of the campaign: distinct numbers and texts."""
    recipients = numbers(count, first=first)
    return [pa.Message(number, f"Fleet message {first + n}") for n, number in enumerate(recipients)]


def where_tasks_wait() -> str:
    """Each task of the running loop, one a line: the chain of coroutines it waits in.

    ``Task.print_stack`` shows only a suspended task's outermost frame; this
    follows each coroutine to the one it awaits, down to the future at the end.
    """
    lines = []
    for task in asyncio.all_tasks():
        links: list[str] = []
        awaited: object = task.get_coro()
        while (frame := getattr(awaited, "cr_frame", None)) is not None:
            links.append(f"{frame.f_code.co_filename}:{frame.f_lineno} {frame.f_code.co_name}")
            awaited = getattr(awaited, "cr_await", None)
        lines.append(" -> ".join([*links, repr(awaited)[:200]]))
    return "\n".join(lines)


async def send_share(plan: WorkerPlan) -> WorkerResult:
    """Send the plan's share through a Dispatcher over all of its projects."""
    asyncio.get_running_loop().add_signal_handler(
        signal.SIGUSR1, lambda: print(where_tasks_wait(), file=sys.stderr, flush=True)
    )
    projects = [
        pa.Project(
            token,
            seconds_per_message=plan.seconds_per_message,
            push_limit=plan.push_limit,
            status_limit=plan.status_limit,
        )
        for token in plan.tokens
    ]
    ledger = (
        None if plan.redis_url is None else RedisLedger(plan.redis_url, namespace=plan.namespace)
    )
    start = time.perf_counter()
    async with pa.Dispatcher(
        projects,
        base_url=plan.base_url,
        horizon=plan.horizon,
        max_batch=plan.max_batch,
        linger=plan.linger,
        timeout=_TIMEOUT,
        ledger=ledger,
    ) as dispatcher:
        results = await dispatcher.send_many(share(plan.first, plan.count), return_exceptions=True)
        pushes = dispatcher.stats().pushes
    failed = sum(isinstance(result, BaseException) for result in results)
    return WorkerResult(len(results) - failed, failed, pushes, time.perf_counter() - start)


def main() -> None:
    """Read the plan, say ready, wait for go, send, print the result."""
    plan = decode(sys.stdin.readline(), WorkerPlan)
    print(READY, flush=True)
    sys.stdin.readline()
    print(encode(asyncio.run(send_share(plan))), flush=True)


if __name__ == "__main__":
    main()
