"""The simulated phones: speed, priority, device commands and states, on the loop clock."""

from __future__ import annotations

import asyncio
import itertools
import statistics

import pytest
from test_simulator_support import Api, numbers, sent_times

from picky_async import DeviceCommand
from picky_async.testing import ProjectState, SimProject, Simulator

pytestmark = pytest.mark.looptime


async def command(api: Api, project: SimProject, name: DeviceCommand) -> None:
    _, answer = await api.post(project, "device-action", {"command": name.value})
    assert answer["status"] == 100


async def test_a_thousand_messages_over_three_phones_take_the_simulated_makespan() -> None:
    # Split as a rate-aware dispatcher would: in proportion to each phone's speed.
    speeds = {"fast": 1.0, "medium": 2.0, "slow": 4.0}
    shares = {"fast": 572, "medium": 286, "slow": 142}  # 1,000 messages
    async with Simulator() as sim, Api(sim) as api:
        projects = {
            name: sim.add_project(name=name, seconds_per_message=s) for name, s in speeds.items()
        }
        loop = asyncio.get_running_loop()
        start = loop.time()
        offset = 0
        for name, share in shares.items():
            for batch in range(0, share, 100):  # 100 numbers a push, as a dispatcher folds them
                count = min(100, share - batch)
                _, answer = await api.push(projects[name], *numbers(count, offset))
                assert answer["status"] == 100
                offset += count
        # Each phone needs share * seconds; the slowest bounds the campaign.
        makespan = max(share * speeds[name] for name, share in shares.items())
        assert makespan == 572.0
        await asyncio.sleep(makespan - 1)
        assert len(sim.sent) < 1000
        await asyncio.sleep(2)
        assert len(sim.sent) == 1000
    finish = {
        name: max(sent_times(r for r in sim.sent if r.project == name)) - start for name in speeds
    }
    for name, share in shares.items():
        assert finish[name] == pytest.approx(share * speeds[name], abs=0.5)
    assert sim.stats.sent == shares
    assert {r.msg_id for r in sim.sent} == {r.msg_id for r in sim.messages}


async def test_high_priority_goes_first_and_fifo_holds_within_a_priority() -> None:
    async with Simulator(projects=1, seconds_per_message=5.0) as sim, Api(sim) as api:
        project = sim.projects[0]
        await api.push(project, "919870000001", "919870000002", "919870000003")
        await api.push(project, "919870000004", "919870000005", **{"priority ": "1"})
        await asyncio.sleep(30)
    # The first low message was already being sent when the high ones came.
    sent = [r.number[-1] for r in sim.sent]
    assert sent == ["1", "4", "5", "2", "3"]
    times = sent_times(sim.sent)
    assert [round(t - times[0], 6) for t in times] == [0, 5, 10, 15, 20]


async def test_device_status_counts_down_as_the_phone_sends() -> None:
    async with Simulator(projects=1, seconds_per_message=10.0) as sim, Api(sim) as api:
        project = sim.projects[0]
        await api.push(project, *numbers(5))
        counts = []
        for _ in range(3):
            _, status = await api.post(project, "device-status")
            counts.append(status["message_queue_count"])
            await asyncio.sleep(20)
    assert counts == ["5", "3", "1"]


async def test_stop_lets_the_current_message_finish_and_a_push_restarts_the_queue() -> None:
    async with Simulator(projects=1, seconds_per_message=4.0) as sim, Api(sim) as api:
        project = sim.projects[0]
        await api.push(project, *numbers(3))
        await asyncio.sleep(1)
        await command(api, project, DeviceCommand.STOP_MESSAGE_QUEUE)
        await asyncio.sleep(20)
        assert len(sim.sent) == 1
        assert project.message_queue_count == 2
        await command(api, project, DeviceCommand.RESUME_MESSAGE_QUEUE)
        await asyncio.sleep(4.5)
        assert len(sim.sent) == 2
        await command(api, project, DeviceCommand.STOP_MESSAGE_QUEUE)
        await asyncio.sleep(20)
        assert len(sim.sent) == 3  # the one in progress when stopped
        await api.push(project, "919870000009")  # "if you send a message the queue starts again"
        await asyncio.sleep(4.5)
        assert len(sim.sent) == 4


async def test_delete_message_queue_drops_the_waiting_messages() -> None:
    async with Simulator(projects=1, seconds_per_message=5.0) as sim, Api(sim) as api:
        project = sim.projects[0]
        await api.push(project, *numbers(4))
        await asyncio.sleep(1)
        await command(api, project, DeviceCommand.DELETE_MESSAGE_QUEUE)
        assert project.message_queue_count == 1
        await asyncio.sleep(60)
    assert len(sim.sent) == 1
    assert [r.deleted for r in sim.messages] == [False, True, True, True]
    assert sim.stats.deleted["project-1"] == 3


async def test_reset_drops_everything_and_clears_a_stop() -> None:
    async with Simulator(projects=1, seconds_per_message=5.0) as sim, Api(sim) as api:
        project = sim.projects[0]
        await api.push(project, *numbers(3))
        await asyncio.sleep(1)
        await command(api, project, DeviceCommand.STOP_MESSAGE_QUEUE)
        await command(api, project, DeviceCommand.RESET)
        assert project.message_queue_count == 0
        await asyncio.sleep(60)
        assert not sim.sent
        assert all(r.deleted for r in sim.messages)
        assert not project.phone.messages.stopped


