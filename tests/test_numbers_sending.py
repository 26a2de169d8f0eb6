"""default_region and conference(normalize=False) through the client and Dispatcher."""

from __future__ import annotations

import asyncio

import pytest

import picky_async as pa
from picky_async.testing import SimProject, Simulator

pytestmark = [pytest.mark.looptime, pytest.mark.picky_simulator(projects=1)]


async def test_the_dispatcher_reads_send_and_submit_numbers_in_its_region(
    picky_simulator: Simulator, picky_project: SimProject
) -> None:
    project = pa.Project(picky_project.token, name=picky_project.name)
    async with pa.Dispatcher(
        [project], base_url=picky_simulator.base_url, default_region="GB"
    ) as d:
        sent = await d.send("020 7946 0958", "hi")
        submitted = await d.submit("07400 123456", "hi")
        with pytest.raises(pa.InvalidNumber, match="not a valid number for GB"):
            await d.send("07700 900123", "hi")
    assert (sent.number, submitted.number) == ("442079460958", "447400123456")
    numbers = [record.number for record in picky_simulator.messages]
    assert numbers == ["442079460958", "447400123456"]


async def test_the_client_reads_conference_numbers_in_its_region(
    picky_simulator: Simulator, picky_project: SimProject
) -> None:
    async with pa.PickyClient(
        picky_project.token, base_url=picky_simulator.base_url, default_region="IN"
    ) as client:
        result = await client.conference(["98765 43210", "+44 (0)20 7946 0958"])
        with pytest.raises(pa.InvalidNumber, match="too short for IN"):
            await client.conference(["98765 43210", "123"])
    conference = picky_project.conferences[result.push_id]
    assert conference.numbers == ("919876543210", "442079460958")


async def test_conference_numbers_go_as_given_when_not_normalized(
    picky_simulator: Simulator, picky_project: SimProject
) -> None:
    given = ["+442079460958", "02079460959", "919876543210"]
    async with pa.PickyClient(picky_project.token, base_url=picky_simulator.base_url) as client:
        result = await client.conference(given, normalize=False)
        await asyncio.sleep(10)
        calls = await client.conference_report(result.push_id)
    assert picky_project.conferences[result.push_id].numbers == tuple(given)
    assert [call.number for call in calls] == given


@pytest.mark.parametrize("number", ["", "   ", 919876543210, None])
async def test_conference_numbers_as_given_must_still_be_text(
    picky_simulator: Simulator, picky_project: SimProject, number: object
) -> None:
    async with pa.PickyClient(picky_project.token, base_url=picky_simulator.base_url) as client:
        with pytest.raises(pa.InvalidNumber):
            await client.conference(["919876543210", number], normalize=False)  # type: ignore[list-item]
    assert picky_simulator.stats.requests["conference"] == 0
