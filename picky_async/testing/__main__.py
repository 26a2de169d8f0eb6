"""``python -m picky_async.testing``: run a Simulator until Ctrl-C.

Prints the base URL and each project's token, so a client in another process
(or another language) can talk to it.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
from collections.abc import Sequence

from ._simulator import Simulator


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m picky_async.testing",
        description="Run a local Picky Assist service with simulated phones.",
    )
    parser.add_argument("--projects", type=int, default=1, help="projects (phones) to create")
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: any)")
    parser.add_argument(
        "--seconds-per-message", type=float, default=5.0, help="seconds each phone takes a message"
    )
    parser.add_argument("--seed", type=int, default=0, help="seed for jitter and fault chances")
    parser.add_argument(
        "--duration", type=float, default=None, help="stop after this many seconds (default: never)"
    )
    return parser


async def _serve(args: argparse.Namespace) -> None:
    async with Simulator(
        projects=args.projects,
        seconds_per_message=args.seconds_per_message,
        port=args.port,
        seed=args.seed,
    ) as simulator:
        print(f"base URL {simulator.base_url}")
        for project in simulator.projects:
            print(f"{project.name} token {project.token}")
        print("Ctrl-C to stop", flush=True)
        if args.duration is None:
            await asyncio.Event().wait()
        else:
            await asyncio.sleep(args.duration)
        print(f"sent {sum(simulator.stats.sent.values())} messages", flush=True)


def main(argv: Sequence[str] | None = None) -> None:
    """Parse ``argv`` and serve until the duration ends or Ctrl-C."""
    args = _parser().parse_args(argv)
    if args.projects < 1:
        _parser().error("--projects must be at least 1")
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(args))


if __name__ == "__main__":
    main()
