"""``python -m picky_async.testing``: run a Simulator until Ctrl-C.

Prints the base URL and each project's token, so a client in another process
(or another language) can talk to it. Its options scale it as
:meth:`Simulator.add_project` does in-process: projects, phone speed and the
per-project rate limits.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
from collections.abc import Sequence

from ..core import RateLimit
from ._simulator import DEFAULT_PUSH_LIMIT, DEFAULT_STATUS_LIMIT, Simulator


def rate_limit(text: str) -> RateLimit:
    """``COUNT/SECONDS`` (such as ``90/60``) as a :class:`RateLimit`.

    Raises:
        argparse.ArgumentTypeError: unless COUNT is an integer of at least 1 and
            SECONDS a number above 0.
    """
    count, _, period = text.partition("/")
    try:
        return RateLimit(int(count), float(period))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected COUNT/SECONDS, COUNT at least 1 and SECONDS above 0, such as 90/60;"
            f" got {text!r}"
        ) from None


def _spelled(limit: RateLimit) -> str:
    return f"{limit.count}/{limit.period:g}"


def _parser(prog: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Run a local Picky Assist service with simulated phones.",
    )
    parser.add_argument("--projects", type=int, default=1, help="projects (phones) to create")
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: any)")
    parser.add_argument(
        "--seconds-per-message", type=float, default=5.0, help="seconds each phone takes a message"
    )
    parser.add_argument(
        "--push-limit",
        type=rate_limit,
        default=DEFAULT_PUSH_LIMIT,
        metavar="COUNT/SECONDS",
        help="each project takes at most COUNT push, conference-request and conference-report"
        f" requests in any SECONDS; more get HTTP 429 (default: {_spelled(DEFAULT_PUSH_LIMIT)},"
        " the service's)",
    )
    parser.add_argument(
        "--status-limit",
        type=rate_limit,
        default=DEFAULT_STATUS_LIMIT,
        metavar="COUNT/SECONDS",
        help="each project takes at most COUNT device-status and device-action requests in any"
        f" SECONDS (default: {_spelled(DEFAULT_STATUS_LIMIT)}, the service's)",
    )
    parser.add_argument("--seed", type=int, default=0, help="seed for jitter and fault chances")
    parser.add_argument(
        "--duration", type=float, default=None, help="stop after this many seconds (default: never)"
    )
    return parser


def simulator_for(args: argparse.Namespace) -> Simulator:
    """The Simulator (not started) that parsed options ask for."""
    simulator = Simulator(port=args.port, seed=args.seed)
    for _ in range(args.projects):
        simulator.add_project(
            seconds_per_message=args.seconds_per_message,
            push_limit=args.push_limit,
            status_limit=args.status_limit,
        )
    return simulator


async def _serve(args: argparse.Namespace) -> None:
    async with simulator_for(args) as simulator:
        print(f"base URL {simulator.base_url}")
        for project in simulator.projects:
            print(f"{project.name} token {project.token}")
        print("Ctrl-C to stop", flush=True)
        # What exists now (modules, the app, the projects) lives as long as
        # the process: frozen, it is out of the collector's way, whose full
        # collections then walk only the records kept since.
        gc.freeze()
        if args.duration is None:
            await asyncio.Event().wait()
        else:
            await asyncio.sleep(args.duration)
        print(f"sent {sum(simulator.stats.sent.values())} messages", flush=True)


def parse(
    argv: Sequence[str] | None = None, *, prog: str = "python -m picky_async.testing"
) -> argparse.Namespace:
    """The options in ``argv`` (default: the command line); ``prog`` names the command in help.

    Raises:
        SystemExit: with status 2 and a usage message, for options that do not parse.
    """
    parser = _parser(prog)
    args = parser.parse_args(argv)
    if args.projects < 1:
        parser.error("--projects must be at least 1")
    return args


def main(argv: Sequence[str] | None = None, *, prog: str = "python -m picky_async.testing") -> None:
    """Parse ``argv`` and serve until the duration ends or Ctrl-C (``picky-async simulate`` too)."""
    args = parse(argv, prog=prog)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(args))


if __name__ == "__main__":
    main()
