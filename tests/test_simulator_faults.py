"""Rate limits and injected faults: what a client sees and what the Simulator records."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest
from test_simulator_support import Api, numbers

from picky_async import RateLimit
from picky_async.testing import FaultKind, Simulator

pytestmark = pytest.mark.looptime


async def test_over_the_push_limit_answers_429_processes_nothing_and_counts() -> None:
    async with Simulator(projects=1) as sim, Api(sim) as api:
        project = sim.projects[0]
        for index in range(90):
            http, _ = await api.push(project, numbers(1, index)[0])
            assert http == 200
        http, answer = await api.push(project, "919870000999")
        assert (http, answer["status"]) == (429, 429)
        data = [{"number": n} for n in numbers(2)]
        http, _ = await api.post(project, "conference-request", {"data": data})
        assert http == 429  # conference requests share the push limit
        assert len(sim.messages) == 90
        assert sim.stats.over_limit == {"project-1": 2}
        await asyncio.sleep(60)  # the window slides past the first requests
        http, _ = await api.push(project, "919870000999")
        assert http == 200
    assert [r.http_status for r in sim.requests].count(429) == 2


async def test_over_the_status_limit_answers_429() -> None:
    async with Simulator(projects=2) as sim, Api(sim) as api:
        one, two = sim.projects
        answers = [(await api.post(one, "device-status"))[0] for _ in range(3)]
        answers.append((await api.post(one, "device-action", {"command": "restart"}))[0])
        answers.append((await api.post(two, "device-status"))[0])  # limits are per project
    assert answers == [200, 200, 200, 429, 200]
    assert sim.stats.over_limit == {"project-1": 1}


async def test_limits_are_configurable_per_project() -> None:
    async with Simulator() as sim, Api(sim) as api:
        project = sim.add_project(push_limit=RateLimit(2, 10.0))
        codes = [(await api.push(project, "919870000001"))[0] for _ in range(3)]
        await asyncio.sleep(10)
        codes.append((await api.push(project, "919870000001"))[0])
    assert codes == [200, 200, 429, 200]


async def test_latency_delays_the_answer() -> None:
    async with Simulator(projects=1) as sim, Api(sim) as api:
        sim.faults.add(FaultKind.LATENCY, seconds=7.5, endpoint="push")
        loop = asyncio.get_running_loop()
        start = loop.time()
        _, answer = await api.push(sim.projects[0], "919870000001")
        slow = loop.time() - start
        start = loop.time()
        await api.post(sim.projects[0], "device-status")
        quick = loop.time() - start
    assert answer["status"] == 100
    assert slow == pytest.approx(7.5, abs=0.1)
    assert quick < 0.5
    assert sim.requests[0].fault == "latency"
    assert sim.requests[1].fault is None


async def test_server_error_is_answered_without_processing_and_used_up() -> None:
    async with Simulator(projects=1) as sim, Api(sim) as api:
        fault = sim.faults.add(FaultKind.SERVER_ERROR, status=502, times=2)
        for _ in range(2):
            async with api.session.post(f"{sim.base_url}/push", json={"token": "x"}) as response:
                assert response.status == 502
        http, answer = await api.push(sim.projects[0], "919870000001")
    assert (http, answer["status"]) == (200, 100)
    assert fault.hits == 2
    assert not list(sim.faults)  # used up
    assert len(sim.messages) == 1
    assert sim.stats.faults == {"server-error": 2}


async def test_reset_drops_the_connection_before_processing() -> None:
    async with Simulator(projects=1) as sim, Api(sim) as api:
        sim.faults.add(FaultKind.RESET, times=1)
        with pytest.raises(aiohttp.ServerDisconnectedError):
            await api.push(sim.projects[0], "919870000001")
        assert not sim.messages
        _, answer = await api.push(sim.projects[0], "919870000001")
    assert answer["status"] == 100
    assert (sim.requests[0].http_status, sim.requests[0].fault) == (None, "reset")


async def test_lost_answer_processes_the_request_but_never_answers() -> None:
    async with Simulator(projects=1, seconds_per_message=1.0) as sim, Api(sim) as api:
        sim.faults.add(FaultKind.LOST_ANSWER, endpoint="push", times=1)
        with pytest.raises(aiohttp.ServerDisconnectedError):
            await api.push(sim.projects[0], *numbers(2))
        await asyncio.sleep(5)
    assert len(sim.sent) == 2  # the ambiguous case: it went out all the same
    record = sim.requests[0]
    assert (record.http_status, record.status, record.fault) == (None, 100, "lost-answer")


async def test_faults_can_target_one_project_and_one_endpoint() -> None:
    async with Simulator(projects=2) as sim, Api(sim) as api:
        one, two = sim.projects
        sim.faults.add(FaultKind.SERVER_ERROR, project=one, endpoint="push")
        assert (await api.push(one, "919870000001"))[0] == 503
        assert (await api.push(two, "919870000001"))[0] == 200
        assert (await api.post(one, "device-status"))[0] == 200
        sim.faults.clear()
        assert (await api.push(one, "919870000001"))[0] == 200


async def test_fault_chances_come_from_the_seed() -> None:
    hits = []
    for _ in range(2):
        async with Simulator(projects=1, seed=3) as sim, Api(sim) as api:
            fault = sim.faults.add(FaultKind.SERVER_ERROR, probability=0.3)
            codes = [
                (await api.post(sim.projects[0], "conference-report", {"push_id": 1}))[0]
                for _ in range(40)
            ]
        assert codes.count(503) == fault.hits
        hits.append(codes)
    assert hits[0] == hits[1]
    assert 0 < hits[0].count(503) < 40


async def test_removing_a_fault_stops_it() -> None:
    async with Simulator(projects=1) as sim, Api(sim) as api:
        fault = sim.faults.add(FaultKind.SERVER_ERROR)
        assert (await api.push(sim.projects[0], "919870000001"))[0] == 503
        sim.faults.remove(fault)
        sim.faults.remove(fault)  # twice is fine
        assert (await api.push(sim.projects[0], "919870000001"))[0] == 200


@pytest.mark.parametrize(
    ("kind", "options", "match"),
    [
        (FaultKind.LATENCY, {}, "seconds"),
        (FaultKind.SERVER_ERROR, {"status": 404}, "5xx"),
        (FaultKind.RESET, {"times": 0}, "times"),
        (FaultKind.RESET, {"probability": 0}, "probability"),
        (FaultKind.RESET, {"endpoint": "/push"}, "endpoint"),
    ],
)
def test_nonsense_faults_are_refused(
    kind: FaultKind, options: dict[str, object], match: str
) -> None:
    with pytest.raises(ValueError, match=match):
        Simulator().faults.add(kind, **options)  # type: ignore[arg-type]


async def test_latency_and_an_error_together_answer_the_error_late() -> None:
    async with Simulator(projects=1) as sim, Api(sim) as api:
        sim.faults.add(FaultKind.SERVER_ERROR, times=1)
        sim.faults.add(FaultKind.LATENCY, seconds=2.0, times=1)
        loop = asyncio.get_running_loop()
        start = loop.time()
        http, _ = await api.push(sim.projects[0], "919870000001")
        assert loop.time() - start == pytest.approx(2.0, abs=0.1)
    assert http == 503
    assert sim.requests[0].fault == "server-error"
    assert sim.stats.faults == {"server-error": 1}
