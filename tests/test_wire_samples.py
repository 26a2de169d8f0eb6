"""The V2 document's own samples (tests/data) parse, and we write them back its way."""

from __future__ import annotations

import datetime
import decimal
import json
import pathlib
from typing import Any

import picky_async as pa
from picky_async import wire

DATA = pathlib.Path(__file__).parent / "data"


def sample(name: str) -> Any:
    return json.loads((DATA / name).read_text())


def test_push_request_sample_with_trailing_space_in_priority() -> None:
    payload = sample("push_request.json")
    assert "priority " in payload
    payload["priority "] = "1"
    request = wire.structure_request(payload, wire.PushRequest)
    assert request.token == "PICKY_API_TOKEN"
    assert request.priority is pa.Priority.HIGH
    assert request.application is pa.Application.WHATSAPP
    assert request.global_message == "your global message "
    assert request.global_media == "MEDIA FILE UNIQUE URL"
    assert [item.number for item in request.data] == [f"NUMBER {i}" for i in range(1, 6)]
    assert request.data[0].message == "MESSAGE FOR NUMBER 1"


def test_dynamic_and_bulk_push_samples() -> None:
    dynamic = wire.structure_request(sample("push_dynamic_request.json"), wire.PushRequest)
    bulk = wire.structure_request(sample("push_bulk_request.json"), wire.PushRequest)
    assert dynamic.global_message == ""
    assert [item.message for item in dynamic.data][-1] == "MESSAGE FOR NUMBER 5"
    assert bulk.global_message == "your global message "
    assert {item.message for item in bulk.data} == {""}


def test_push_request_is_written_with_documented_spelling() -> None:
    request = wire.structure_request(sample("push_request.json"), wire.PushRequest)
    written = wire.converter.unstructure(request)
    assert json.loads(json.dumps(written)) == {
        "token": "PICKY_API_TOKEN",
        "application": 1,
        "priority": 0,
        "globalmessage": "your global message ",
        "globalmedia": "MEDIA FILE UNIQUE URL",
        "data": [
            {"number": f"NUMBER {i}", "message": f"MESSAGE FOR NUMBER {i}"} for i in range(1, 6)
        ],
    }
    assert wire.structure_request(written, wire.PushRequest) == request


def test_push_answer_sample() -> None:
    result = wire.structure_answer(sample("push_answer.json"), pa.PushResult)
    assert result == pa.PushResult(push_id="34", status=100, message="Success", recipients=())


def test_push_answer_with_per_recipient_data() -> None:
    result = wire.structure_answer(sample("push_answer_with_recipients.json"), pa.PushResult)
    assert result.push_id == "34"
    assert result.recipients == (
        pa.Recipient("9844217", "934343442290", decimal.Decimal("0.005")),
        pa.Recipient("9844218", "934343442291", decimal.Decimal("0.005")),
    )
    assert wire.converter.unstructure(result) == sample("push_answer_with_recipients.json")


def test_conference_request_sample() -> None:
    request = wire.structure_request(sample("conference_request.json"), wire.ConferenceRequest)
    assert request.application is pa.Application.CALL
    assert request.priority is pa.Priority.LOW
    assert request.mute_gateway is False
    assert request.record is False
    assert request.numbers == ("NUMBER1", "NUMBER1")
    assert wire.converter.unstructure(request) == {
        "token": "PICKY_API_TOKEN",
        "application": 4,
        "priority": 0,
        "mute_gateway": 0,
        "record": 0,
        "data": [{"number": "NUMBER1"}, {"number": "NUMBER1"}],
    }


def test_conference_answer_sample() -> None:
    assert wire.structure_answer(sample("conference_answer.json"), pa.PushResult).push_id == "443"


def test_conference_report_request_sample_sends_push_id_as_number() -> None:
    request = wire.structure_request(
        sample("conference_report_request.json"), wire.ConferenceReportRequest
    )
    assert request.push_id == "69"
    assert wire.converter.unstructure(request) == sample("conference_report_request.json")


def test_conference_report_sample() -> None:
    calls = wire.structure_answer(sample("conference_report.json"), list[pa.ConferenceCall])
    assert calls == [
        pa.ConferenceCall(
            push_id="69",
            call_id="153",
            number="9874565810",
            status=pa.CallStatus.COMPLETED,
            duration=12,
            project_id="27",
            time=datetime.datetime(2018, 12, 20, 14, 31),
        ),
        pa.ConferenceCall(
            push_id="69",
            call_id="154",
            number="9874533810",
            status=pa.CallStatus.SCHEDULED,
            duration=0,
            project_id="27",
            time=datetime.datetime(2018, 12, 20, 14, 31),
        ),
    ]
    assert wire.converter.unstructure(calls) == sample("conference_report.json")


def test_device_status_sample() -> None:
    status = wire.structure_answer(sample("device_status.json"), pa.DeviceStatus)
    assert status == pa.DeviceStatus(
        project_id="27",
        device_id="f5e17b8c81b8ecff",
        phone_name="Asus ASUS_Z010D",
        wifi_signal_strength=0,
        message_queue_count=2,
        cloud_registered=True,
        time=datetime.datetime(2018, 7, 10, 11, 52),
    )
    assert wire.converter.unstructure(status) == sample("device_status.json")


def test_device_status_and_action_request_samples() -> None:
    assert wire.structure_request(
        sample("device_status_request.json"), wire.DeviceStatusRequest
    ).token == ("PICKY_API_TOKEN")
    action = wire.structure_request(sample("device_action_request.json"), wire.DeviceActionRequest)
    assert action.command is pa.DeviceCommand.RESTART
    assert wire.converter.unstructure(action) == sample("device_action_request.json")


def test_device_action_answer_sample() -> None:
    assert wire.structure_answer(
        sample("device_action_answer.json"), pa.ActionResult
    ) == pa.ActionResult(status=100, message="Success")
