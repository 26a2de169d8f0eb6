"""PickyClient against aioresponses: bodies sent, answers read, errors mapped."""

from __future__ import annotations

import asyncio
import datetime
import json
import logging
import ssl
import urllib.parse
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aioresponses import aioresponses
from yarl import URL

import picky_async as pa

TOKEN = "tok-3f9a-SECRET"
BASE = "http://127.0.0.1:9/api/v2"
SUCCESS = {"status": 100, "push_id": "34", "message": "Success"}


def url(path: str) -> str:
    return f"{BASE}/{path}"


def sent(mock: aioresponses, path: str) -> list[Any]:
    """The decoded JSON bodies posted to ``path``, in order."""
    return [
        json.loads(call.kwargs["data"]) for call in mock.requests.get(("POST", URL(url(path))), [])
    ]


@pytest.fixture
async def client() -> AsyncIterator[pa.PickyClient]:
    async with pa.PickyClient(TOKEN, base_url=BASE, retry=pa.RetryPolicy(wait_initial=0)) as c:
        yield c


async def test_dynamic_push_sends_documented_body(
    mock: aioresponses, client: pa.PickyClient
) -> None:
    mock.post(url("push"), payload=SUCCESS)
    result = await client.push(
        [pa.Message("+91 98765-43210", "bill: 10"), pa.Message(919876543211, "bill: 20")]
    )
    assert result == pa.PushResult(push_id="34")
    assert sent(mock, "push") == [
        {
            "token": TOKEN,
            "application": 1,
            "priority": 0,
            "globalmessage": "",
            "data": [
                {"number": "919876543210", "message": "bill: 10"},
                {"number": "919876543211", "message": "bill: 20"},
            ],
        }
    ]
    (call,) = mock.requests[("POST", URL(url("push")))]
    assert call.kwargs["headers"]["Content-Type"] == "application/json"


async def test_bulk_push_with_media_caption_and_priority(
    mock: aioresponses, client: pa.PickyClient
) -> None:
    mock.post(url("push"), payload=SUCCESS)
    await client.push(
        [pa.Message("919876543210"), pa.Message("919876543211")],
        application=pa.Application.WHATSAPP_BUSINESS,
        priority=pa.Priority.HIGH,
        global_message="caption",
        global_media="https://example.org/a.jpg",
    )
    assert sent(mock, "push") == [
        {
            "token": TOKEN,
            "application": 2,
            "priority": 1,
            "globalmessage": "caption",
            "globalmedia": "https://example.org/a.jpg",
            "data": [
                {"number": "919876543210", "message": ""},
                {"number": "919876543211", "message": ""},
            ],
        }
    ]


async def test_message_media_becomes_the_global_media(
    mock: aioresponses, client: pa.PickyClient
) -> None:
    mock.post(url("push"), payload=SUCCESS)
    media = "https://example.org/invoice.pdf"
    await client.push(
        [pa.Message("919876543210", media=media), pa.Message("919876543211", "hi", media=media)],
        application=pa.Application.SMS,
    )
    (body,) = sent(mock, "push")
    assert body["application"] == 3
    assert body["globalmedia"] == media
    assert body["data"][0] == {"number": "919876543210", "message": ""}


async def test_unknown_application_value_is_passed_on(
    mock: aioresponses, client: pa.PickyClient
) -> None:
    mock.post(url("push"), payload=SUCCESS)
    await client.push([pa.Message("919876543210", "hi")], application=10)
    assert sent(mock, "push")[0]["application"] == 10


async def test_push_answer_with_recipients(mock: aioresponses, client: pa.PickyClient) -> None:
    recipient = {"msg_id": "9844217", "number": "919876543210", "credit": "0.005"}
    mock.post(url("push"), payload=SUCCESS | {"data": [recipient]})
    result = await client.push([pa.Message("919876543210", "hi")])
    assert [r.msg_id for r in result.recipients] == ["9844217"]
    assert str(result.recipients[0].credit) == "0.005"


