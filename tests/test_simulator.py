"""The Simulator's endpoints: both encodings, the document's spellings, every status code."""

from __future__ import annotations

import datetime
import json
import pathlib
from typing import Any

import aiohttp
import pytest
from test_simulator_support import Api, numbers

from picky_async import Application, RateLimit
from picky_async.testing import ProjectState, Simulator
from picky_async.wire import Encoding

pytestmark = pytest.mark.picky_simulator(projects=2, seconds_per_message=1.0)

ENCODINGS: list[Encoding] = ["json", "form"]
DATA = pathlib.Path(__file__).parent / "data"


def sample(name: str) -> dict[str, Any]:
    """A request sample of the document, with real numbers for its placeholders."""
    payload: dict[str, Any] = json.loads((DATA / name).read_text())
    del payload["token"]  # the placeholder; Api fills in the project's
    payload["data"] = [
        {**row, "number": number} for row, number in zip(payload["data"], numbers(5), strict=False)
    ]
    return payload


@pytest.mark.parametrize("encoding", ENCODINGS)
@pytest.mark.parametrize(
    "name", ["push_request.json", "push_bulk_request.json", "push_dynamic_request.json"]
)
async def test_push_accepts_the_documents_samples(
    picky_simulator: Simulator, encoding: Encoding, name: str
) -> None:
    project = picky_simulator.projects[0]
    async with Api(picky_simulator) as api:
        http, answer = await api.post(project, "push", sample(name), encoding=encoding)
    assert http == 200
    assert answer["status"] == 100
    assert answer["message"] == "Success"
    assert isinstance(answer["push_id"], str)
    assert [row["number"] for row in answer["data"]] == numbers(5)
    msg_ids = [row["msg_id"] for row in answer["data"]]
    assert len(set(msg_ids)) == 5
    assert all(
        isinstance(m, str) and row["credit"] == "0.005"
        for m, row in zip(msg_ids, answer["data"], strict=True)
    )
    records = picky_simulator.messages
    assert [r.msg_id for r in records] == msg_ids
    assert {r.push_id for r in records} == {answer["push_id"]}
    assert project.message_queue_count == 5


async def test_push_reads_priority_with_its_trailing_space_and_numbers_as_ints(
    picky_simulator: Simulator,
) -> None:
    project = picky_simulator.projects[0]
    payload = {
        "priority ": 1,
        "application": 3,
        "globalmessage": "otp 1234",
        "data": [{"number": 919876500001}],
    }
    async with Api(picky_simulator) as api:
        http, answer = await api.post(project, "push", payload)
    assert (http, answer["status"]) == (200, 100)
    (record,) = picky_simulator.messages
    assert (record.number, record.priority, record.application) == ("919876500001", 1, 3)
    assert record.text == "otp 1234"


async def test_per_number_message_wins_over_the_global_one(picky_simulator: Simulator) -> None:
    project = picky_simulator.projects[0]
    first, second = numbers(2)
    data = [{"number": first, "message": "just you"}, {"number": second, "message": ""}]
    async with Api(picky_simulator) as api:
        await api.post(project, "push", {"globalmessage": "everyone", "data": data})
    assert [r.text for r in picky_simulator.messages] == ["just you", "everyone"]


async def test_push_ids_and_msg_ids_are_unique_across_projects(picky_simulator: Simulator) -> None:
    one, two = picky_simulator.projects
    async with Api(picky_simulator) as api:
        _, a = await api.push(one, *numbers(2))
        _, b = await api.push(two, *numbers(2))
    assert a["push_id"] != b["push_id"]
    assert not {r["msg_id"] for r in a["data"]} & {r["msg_id"] for r in b["data"]}
    assert picky_simulator.stats.accepted == {"project-1": 2, "project-2": 2}


@pytest.mark.parametrize("encoding", ENCODINGS)
@pytest.mark.parametrize(
    ("payload", "code"),
    [
        (
            {"token": "not-a-token", "globalmessage": "hi", "data": [{"number": "919876500001"}]},
            401,
        ),
        ({"globalmessage": "hi", "data": []}, 402),
        ({"globalmessage": "hi"}, 402),
        ({"globalmessage": "hi", "data": [{"number": "+55 12345 6789"}]}, 406),
        ({"globalmessage": "hi", "data": [{"number": "0919876500001"}]}, 406),
        ({"globalmessage": "hi", "data": [{"number": "1234"}]}, 406),
        ({"globalmessage": "hi", "data": [{"number": "1234567890123456"}]}, 406),
        ({"globalmessage": "hi", "data": [{"number": "919876500001"}, {"number": "call me"}]}, 406),
        ({"globalmessage": "", "data": [{"number": "919876500001", "message": ""}]}, 407),
        ({"data": [{"number": "919876500001", "message": "x"}, {"number": "919876500002"}]}, 407),
    ],
)
async def test_push_refusals_carry_the_documents_codes(
    picky_simulator: Simulator, encoding: Encoding, payload: dict[str, object], code: int
) -> None:
    project = picky_simulator.projects[0]
    async with Api(picky_simulator) as api:
        http, answer = await api.post(project, "push", payload, encoding=encoding)
    assert http == 200
    assert answer["status"] == code
    assert answer["message"]
    assert not picky_simulator.messages  # nothing of a refused push is queued
    assert picky_simulator.requests[-1].status == code


