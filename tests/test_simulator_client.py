"""PickyClient against the Simulator: the typed client and the stand-in agree on the wire."""

from __future__ import annotations

import asyncio

import pytest

import picky_async as pa
from picky_async.testing import FaultKind, ProjectState, SimProject, Simulator
from picky_async.wire import Encoding

pytestmark = [
    pytest.mark.looptime,
    pytest.mark.picky_simulator(projects=1, seconds_per_message=2.0),
]


@pytest.mark.parametrize("encoding", ["json", "form"])
async def test_every_endpoint_through_the_client(
    picky_simulator: Simulator, picky_project: SimProject, encoding: Encoding
) -> None:
    async with pa.PickyClient(
        picky_project.token, base_url=picky_simulator.base_url, encoding=encoding
    ) as client:
        result = await client.push(
            [pa.Message("+91 98765 43210", "a"), pa.Message("919876543211", "b")],
            priority=pa.Priority.HIGH,
        )
        status = await client.device_status()
        conference = await client.conference(["919876543210", "919876543211"])
        await asyncio.sleep(10)
        calls = await client.conference_report(conference.push_id)
        action = await client.device_action(pa.DeviceCommand.DELETE_MESSAGE_QUEUE)
    assert [r.msg_id for r in result.recipients] == [m.msg_id for m in picky_simulator.messages]
    assert [m.number for m in picky_simulator.messages] == ["919876543210", "919876543211"]
    assert all(m.priority == 1 for m in picky_simulator.messages)
    assert status.message_queue_count == 2
    assert status.cloud_registered is True
    assert [c.status for c in calls] == [pa.CallStatus.IN_PROGRESS] * 2
    assert [c.duration for c in calls] == [5, 5]
    assert action.status == 100
    assert len(picky_simulator.sent) == 2


async def test_refusals_become_the_clients_exceptions(
    picky_simulator: Simulator, picky_project: SimProject
) -> None:
    base_url = picky_simulator.base_url
    async with pa.PickyClient(picky_project.token, base_url=base_url) as client:
        picky_project.state = ProjectState.OFFLINE
        with pytest.raises(pa.DeviceUnreachable):
            await client.push([pa.Message("919876543210", "hi")])
        picky_project.state = ProjectState.ONLINE
        with pytest.raises(pa.InvalidPushId):
            await client.conference_report("12345")
    async with pa.PickyClient("wrong-token", base_url=base_url) as client:
        with pytest.raises(pa.AuthenticationFailed):
            await client.device_status()


async def test_faults_become_transport_errors(
    picky_simulator: Simulator, picky_project: SimProject
) -> None:
    message = [pa.Message("919876543210", "hi")]
    async with pa.PickyClient(picky_project.token, base_url=picky_simulator.base_url) as client:
        picky_simulator.faults.add(FaultKind.LOST_ANSWER, times=1)
        with pytest.raises(pa.DeliveryUncertain):
            await client.push(message)
        picky_simulator.faults.add(FaultKind.SERVER_ERROR, times=1)
        with pytest.raises(pa.TransportError) as error:
            await client.push(message)
        assert error.value.status == 503
        for _ in range(2):
            await client.device_status()
        picky_simulator.faults.add(FaultKind.LATENCY, seconds=3.0, times=1)
        await client.device_status()
        with pytest.raises(pa.RateLimited):
            await client.device_status()
    assert len(picky_simulator.messages) == 1  # only the lost answer's push was processed
    assert picky_simulator.stats.over_limit == {"project-1": 1}