async def test_form_encoding_posts_the_json_in_data(mock: aioresponses) -> None:
    mock.post(url("device-action"), payload={"status": 100, "message": "Success"})
    async with pa.PickyClient(TOKEN, base_url=BASE, encoding="form") as client:
        await client.device_action("stop-message-queue")
    (call,) = mock.requests[("POST", URL(url("device-action")))]
    expected = json.dumps({"token": TOKEN, "command": "stop-message-queue"}, separators=(",", ":"))
    assert call.kwargs["data"] == urllib.parse.urlencode({"data": expected}).encode()
    assert call.kwargs["headers"]["Content-Type"] == "application/x-www-form-urlencoded"


async def test_conference_sends_documented_body(mock: aioresponses, client: pa.PickyClient) -> None:
    mock.post(url("conference-request"), payload=SUCCESS | {"push_id": "443"})
    result = await client.conference(["919876543210", 919876543211], priority=1, mute_gateway=True)
    assert result.push_id == "443"
    assert sent(mock, "conference-request") == [
        {
            "token": TOKEN,
            "application": 4,
            "priority": 1,
            "mute_gateway": 1,
            "record": 0,
            "data": [{"number": "919876543210"}, {"number": "919876543211"}],
        }
    ]


async def test_conference_report(mock: aioresponses, client: pa.PickyClient) -> None:
    row = {"project_id": "27", "push_id": "69", "call_id": "153", "number": "9874565810"}
    row |= {"duration": "12", "status": "3", "time": "20-12-2018 02:31 PM"}
    mock.post(url("conference-report"), payload=[row])
    (call,) = await client.conference_report("69")
    assert sent(mock, "conference-report") == [{"token": TOKEN, "push_id": 69}]
    assert call.status is pa.CallStatus.IN_PROGRESS
    assert call.time == datetime.datetime(2018, 12, 20, 14, 31)


async def test_device_status(mock: aioresponses, client: pa.PickyClient) -> None:
    answer = {"message_queue_count": "7", "wifi_signal_strength": "Not Connected"}
    mock.post(url("device-status"), payload=answer | {"cloud_message_status": "Not Registered"})
    status = await client.device_status()
    assert sent(mock, "device-status") == [{"token": TOKEN}]
    assert (status.message_queue_count, status.wifi_signal_strength) == (7, 0)
    assert status.cloud_registered is False


async def test_device_action(mock: aioresponses, client: pa.PickyClient) -> None:
    mock.post(url("device-action"), payload={"status": 100, "message": "Success"})
    result = await client.device_action(pa.DeviceCommand.RESUME_CALL_QUEUE)
    assert result == pa.ActionResult(status=100, message="Success")
    assert sent(mock, "device-action") == [{"token": TOKEN, "command": "resume-call-queue"}]


ENDPOINTS = {
    "push": lambda c: c.push([pa.Message("919876543210", "hi")]),
    "conference-request": lambda c: c.conference(["919876543210", "919876543211"]),
    "conference-report": lambda c: c.conference_report(69),
    "device-status": lambda c: c.device_status(),
    "device-action": lambda c: c.device_action("restart"),
}


@pytest.mark.parametrize("path", ENDPOINTS)
@pytest.mark.parametrize("code", [code for code in pa.StatusCode if code != 100])
async def test_every_status_code_of_every_endpoint(
    mock: aioresponses, client: pa.PickyClient, path: str, code: int
) -> None:
    answer = {"status": code, "message": f"text {code}"}
    mock.post(url(path), payload=answer)
    with pytest.raises(pa.PickyError) as caught:
        await ENDPOINTS[path](client)
    assert type(caught.value).default_code == code
    assert (caught.value.code, caught.value.message, caught.value.raw) == (
        code,
        f"text {code}",
        answer,
    )
    assert len(sent(mock, path)) == 1


@pytest.mark.parametrize(
    ("call", "error"),
    [
        (lambda c: c.push([]), pa.EmptyNumberList),
        (lambda c: c.push([pa.Message("919876543210")]), pa.EmptyMessage),
        (lambda c: c.push([pa.Message("919876543210", "x")], priority=2), ValueError),
        (lambda c: c.push(["919876543210"]), TypeError),
        (lambda c: c.conference([]), pa.EmptyNumberList),
        (lambda c: c.conference(["919876543210"]), pa.TooFewContacts),
        (lambda c: c.conference([f"91987654321{i}" for i in range(6)]), pa.TooManyContacts),
        (lambda c: c.conference(["919876543210", "12"]), pa.InvalidNumber),
        (lambda c: c.conference("919876543210"), TypeError),
        (lambda c: c.conference_report(""), ValueError),
        (lambda c: c.device_action("self-destruct"), ValueError),
    ],
)
async def test_validation_fails_before_any_request(
    mock: aioresponses, client: pa.PickyClient, call: Any, error: type[Exception]
) -> None:
    with pytest.raises(error):
        await call(client)
    assert mock.requests == {}


