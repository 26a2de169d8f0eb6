"""The worker processes of a fleet: started together, told to go, heard from, killed.

Each worker is ``python -m benchmarks.fleet_worker`` under
``asyncio.create_subprocess_exec``, so the event loop that spawns them keeps
serving (the Simulator runs on it). A worker gets its plan on stdin, tokens
included, never on the command line; one that is still running at a timeout
is asked where its tasks wait (SIGUSR1) before it is killed.
"""

from __future__ import annotations

import asyncio
import contextlib
import pathlib
import signal
import sys
from collections.abc import AsyncIterator, Sequence

from .fleet_worker import READY, WorkerPlan, WorkerResult, decode, encode

__all__ = ["outputs", "reports", "signal_worker", "started"]

_ROOT = pathlib.Path(__file__).resolve().parent.parent
_ERROR_CHARS = 8_000  # of a failed worker's stderr, enough for where its tasks wait
_TELLING = 0.5  # seconds a stuck worker gets to print where it waits


async def _spawn(plan: WorkerPlan) -> asyncio.subprocess.Process:
    """Start a worker, hand it its plan on stdin and wait until it is ready.

    Raises:
        RuntimeError: with the end of its stderr, when it does not get ready.
    """
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "benchmarks.fleet_worker",
        cwd=_ROOT,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    assert process.stdin is not None
    assert process.stdout is not None
    process.stdin.write(encode(plan).encode() + b"\n")
    await process.stdin.drain()
    if (await process.stdout.readline()).decode().strip() == READY:
        return process
    signal_worker(process, signal.SIGKILL)
    _, errors = await process.communicate()
    raise RuntimeError(f"a fleet worker did not start:\n{_tail(errors)}")


def signal_worker(worker: asyncio.subprocess.Process, number: int) -> None:
    """Send signal ``number`` to ``worker``, unless it has already exited."""
    with contextlib.suppress(ProcessLookupError):  # exited, maybe not reaped yet
        worker.send_signal(number)


def _tail(errors: bytes) -> str:
    return errors.decode(errors="replace")[-_ERROR_CHARS:]


@contextlib.asynccontextmanager
async def started(plans: list[WorkerPlan]) -> AsyncIterator[list[asyncio.subprocess.Process]]:
    """A ready worker for each plan, started together; those still running at the end are killed."""
    spawned = await asyncio.gather(*map(_spawn, plans), return_exceptions=True)
    workers = [worker for worker in spawned if isinstance(worker, asyncio.subprocess.Process)]
    try:
        for outcome in spawned:
            if isinstance(outcome, BaseException):
                raise outcome
        yield workers
    finally:
        for worker in workers:
            signal_worker(worker, signal.SIGKILL)
            await worker.wait()


async def outputs(
    workers: Sequence[asyncio.subprocess.Process], timeout: float
) -> list[tuple[bytes, bytes]]:
    """Tell every worker to go and collect what each printed on stdout and stderr.

    Raises:
        TimeoutError: when some are still running after ``timeout`` seconds;
            they are asked where their tasks wait (SIGUSR1), then killed, and
            the error shows the end of their stderr.
    """
    running = [asyncio.ensure_future(worker.communicate(b"go\n")) for worker in workers]
    _, pending = await asyncio.wait(running, timeout=timeout)
    late = sorted(map(running.index, pending))
    for number in late:
        signal_worker(workers[number], signal.SIGUSR1)
    await asyncio.sleep(_TELLING if late else 0)
    for number in late:
        signal_worker(workers[number], signal.SIGKILL)
    printed = [await output for output in running]
    if late:
        stuck = [f"worker {number}:\n{_tail(printed[number][1])}" for number in late]
        raise TimeoutError(f"fleet workers still running after {timeout} s\n" + "\n".join(stuck))
    return printed


def reports(
    workers: Sequence[asyncio.subprocess.Process],
    printed: Sequence[tuple[bytes, bytes]],
    killed: int | None,
) -> tuple[WorkerResult | None, ...]:
    """Each worker's result, read from what it ``printed``; ``None`` for the one killed.

    Raises:
        RuntimeError: when a worker other than the one killed failed.
    """
    results: list[WorkerResult | None] = []
    for number, (worker, (out, errors)) in enumerate(zip(workers, printed, strict=True)):
        if number == killed:
            results.append(None)
        elif worker.returncode != 0:
            code = worker.returncode
            raise RuntimeError(f"fleet worker {number} exited with {code}:\n{_tail(errors)}")
        else:
            results.append(decode(out.splitlines()[-1], WorkerResult))
    return tuple(results)