async def test_media_alone_is_a_message(picky_simulator: Simulator) -> None:
    project = picky_simulator.projects[0]
    payload = {"globalmedia": "https://example.org/a.jpg", "data": [{"number": "919876500001"}]}
    async with Api(picky_simulator) as api:
        _, answer = await api.post(project, "push", payload)
    assert answer["status"] == 100
    assert picky_simulator.messages[0].media == "https://example.org/a.jpg"


async def test_sms_with_media_appends_the_url_to_the_text(picky_simulator: Simulator) -> None:
    project = picky_simulator.projects[0]
    media = "https://example.org/a.jpg"
    async with Api(picky_simulator) as api:
        await api.push(project, "919876500001", application=Application.SMS, globalmedia=media)
        await api.push(project, "919876500001", application=Application.WHATSAPP, globalmedia=media)
    sms, whatsapp = picky_simulator.messages
    assert (sms.text, sms.media) == (f"hi {media}", None)
    assert (whatsapp.text, whatsapp.media) == ("hi", media)


@pytest.mark.parametrize("encoding", ENCODINGS)
async def test_device_status_reports_the_live_queue(
    picky_simulator: Simulator, encoding: Encoding
) -> None:
    project = picky_simulator.projects[0]
    async with Api(picky_simulator) as api:
        await api.push(project, *numbers(4))
        http, status = await api.post(project, "device-status", encoding=encoding)
    assert http == 200
    assert status["message_queue_count"] == "4"
    assert status["project_id"] == project.project_id
    assert status["call_queue_count"] == "0"
    assert status["cloud_message_status"] == "Registered"
    assert all(isinstance(value, str) for value in status.values())
    datetime.datetime.strptime(status["time"], "%d-%m-%Y %I:%M %p")


async def test_times_follow_the_epoch() -> None:
    epoch = datetime.datetime(2018, 12, 20, 14, 31)
    async with Simulator(projects=1, epoch=epoch) as sim, Api(sim) as api:
        _, status = await api.post(sim.projects[0], "device-status")
    assert status["time"] == "20-12-2018 02:31 PM"


@pytest.mark.parametrize("encoding", ENCODINGS)
async def test_device_action_answers_success_and_refuses_unknown_commands(
    picky_simulator: Simulator, encoding: Encoding
) -> None:
    project = picky_simulator.projects[0]
    async with Api(picky_simulator) as api:
        ok = await api.post(
            project, "device-action", {"command": "stop-message-queue"}, encoding=encoding
        )
        bad = await api.post(project, "device-action", {"command": "explode"}, encoding=encoding)
    assert ok == (200, {"status": 100, "message": "Success"})
    assert project.phone.messages.stopped
    assert bad[1]["status"] == 400


@pytest.mark.parametrize("encoding", ENCODINGS)
async def test_conference_request_and_report(
    picky_simulator: Simulator, encoding: Encoding
) -> None:
    project = picky_simulator.projects[0]
    async with Api(picky_simulator) as api:
        http, answer = await api.post(
            project,
            "conference-request",
            sample("conference_request.json"),
            encoding=encoding,
        )
        assert (http, answer["status"], answer["message"]) == (200, 100, "Success")
        _, rows = await api.post(
            project,
            "conference-report",
            {"push_id": int(answer["push_id"])},
            encoding=encoding,
        )
    assert [row["number"] for row in rows] == numbers(2)
    for row in rows:
        assert list(row) == [
            "project_id",
            "push_id",
            "call_id",
            "number",
            "duration",
            "status",
            "time",
        ]
        assert all(isinstance(value, str) for value in row.values())
        assert row["push_id"] == answer["push_id"]
    assert rows[0]["call_id"] != rows[1]["call_id"]


@pytest.mark.parametrize(("count", "code"), [(0, 402), (1, 505), (6, 506)])
async def test_conference_needs_two_to_five_numbers(
    picky_simulator: Simulator, count: int, code: int
) -> None:
    data = [{"number": number} for number in numbers(count)]
    async with Api(picky_simulator) as api:
        _, answer = await api.post(
            picky_simulator.projects[0], "conference-request", {"data": data}
        )
    assert answer["status"] == code