async def test_restart_pauses_the_phone_and_resends_the_interrupted_message_first() -> None:
    async with Simulator() as sim, Api(sim) as api:
        project = sim.add_project(seconds_per_message=5.0, restart_seconds=10.0)
        loop = asyncio.get_running_loop()
        start = loop.time()
        await api.push(project, *numbers(2))
        await asyncio.sleep(3)
        await command(api, project, DeviceCommand.RESTART)
        await asyncio.sleep(30)
    first, _ = sim.sent
    assert first.number == numbers(1)[0]
    # restarted at 3 s, awake at 13 s, then 5 s per message
    assert [round(t - start, 3) for t in sent_times(sim.sent)] == [18.0, 23.0]


async def test_an_offline_phone_keeps_its_queue_and_carries_on_when_back() -> None:
    async with Simulator(projects=1, seconds_per_message=5.0) as sim, Api(sim) as api:
        project = sim.projects[0]
        await api.push(project, *numbers(3))
        await asyncio.sleep(1)
        project.state = ProjectState.OFFLINE
        await asyncio.sleep(60)
        assert len(sim.sent) == 1  # the one in progress
        assert project.message_queue_count == 2
        project.state = ProjectState.ONLINE
        await asyncio.sleep(10.5)
        assert len(sim.sent) == 3


async def test_jitter_spreads_send_times_around_the_mean_and_repeats_with_the_seed() -> None:
    gaps = []
    for _ in range(2):
        async with Simulator(seed=7) as sim, Api(sim) as api:
            project = sim.add_project(seconds_per_message=4.0, jitter=1.0)
            await api.push(project, *numbers(100))
            await asyncio.sleep(600)
        gaps.append([b - a for a, b in itertools.pairwise(sent_times(sim.sent))])
    assert gaps[0] == pytest.approx(gaps[1], abs=1e-6)
    assert all(3.0 <= gap <= 5.0 for gap in gaps[0])
    assert statistics.pstdev(gaps[0]) > 0.3
    assert statistics.mean(gaps[0]) == pytest.approx(4.0, abs=0.25)


async def test_seconds_per_message_can_change_at_run_time() -> None:
    async with Simulator(projects=1, seconds_per_message=10.0) as sim, Api(sim) as api:
        project = sim.projects[0]
        await api.push(project, *numbers(3))
        project.seconds_per_message = 1.0  # takes effect from the next message
        await asyncio.sleep(12.5)
    assert len(sim.sent) == 3


async def test_wait_sent_returns_when_the_phones_are_done() -> None:
    async with Simulator(projects=2, seconds_per_message=3.0) as sim, Api(sim) as api:
        one, two = sim.projects
        await api.push(one, *numbers(10))
        await api.push(two, *numbers(4))
        loop = asyncio.get_running_loop()
        start = loop.time()
        await sim.wait_sent(4)
        assert loop.time() - start == pytest.approx(6.0, abs=0.1)  # two phones, two each
        await sim.wait_sent()
        assert loop.time() - start == pytest.approx(30.0, abs=0.1)
        assert len(sim.sent) == 14
        await sim.wait_sent(0)
        waiting = asyncio.ensure_future(sim.wait_sent(15))
        await asyncio.sleep(0)
    with pytest.raises(RuntimeError, match="closed"):
        await waiting
    with pytest.raises(RuntimeError, match="once"):
        await sim.start()


@pytest.mark.parametrize(
    ("state", "sends"),
    [
        (ProjectState.ONLINE, True),
        (ProjectState.NO_BALANCE, True),
        (ProjectState.PLAN_INACTIVE, True),
        (ProjectState.INVALID_USER, True),
        (ProjectState.OFFLINE, False),
        (ProjectState.NO_DEVICE, False),
        (ProjectState.INACTIVE, False),
    ],
)
async def test_which_states_keep_the_phone_sending(state: ProjectState, sends: bool) -> None:
    async with Simulator(projects=1, seconds_per_message=5.0) as sim, Api(sim) as api:
        project = sim.projects[0]
        await api.push(project, *numbers(3))
        await asyncio.sleep(1)
        project.state = state
        await asyncio.sleep(60)
    assert len(sim.sent) == (3 if sends else 1)  # a stopped phone finishes the one in hand


async def test_a_phone_at_zero_seconds_sends_what_is_due_in_few_loop_turns() -> None:
    # One loop turn per message made a 0 s phone the Simulator's main cost;
    # messages already due go out together, at most 1,000 steps a turn.
    async with Simulator() as sim, Api(sim) as api:
        project = sim.add_project(seconds_per_message=0.0)
        _, answer = await api.push(project, *numbers(2_500))
        assert answer["status"] == 100
        progress = [len(sim.sent)]
        for _ in range(6):
            await asyncio.sleep(0)
            progress.append(len(sim.sent))
    assert progress[-1] == 2_500
    assert max(b - a for a, b in itertools.pairwise(progress)) <= 1_000
    assert all(record.sent_at == record.accepted_at for record in sim.sent)
    assert [record.msg_id for record in sim.sent] == [record.msg_id for record in sim.messages]
