"""The scheduler's work per event follows what changed, not the number of projects."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

import pytest

import picky_async as pa
from picky_async.dispatch import _sender
from picky_async.dispatch._ledger import MemoryLedger
from picky_async.dispatch._scheduler import Scheduler

pytestmark = pytest.mark.looptime

PROJECTS = 300


LOOKED: set[int] = set()  # the ledgers the scheduler asked, since last cleared


def noting(name: str) -> Any:
    """The ledger's method ``name``, noting which ledger was asked."""
    method = getattr(MemoryLedger, name)

    def noted(self: MemoryLedger, now: float) -> float:
        LOOKED.add(id(self))
        return float(method(self, now))

    return noted


class CountingLedger(MemoryLedger):
    """A MemoryLedger that notes each time the scheduler asks it anything."""

    backlog = noting("backlog")
    high_backlog = noting("high_backlog")
    push_ready_at = noting("push_ready_at")
    status_ready_at = noting("status_ready_at")


class Quiet:
    """A Pusher that accepts everything after 0.1 s."""

    async def push_msg_ids(
        self, messages: Sequence[pa.Message], **options: Any
    ) -> tuple[str, list[str | None]]:
        await asyncio.sleep(0.1)
        return "push", [None] * len(messages)

    async def device_status(self) -> pa.DeviceStatus:
        await asyncio.sleep(0.1)
        return pa.DeviceStatus()


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> set[int]:
    monkeypatch.setattr(_sender, "MemoryLedger", CountingLedger)
    LOOKED.clear()
    return LOOKED


def many_projects(*, spread: float = 0.0, **options: Any) -> pa.Dispatcher:
    """Phones of 1 s a message, or of 1 to 1 + ``spread`` s so that they fall due apart."""
    projects = [
        pa.Project(f"token-{n}", seconds_per_message=1.0 + spread * n / PROJECTS)
        for n in range(PROJECTS)
    ]
    quiet = Quiet()
    return pa.Dispatcher(projects, client_factory=lambda project: quiet, **options)


async def test_a_single_send_looks_at_a_few_projects_of_many(counted: set[int]) -> None:
    async with many_projects() as dispatcher:
        await dispatcher.send("919800000000", "warm-up")  # the first turns file every project
        await asyncio.sleep(100)  # every poll and top-up due by now has come
        await dispatcher.send("919800000001", "warm-up")
        for number in range(10):
            counted.clear()
            receipt = await dispatcher.send(f"91980000002{number}", "code", priority=1)
            assert len(counted) <= 8, len(counted)
            assert receipt.project  # it went somewhere, and came back
        projects = [p.name for p in dispatcher.stats().projects if p.sent]
    # Earliest finish still holds: each send to the first idle phone.
    assert projects == [f"project-{n}" for n in range(1, 11)]


async def test_a_campaign_looks_at_each_project_a_few_times_per_top_up(counted: set[int]) -> None:
    looks = 0

    def count_looks() -> None:
        nonlocal looks
        looks += len(counted)
        counted.clear()

    async with many_projects(spread=0.5, horizon=4.0) as dispatcher:
        campaign = asyncio.ensure_future(
            dispatcher.send_many([pa.Message(f"9198{n:08d}", "sale") for n in range(3_000)])
        )
        while not campaign.done():
            await asyncio.sleep(0.01)
            count_looks()
        await campaign
    # 10 messages a project, topped up a few at a time at moments of its own:
    # ~13 looks at each project. Looking at every project whenever any one is
    # topped up made it ~840.
    assert looks / PROJECTS < 40


async def test_a_push_costs_about_two_turns_its_answer_and_its_top_up(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    turns = 0
    original = Scheduler._turn

    def counted(scheduler: Scheduler, now: float) -> float:
        nonlocal turns
        turns += 1
        return original(scheduler, now)

    monkeypatch.setattr(Scheduler, "_turn", counted)
    async with many_projects(spread=0.5, horizon=4.0) as dispatcher:
        await dispatcher.send_many([pa.Message(f"9198{n:08d}", "sale") for n in range(3_000)])
        pushes = sum(project.pushes for project in dispatcher.stats().projects)
    # ~2.2: the turn that starts a push also tops its project up. A turn of
    # its own for that made it ~2.9 turns a push (5,096 for the same 1,745).
    assert turns / pushes < 2.5, (turns, pushes)
