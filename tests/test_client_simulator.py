"""PickyClient against the library's own Simulator: the two sides agree on the wire."""

from __future__ import annotations

import asyncio

import pytest

import picky_async as pa
from picky_async import wire
from picky_async.testing import ProjectState, SimProject, Simulator

NUMBERS = ["919876543210", "919876543211"]


@pytest.mark.looptime
@pytest.mark.parametrize("encoding", ["json", "form"])
async def test_every_endpoint_against_the_simulator(
    picky_simulator: Simulator, picky_project: SimProject, encoding: wire.Encoding
) -> None:
    async with pa.PickyClient(
        picky_project.token, base_url=picky_simulator.base_url, encoding=encoding
    ) as client:
        pushed = await client.push(
            [pa.Message(number, "") for number in NUMBERS],
            priority=pa.Priority.HIGH,
            global_message="hello",
        )
        status = await client.device_status()
        conference = await client.conference(NUMBERS)
        await asyncio.sleep(120)
        calls = await client.conference_report(conference.push_id)
        action = await client.device_action(pa.DeviceCommand.STOP_CALL_QUEUE)
    assert pushed.push_id
    assert status.message_queue_count is not None
    assert status.cloud_registered is True
    assert conference.push_id
    assert sorted(call.number for call in calls) == NUMBERS
    assert {call.push_id for call in calls} == {conference.push_id}
    assert {call.status for call in calls} == {pa.CallStatus.COMPLETED}
    assert action == pa.ActionResult(status=100, message="Success")


@pytest.mark.parametrize(
    ("state", "error"),
    [
        (ProjectState.OFFLINE, pa.DeviceUnreachable),
        (ProjectState.NO_BALANCE, pa.InsufficientBalance),
        (ProjectState.PLAN_INACTIVE, pa.PlanNotActive),
        (ProjectState.INACTIVE, pa.ProjectInactive),
        (ProjectState.INVALID_USER, pa.InvalidUser),
    ],
)
async def test_project_states_become_their_errors(
    picky_simulator: Simulator,
    picky_project: SimProject,
    state: ProjectState,
    error: type[pa.PickyError],
) -> None:
    picky_project.state = state
    async with pa.PickyClient(picky_project.token, base_url=picky_simulator.base_url) as client:
        with pytest.raises(error):
            await client.push([pa.Message(NUMBERS[0], "hi")])


async def test_unknown_token_is_authentication_failed(picky_simulator: Simulator) -> None:
    async with pa.PickyClient("not-a-project", base_url=picky_simulator.base_url) as client:
        with pytest.raises(pa.AuthenticationFailed) as caught:
            await client.device_status()
    assert "not-a-project" not in str(caught.value)


@pytest.mark.looptime
async def test_push_msg_ids_answers_what_push_does(
    picky_simulator: Simulator, picky_project: SimProject
) -> None:
    messages = [pa.Message(number, f"hi {number}") for number in NUMBERS]
    async with pa.PickyClient(picky_project.token, base_url=picky_simulator.base_url) as client:
        pushed = await client.push(messages)
        push_id, msg_ids = await client.push_msg_ids(messages)
        with pytest.raises(pa.EmptyNumberList):
            await client.push_msg_ids([])
    assert [r.number for r in pushed.recipients] == NUMBERS
    assert push_id
    assert push_id != pushed.push_id
    texts = {record.msg_id: record.text for record in picky_simulator.messages}
    assert [texts.get(msg_id or "") for msg_id in msg_ids] == [m.text for m in messages]
    assert set(msg_ids).isdisjoint(r.msg_id for r in pushed.recipients)


async def test_push_msg_ids_raises_the_status_error(picky_simulator: Simulator) -> None:
    async with pa.PickyClient("no-such-token", base_url=picky_simulator.base_url) as client:
        with pytest.raises(pa.AuthenticationFailed):
            await client.push_msg_ids([pa.Message(NUMBERS[0], "hi")])