async def test_messages_with_different_media_are_refused(
    mock: aioresponses, client: pa.PickyClient
) -> None:
    messages = [
        pa.Message("919876543210", media="https://example.org/a.jpg"),
        pa.Message("919876543211", "no media of its own"),
    ]
    with pytest.raises(ValueError, match="one media per push"):
        await client.push(messages)
    with pytest.raises(ValueError, match="one media per push"):
        await client.push(messages[:1], global_media="https://example.org/b.jpg")
    assert mock.requests == {}


async def test_http_429_is_rate_limited(mock: aioresponses, client: pa.PickyClient) -> None:
    mock.post(url("device-status"), status=429, body="slow down")
    with pytest.raises(pa.RateLimited) as caught:
        await client.device_status()
    assert caught.value.status == 429


@pytest.mark.parametrize(
    ("status", "body", "error"),
    [
        (302, "", pa.TransportError),
        (400, "", pa.TransportError),
        (502, "bad gateway", pa.TransportError),
        (503, "", pa.TransportError),
        (504, "", pa.TransportError),
        (500, '{"status": 100}', pa.DeliveryUncertain),
        (507, "", pa.DeliveryUncertain),
        (200, "<html>oops</html>", pa.DeliveryUncertain),
        (200, '{"status": 100}', pa.DeliveryUncertain),
    ],
)
async def test_unusable_answers_say_whether_the_push_may_be_queued(
    mock: aioresponses,
    client: pa.PickyClient,
    status: int,
    body: str,
    error: type[pa.PickyError],
) -> None:
    # Gateway errors and 3xx/4xx mean not processed; a 500 or a 2xx we cannot
    # read may come after the service queued the push.
    mock.post(url("push"), status=status, body=body)
    with pytest.raises((pa.TransportError, pa.DeliveryUncertain)) as caught:
        await client.push([pa.Message("919876543210", "hi")])
    assert type(caught.value) is error
    assert caught.value.status == status
    assert len(sent(mock, "push")) == 1


def refused() -> aiohttp.ClientConnectorError:
    key = aiohttp.client_reqrep.ConnectionKey("127.0.0.1", 9, False, True, None, None, None)
    return aiohttp.ClientConnectorError(key, ConnectionRefusedError(111, "Connection refused"))


@pytest.mark.parametrize(
    "failure",
    [refused(), aiohttp.ConnectionTimeoutError("connect timed out")],
    ids=["refused", "connect-timeout"],
)
async def test_failures_to_connect_are_retried(
    mock: aioresponses, client: pa.PickyClient, failure: Exception
) -> None:
    mock.post(url("push"), exception=failure)
    mock.post(url("push"), exception=failure)
    mock.post(url("push"), payload=SUCCESS)
    result = await client.push([pa.Message("919876543210", "hi")])
    assert result.push_id == "34"
    assert len(sent(mock, "push")) == 3


async def test_retries_give_up_with_a_transport_error(mock: aioresponses) -> None:
    mock.post(url("push"), exception=refused(), repeat=True)
    policy = pa.RetryPolicy(attempts=4, wait_initial=0)
    async with pa.PickyClient(TOKEN, base_url=BASE, retry=policy) as client:
        with pytest.raises(pa.TransportError, match="could not connect") as caught:
            await client.push([pa.Message("919876543210", "hi")])
    assert type(caught.value) is pa.TransportError
    assert isinstance(caught.value.__cause__, aiohttp.ClientConnectorError)
    assert len(sent(mock, "push")) == 4


async def test_retry_none_tries_once(mock: aioresponses) -> None:
    mock.post(url("push"), exception=refused(), repeat=True)
    async with pa.PickyClient(TOKEN, base_url=BASE, retry=None) as client:
        with pytest.raises(pa.TransportError):
            await client.push([pa.Message("919876543210", "hi")])
    assert len(sent(mock, "push")) == 1


