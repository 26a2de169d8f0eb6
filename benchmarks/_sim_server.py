"""A Simulator in its own process, so a benchmark's process measures only the client.

``python -m picky_async.testing`` has no option for per-project push limits,
which the throughput benchmark must raise (90 pushes a minute would turn
100,000 messages into minutes of waiting), so the benchmarks start this
script instead. It prints one JSON line, ``{"base_url": ..., "tokens": [...]}``,
then serves on 127.0.0.1 until it is terminated. ``--cpu`` pins it to one CPU
(Linux), so that it and the client being measured do not take turns on one.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
from collections.abc import Sequence

from picky_async import RateLimit
from picky_async.testing import Simulator


async def _serve(projects: int, seconds_per_message: float, pushes_per_minute: int) -> None:
    async with Simulator() as simulator:
        for _ in range(projects):
            simulator.add_project(
                seconds_per_message=seconds_per_message,
                push_limit=RateLimit(pushes_per_minute, 60.0),
            )
        tokens = [project.token for project in simulator.projects]
        print(json.dumps({"base_url": simulator.base_url, "tokens": tokens}), flush=True)
        await asyncio.Event().wait()


def main(argv: Sequence[str] | None = None) -> None:
    """Parse ``argv`` and serve until terminated."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks._sim_server")
    parser.add_argument("--projects", type=int, default=1)
    parser.add_argument("--seconds-per-message", type=float, default=0.0)
    parser.add_argument("--pushes-per-minute", type=int, default=10**9)
    parser.add_argument("--cpu", type=int, default=None, help="pin to this CPU")
    args = parser.parse_args(argv)
    if args.cpu is not None:
        os.sched_setaffinity(0, {args.cpu})
    asyncio.run(_serve(args.projects, args.seconds_per_message, args.pushes_per_minute))


if __name__ == "__main__":
    main()
