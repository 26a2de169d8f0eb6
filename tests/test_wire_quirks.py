"""Spellings beyond the document's samples: what the service and its tables also write."""

from __future__ import annotations

import json
import urllib.parse
from typing import Any

import pytest

import picky_async as pa
from picky_async import wire

TOKEN = "s3cret-token-value"


@pytest.mark.parametrize(
    ("cloud", "expected"),
    [("Registered", True), ("0", True), (0, True), ("Not Registered", False), ("1", False)],
)
def test_cloud_message_status_reads_sample_and_table_spellings(
    cloud: object, expected: bool
) -> None:
    status = wire.structure_answer({"cloud_message_status": cloud}, pa.DeviceStatus)
    assert status.cloud_registered is expected


def test_device_status_unknowns_and_percentages() -> None:
    status = wire.structure_answer(
        {
            "battery_percentage": "80%",
            "wifi_signal_strength": 45,
            "message_queue_count": 3,
            "cloud_message_status": "",
            "time": "",
            "unknown_new_field": "ignored",
        },
        pa.DeviceStatus,
    )
    assert status.battery_percentage == 80
    assert status.wifi_signal_strength == 45
    assert status.message_queue_count == 3
    assert status.cloud_registered is None
    assert status.time is None


def test_device_status_refuses_an_unknown_cloud_state() -> None:
    with pytest.raises(wire.MalformedPayload, match="cloud_registered"):
        wire.structure_answer({"cloud_message_status": "Maybe"}, pa.DeviceStatus)


def test_request_reads_priority_with_or_without_trailing_space() -> None:
    for key in ("priority", "priority ", " priority"):
        payload = {"token": TOKEN, key: 1, "data": [{"number": 919876543210}]}
        request = wire.structure_request(payload, wire.PushRequest)
        assert request.priority is pa.Priority.HIGH
        assert request.data == (wire.PushItem("919876543210", ""),)


def test_unknown_application_is_kept_as_int() -> None:
    payload = {"token": TOKEN, "application": "10", "globalmedia": ""}
    request = wire.structure_request(payload, wire.PushRequest)
    assert request.application == 10
    assert type(request.application) is int
    assert request.global_media is None


def test_push_answer_spellings() -> None:
    result = wire.structure_answer({"status": "100", "push_id": 34, "data": ""}, pa.PushResult)
    assert result == pa.PushResult(push_id="34", status=100, message="Success")


def test_report_rows_with_numbers_as_ints_and_unknown_duration() -> None:
    row = {"push_id": 69, "call_id": 153, "number": 9874565810, "duration": "", "status": 9}
    (call,) = wire.structure_answer([row], list[pa.ConferenceCall])
    assert (call.push_id, call.call_id, call.number) == ("69", "153", "9874565810")
    assert call.duration == 0
    assert call.status == 9
    assert call.time is None


def test_unknown_command_is_kept_as_text() -> None:
    payload = {"token": TOKEN, "command": "self-destruct"}
    assert wire.structure_request(payload, wire.DeviceActionRequest).command == "self-destruct"


@pytest.mark.parametrize("code", [code for code in pa.StatusCode if code != 100])
def test_error_status_raises_its_class_with_the_raw_answer(code: int) -> None:
    answer = {"status": str(int(code)), "message": "from the service"}
    with pytest.raises(pa.PickyError) as caught:
        wire.structure_answer(answer, pa.PushResult)
    assert type(caught.value).default_code == code
    assert caught.value.code == code
    assert caught.value.message == "from the service"
    assert caught.value.raw == answer


def test_error_status_on_a_report_is_an_error_not_a_row() -> None:
    with pytest.raises(pa.InvalidPushId):
        wire.structure_answer({"status": 503, "message": "Invalid PushId"}, list[pa.ConferenceCall])


def test_unknown_error_status_falls_back_to_the_base_class() -> None:
    with pytest.raises(pa.PickyError) as caught:
        wire.check_status({"status": 599, "message": "new"})
    assert type(caught.value) is pa.PickyError
    assert caught.value.code == 599


@pytest.mark.parametrize(
    ("answer", "cls", "reason"),
    [
        ({"status": "ok"}, pa.ActionResult, "status is not a number"),
        ("Success", pa.PushResult, "expected a JSON object or list"),
        ({"status": 100, "message": "Success"}, pa.PushResult, "push_id"),
        ({"status": 100}, list[pa.ConferenceCall], "ConferenceCall"),
    ],
)
def test_answers_of_the_wrong_shape(answer: object, cls: Any, reason: str) -> None:
    with pytest.raises(wire.MalformedPayload, match=reason):
        wire.structure_answer(answer, cls)


def test_malformed_request_names_the_field_but_not_the_token() -> None:
    with pytest.raises(wire.MalformedPayload) as caught:
        wire.structure_request({"token": TOKEN, "data": [{"message": "hi"}]}, wire.PushRequest)
    assert "data" in str(caught.value)
    assert TOKEN not in str(caught.value)


@pytest.mark.parametrize(
    "request_",
    [
        wire.PushRequest(TOKEN),
        wire.ConferenceRequest(TOKEN),
        wire.ConferenceReportRequest(TOKEN, "1"),
        wire.DeviceStatusRequest(TOKEN),
        wire.DeviceActionRequest(TOKEN, pa.DeviceCommand.RESET),
    ],
)
def test_request_reprs_hide_the_token(request_: wire.Request) -> None:
    assert TOKEN not in repr(request_)
    assert wire.converter.unstructure(request_)["token"] == TOKEN


def test_json_body_round_trips() -> None:
    payload = {"token": TOKEN, "globalmessage": "olá 👋"}
    body, content_type = wire.encode_body(payload, "json")
    assert content_type == "application/json"
    assert json.loads(body) == payload
    assert wire.decode_body(body, "application/json; charset=utf-8") == payload


def test_form_body_carries_the_json_in_data() -> None:
    payload = {"token": TOKEN, "data": [{"number": "919876543210", "message": "a&b=c"}]}
    body, content_type = wire.encode_body(payload, "form")
    assert content_type == "application/x-www-form-urlencoded"
    (text,) = urllib.parse.parse_qs(body.decode())["data"]
    assert json.loads(text) == payload
    assert wire.decode_body(body, content_type) == payload


@pytest.mark.parametrize(
    "content_type",
    ["", "application/octet-stream", "text/plain", "application/x-www-form-urlencoded"],
)
def test_a_json_body_is_read_whatever_content_type_it_came_with(content_type: str) -> None:
    payload = {"token": TOKEN, "data": [{"number": "919876543210", "message": "a=b&data=c"}]}
    assert wire.decode_body(json.dumps(payload).encode(), content_type) == payload


@pytest.mark.parametrize(
    ("body", "content_type", "reason"),
    [
        (b"token=abc", "application/x-www-form-urlencoded", "no data= field"),
        (b"{not json", "application/json", "not JSON"),
        (b"[1, 2]", "application/json", "expected a JSON object"),
    ],
)
def test_decode_body_refuses_other_shapes(body: bytes, content_type: str, reason: str) -> None:
    with pytest.raises(wire.MalformedPayload, match=reason):
        wire.decode_body(body, content_type)
