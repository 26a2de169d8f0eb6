"""Conferences move Not Started -> Scheduled -> In Progress -> Completed on the loop clock."""

from __future__ import annotations

import asyncio
import datetime

import pytest
from test_simulator_support import Api, numbers

from picky_async import CallStatus, DeviceCommand
from picky_async.testing import SimProject, Simulator

pytestmark = pytest.mark.looptime

EPOCH = datetime.datetime(2018, 12, 20, 14, 0)


async def conference(api: Api, project: SimProject, count: int = 2) -> str:
    data = [{"number": number} for number in numbers(count)]
    _, answer = await api.post(project, "conference-request", {"data": data})
    assert answer["status"] == 100
    push_id: str = answer["push_id"]
    return push_id


async def report(api: Api, project: SimProject, push_id: str) -> list[tuple[str, str, str]]:
    _, rows = await api.post(project, "conference-report", {"push_id": push_id})
    return [(row["status"], row["duration"], row["time"]) for row in rows]


async def test_calls_move_through_their_states_over_simulated_time() -> None:
    async with Simulator(epoch=EPOCH) as sim, Api(sim) as api:
        project = sim.add_project(dial_seconds=30.0, call_seconds=120.0)
        first = await conference(api, project, 3)
        second = await conference(api, project)
        seen = {}
        for minute in range(6):
            seen[minute] = (await report(api, project, first), await report(api, project, second))
            await asyncio.sleep(60)
    # minute 0: the first is dialling, the second waits its turn
    assert seen[0] == (
        [("2", "0", "20-12-2018 02:00 PM")] * 3,
        [("1", "0", "20-12-2018 02:00 PM")] * 2,
    )
    # minute 1: talking for 30 s since 14:00:30
    assert seen[1][0] == [("3", "30", "20-12-2018 02:00 PM")] * 3
    # minute 3: done at 14:02:30 after 120 s; the second dials then talks from 14:03:00
    assert seen[3] == (
        [("4", "120", "20-12-2018 02:02 PM")] * 3,
        [("3", "0", "20-12-2018 02:03 PM")] * 2,
    )
    assert seen[5][1] == [("4", "120", "20-12-2018 02:05 PM")] * 2
    assert project.call_queue_count == 0


async def test_device_status_counts_the_call_queue() -> None:
    async with Simulator(projects=1) as sim, Api(sim) as api:
        project = sim.projects[0]
        for _ in range(3):
            await conference(api, project)
        _, status = await api.post(project, "device-status")
    assert status["call_queue_count"] == "3"


async def test_stop_and_resume_call_queue() -> None:
    async with Simulator() as sim, Api(sim) as api:
        project = sim.add_project(dial_seconds=5.0, call_seconds=10.0)
        first = await conference(api, project)
        second = await conference(api, project)
        await api.post(project, "device-action", {"command": DeviceCommand.STOP_CALL_QUEUE.value})
        await asyncio.sleep(60)
        assert project.conferences[first].status is CallStatus.COMPLETED  # the current one finishes
        assert project.conferences[second].status is CallStatus.NOT_STARTED
        await api.post(project, "device-action", {"command": DeviceCommand.RESUME_CALL_QUEUE.value})
        await asyncio.sleep(60)
        assert project.conferences[second].status is CallStatus.COMPLETED


@pytest.mark.parametrize(
    ("command", "first_status"),
    [(DeviceCommand.DELETE_CALL_QUEUE, "3"), (DeviceCommand.RESET, "5")],
)
async def test_deleting_cancels_waiting_calls_and_reset_the_current_one(
    command: DeviceCommand, first_status: str
) -> None:
    async with Simulator() as sim, Api(sim) as api:
        project = sim.add_project(dial_seconds=5.0, call_seconds=60.0)
        first = await conference(api, project)
        second = await conference(api, project)
        await asyncio.sleep(10)
        await api.post(project, "device-action", {"command": command.value})
        first_rows = await report(api, project, first)
        second_rows = await report(api, project, second)
    assert {row[0] for row in first_rows} == {first_status}
    assert {row[0] for row in second_rows} == {"5"}


async def test_restart_sends_the_current_call_back_to_the_queue() -> None:
    async with Simulator() as sim, Api(sim) as api:
        project = sim.add_project(dial_seconds=5.0, call_seconds=60.0, restart_seconds=20.0)
        push_id = await conference(api, project)
        await asyncio.sleep(10)
        await api.post(project, "device-action", {"command": "restart"})
        assert (await report(api, project, push_id))[0][:2] == ("1", "0")
        await asyncio.sleep(30)  # awake at 30 s, dialled by 35 s
        assert (await report(api, project, push_id))[0][:2] == ("3", "5")