async def test_conference_refuses_bad_numbers_and_old_androids(picky_simulator: Simulator) -> None:
    project = picky_simulator.projects[0]
    async with Api(picky_simulator) as api:
        _, bad = await api.post(
            project, "conference-request", {"data": [{"number": "12"}, {"number": "919876500001"}]}
        )
        project.supports_calls = False
        data = [{"number": number} for number in numbers(2)]
        _, old = await api.post(project, "conference-request", {"data": data})
    assert (bad["status"], old["status"]) == (406, 502)
    assert not project.conferences


async def test_report_of_an_unknown_or_foreign_push_id_is_503(picky_simulator: Simulator) -> None:
    one, two = picky_simulator.projects
    data = [{"number": number} for number in numbers(2)]
    async with Api(picky_simulator) as api:
        _, answer = await api.post(one, "conference-request", {"data": data})
        _, foreign = await api.post(two, "conference-report", {"push_id": answer["push_id"]})
        _, unknown = await api.post(one, "conference-report", {"push_id": "999"})
        _, missing = await api.post(one, "conference-report", {})
    assert foreign["status"] == unknown["status"] == missing["status"] == 503


async def test_a_body_that_is_not_json_is_a_bad_request(picky_simulator: Simulator) -> None:
    url = f"{picky_simulator.base_url}/push"
    async with aiohttp.ClientSession() as session, session.post(url, data=b"x=1") as response:
        assert response.status == 400
    assert picky_simulator.requests[-1].http_status == 400


# What each state answers, per endpoint, as the document's codes.
STATE_ANSWERS: dict[ProjectState, dict[str, int | None]] = {
    ProjectState.OFFLINE: {
        "push": 404,
        "conference-request": 501,
        "device-status": 404,
        "device-action": 404,
    },
    ProjectState.NO_DEVICE: {
        "push": 404,
        "conference-request": 501,
        "device-status": 504,
        "device-action": 504,
    },
    ProjectState.NO_BALANCE: {
        "push": 403,
        "conference-request": 403,
        "device-status": None,
        "device-action": 100,
    },
    ProjectState.PLAN_INACTIVE: {
        "push": 405,
        "conference-request": 405,
        "device-status": 405,
        "device-action": 405,
    },
    ProjectState.INACTIVE: {
        "push": 408,
        "conference-request": 408,
        "device-status": 408,
        "device-action": 408,
    },
    ProjectState.INVALID_USER: {
        "push": 409,
        "conference-request": 409,
        "device-status": 409,
        "device-action": 409,
    },
}


@pytest.mark.parametrize("state", list(STATE_ANSWERS))
async def test_project_states_answer_their_codes(
    picky_simulator: Simulator, state: ProjectState
) -> None:
    project = picky_simulator.add_project(status_limit=RateLimit(10, 60))
    project.state = state
    bodies: dict[str, dict[str, Any]] = {
        "push": {"globalmessage": "hi", "data": [{"number": "919876500001"}]},
        "conference-request": {"data": [{"number": number} for number in numbers(2)]},
        "device-status": {},
        "device-action": {"command": "restart"},
    }
    async with Api(picky_simulator) as api:
        for endpoint, expected in STATE_ANSWERS[state].items():
            _, answer = await api.post(project, endpoint, bodies[endpoint])
            assert answer.get("status") == expected, endpoint
    assert state.value in repr(project)


async def test_state_set_back_to_online_serves_again(picky_simulator: Simulator) -> None:
    project = picky_simulator.projects[0]
    async with Api(picky_simulator) as api:
        project.state = ProjectState.OFFLINE
        _, refused = await api.push(project, "919876500001")
        project.state = ProjectState.ONLINE
        _, accepted = await api.push(project, "919876500001")
    assert (refused["status"], accepted["status"]) == (404, 100)


async def test_tokens_stay_out_of_reprs_and_records(picky_simulator: Simulator) -> None:
    project = picky_simulator.projects[0]
    async with Api(picky_simulator) as api:
        await api.push(project, "919876500001")
    assert project.token not in repr(project)
    assert project.token not in repr(picky_simulator)
    assert project.token not in repr(picky_simulator.requests) + repr(picky_simulator.messages)
    assert picky_simulator.requests[-1].project == "project-1"


def test_add_project_refuses_duplicates_and_negative_timings() -> None:
    sim = Simulator()
    sim.add_project("t1", name="a")
    with pytest.raises(ValueError, match="token"):
        sim.add_project("t1", name="b")
    with pytest.raises(ValueError, match="named"):
        sim.add_project("t2", name="a")
    with pytest.raises(ValueError, match="negative"):
        sim.add_project(seconds_per_message=-1)
    assert sim.project("a").name == "a"
    with pytest.raises(KeyError):
        sim.project("b")
    with pytest.raises(RuntimeError):
        _ = sim.base_url