@pytest.mark.parametrize(
    "failure",
    [
        aiohttp.ServerDisconnectedError(),
        aiohttp.ClientPayloadError("truncated"),
        aiohttp.SocketTimeoutError("read timed out"),
        asyncio.TimeoutError(),
        aiohttp.ClientOSError(104, "Connection reset by peer"),
    ],
    ids=["disconnected", "payload", "read-timeout", "timeout", "reset"],
)
async def test_failures_after_sending_are_uncertain_and_never_resent(
    mock: aioresponses, client: pa.PickyClient, failure: Exception
) -> None:
    mock.post(url("push"), exception=failure)
    mock.post(url("push"), payload=SUCCESS)
    with pytest.raises(pa.DeliveryUncertain) as caught:
        await client.push([pa.Message("919876543210", "hi")])
    assert caught.value.__cause__ is failure
    assert len(sent(mock, "push")) == 1


async def test_tls_failure_is_not_retried(mock: aioresponses, client: pa.PickyClient) -> None:
    key = aiohttp.client_reqrep.ConnectionKey("127.0.0.1", 9, True, True, None, None, None)
    failure = aiohttp.ClientConnectorCertificateError(key, ssl.CertificateError("bad cert"))
    mock.post(url("push"), exception=failure)
    mock.post(url("push"), payload=SUCCESS)
    with pytest.raises(pa.TransportError) as caught:
        await client.push([pa.Message("919876543210", "hi")])
    assert type(caught.value) is pa.TransportError
    assert len(sent(mock, "push")) == 1


def texts(error: BaseException) -> str:
    """Everything an error shows: its text and that of its causes."""
    shown = []
    current: BaseException | None = error
    while current is not None:
        shown += [str(current), repr(current)]
        current = current.__cause__ or current.__context__
    return "\n".join(shown)


@pytest.mark.parametrize(
    ("status", "body", "failure"),
    [
        (200, f"not json {TOKEN[:3]}", None),
        (500, "", None),
        (429, "", None),
        (200, "", refused()),
        (200, "", aiohttp.ServerDisconnectedError()),
        (200, json.dumps({"status": 401, "message": "Authentication Failed"}), None),
    ],
)
async def test_token_never_shows_in_errors_or_logs(
    mock: aioresponses,
    caplog: pytest.LogCaptureFixture,
    status: int,
    body: str,
    failure: Exception | None,
) -> None:
    caplog.set_level(logging.DEBUG, logger="picky_async")
    mock.post(url("push"), status=status, body=body, exception=failure, repeat=True)
    client = pa.PickyClient(TOKEN, base_url=BASE, retry=pa.RetryPolicy(wait_initial=0))
    with pytest.raises(pa.PickyError) as caught:
        await client.push([pa.Message("919876543210", "hi")])
    await client.close()
    assert TOKEN not in texts(caught.value)
    assert TOKEN not in repr(client)
    assert caplog.messages
    assert all(TOKEN not in line for line in caplog.messages)


async def test_borrowed_session_is_used_and_left_open(mock: aioresponses) -> None:
    mock.post(url("device-status"), payload={"message_queue_count": "0"})
    async with aiohttp.ClientSession(raise_for_status=True) as session:
        async with pa.PickyClient(TOKEN, base_url=BASE, session=session) as client:
            assert (await client.device_status()).message_queue_count == 0
        assert not session.closed


async def test_owned_session_opens_lazily_and_closes(mock: aioresponses) -> None:
    mock.post(url("device-status"), payload={})
    client = pa.PickyClient(TOKEN, base_url=BASE)
    assert client._session is None
    await client.device_status()
    session = client._session
    assert session is not None
    await client.close()
    assert session.closed
    await client.close()
    with pytest.raises(RuntimeError, match="closed"):
        await client.device_status()


def test_constructing_outside_an_event_loop_opens_nothing() -> None:
    client = pa.PickyClient(TOKEN, base_url=BASE)
    assert client._session is None
    assert repr(client) == f"PickyClient(base_url={BASE!r}, encoding='json')"
