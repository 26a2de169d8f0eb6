"""``picky-async demo``: a campaign on the embedded Simulator, drawn live, in about 20 s."""

from __future__ import annotations

import asyncio
import time

import click
from rich.console import Console
from rich.table import Table

from ..core import Message, Priority
from ..dispatch import Dispatcher, DispatcherStats, Project, Receipt
from ..testing import ProjectState, Simulator
from ._board import Board, phone_seconds
from ._options import Exit

__all__ = ["demo"]

# Each phone's time per message, as a multiple of the fastest one's.
_PACES = {"fast": 1.0, "medium": 1.5, "slow": 2.5}
_OFFLINE = "medium"  # goes offline half-way
_URGENT = 5  # high-priority messages sent a quarter of the way in
_HORIZON = 20  # messages of the fastest phone's work each phone is given at most


def _unit(seconds: float, messages: int) -> float:
    """The fastest phone's seconds per message that makes the campaign last ``seconds``.

    Half the campaign goes through all three phones, the other half through
    the two left once one went offline.
    """
    half = messages / 2
    everyone = phone_seconds(half, [Project("-", seconds_per_message=p) for p in _PACES.values()])
    rest = [Project("-", seconds_per_message=p) for n, p in _PACES.items() if n != _OFFLINE]
    return seconds / (everyone + phone_seconds(half, rest))


@click.command()
@click.option(
    "--seconds",
    type=click.FloatRange(min=0, min_open=True),
    default=20.0,
    show_default=True,
    help="how long the phones would take at full speed; their speed is scaled to it",
)
@click.option(
    "--messages", type=click.IntRange(min=20), default=600, show_default=True, help="campaign size"
)
def demo(seconds: float, messages: int) -> None:
    """A campaign through 3 simulated phones of different speeds, one going offline half-way."""
    raise SystemExit(asyncio.run(_demo(seconds, messages, Console())))


class _Urgent:
    """The high-priority messages sent mid-campaign, and how fast they were accepted."""

    def __init__(self) -> None:
        self.sent_at = 0.0
        self.waiting = 0
        self.latencies: list[float] = []

    def send(self, dispatcher: Dispatcher) -> None:
        self.sent_at = time.perf_counter()
        self.waiting = dispatcher.stats().pending
        for n in range(_URGENT):
            future = dispatcher.submit(
                f"9198765{n:05d}", "Your code is 4321", priority=Priority.HIGH
            )
            future.add_done_callback(self._accepted)

    def _accepted(self, future: asyncio.Future[Receipt]) -> None:
        if not future.cancelled() and future.exception() is None:
            self.latencies.append(time.perf_counter() - self.sent_at)


async def _demo(seconds: float, messages: int, console: Console) -> Exit:
    unit = _unit(seconds, messages)
    urgent = _Urgent()
    async with Simulator() as sim:
        projects = []
        for name, pace in _PACES.items():
            phone = sim.add_project(name=name, seconds_per_message=unit * pace)
            projects.append(Project(phone.token, name=name, seconds_per_message=unit * pace))
        console.print(
            f"{messages} messages through 3 simulated phones;"
            f" {_URGENT} urgent ones a quarter of the way in; '{_OFFLINE}' goes offline half-way"
        )
        campaign = (
            Message(f"91980{n:07d}", f"Hi #{n}, the sale starts today") for n in range(messages)
        )
        started = time.perf_counter()
        async with Dispatcher(projects, base_url=sim.base_url, horizon=_HORIZON * unit) as d:
            async with Board(d, projects, messages, console) as board:
                async for outcome in d.stream(campaign):
                    board.settled(outcome)
                    if board.accepted == messages // 4 and not urgent.sent_at:
                        urgent.send(d)
                        console.log(f"{_URGENT} urgent messages sent")
                    if board.accepted == messages // 2:
                        sim.project(_OFFLINE).state = ProjectState.OFFLINE
                        console.log(f"'{_OFFLINE}' went offline; its work moves to the others")
            finished = time.perf_counter()
            stats = d.stats()
    over_limit = sum(sim.stats.over_limit.values())
    _summary(console, stats, projects)
    left = finished - urgent.sent_at
    console.print(
        f"urgent: {len(urgent.latencies)} of {_URGENT} accepted within"
        f" {max(urgent.latencies, default=float('nan')) * 1000:.0f} ms,"
        f" ahead of the {urgent.waiting}"
        f" campaign messages waiting then (those took {left:.1f} s)"
    )
    console.print(
        f"all accepted in {finished - started:.1f} s;"
        f" ideal {seconds:.1f} s (the phones at full speed)"
    )
    console.print(f"requests over the limit: {over_limit}")
    ahead = len(urgent.latencies) == _URGENT and max(urgent.latencies) < left
    done = board.accepted == messages and over_limit == 0 and ahead
    return Exit.ACCEPTED if done else Exit.NOT_ALL_ACCEPTED


def _summary(console: Console, stats: DispatcherStats, projects: list[Project]) -> None:
    table = Table("project", "messages/s", "accepted", "failed", "pushes", "health")
    for project, summary in zip(projects, stats.projects, strict=True):
        table.add_row(
            summary.name,
            f"{1 / project.seconds_per_message:.1f}",
            str(summary.sent),
            str(summary.failed),
            str(summary.pushes),
            summary.health,
        )
    table.add_row(
        "all", "", str(stats.sent), str(stats.failed), str(stats.pushes), "", end_section=True
    )
    console.print(table)
