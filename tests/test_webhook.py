"""The aiohttp webhook handler, over a real server on 127.0.0.1."""

from __future__ import annotations

import json
import logging
import pathlib
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from test_webhook_support import Recorder

import picky_async as pa

DATA = pathlib.Path(__file__).parent / "data"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
JSON = {"Content-Type": "application/json"}
SECRET = "s3cr3t-ünïcode"

Callback = Callable[[pa.InboundMessage], Awaitable[pa.InstantReply | None]]
Serve = Callable[..., Awaitable[TestClient[web.Request, web.Application]]]


@pytest.fixture
async def serve() -> AsyncIterator[Serve]:
    clients: list[TestClient[web.Request, web.Application]] = []

    async def start(
        callback: Callback, **options: object
    ) -> TestClient[web.Request, web.Application]:
        app = web.Application()
        app.router.add_post("/hook", pa.webhook_handler(callback, **options))  # type: ignore[arg-type]
        client = TestClient(TestServer(app, host="127.0.0.1"))
        await client.start_server()
        clients.append(client)
        return client

    yield start
    for client in clients:
        await client.close()


async def test_json_method_answers_the_reply(serve: Serve) -> None:
    reply = pa.InstantReply("thanks!", delay=5, media_url="https://cdn.example/a.jpg")
    callback = Recorder(reply)
    client = await serve(callback)
    response = await client.post(
        "/hook", data=(DATA / "webhook_json.json").read_bytes(), headers=JSON
    )
    assert response.status == 200
    assert response.content_type == "application/json"
    assert await response.json() == {
        "message-out": "thanks!",
        "delay": 5,
        "media-url": "https://cdn.example/a.jpg",
        "application": 0,
    }
    [inbound] = callback.received
    assert inbound.number == "963587413"
    assert inbound.unique_id == "5642"


async def test_form_method_with_custom_variables_on_the_url(serve: Serve) -> None:
    callback = Recorder(pa.InstantReply("ok"))
    client = await serve(callback)
    body = (DATA / "webhook_form.txt").read_bytes().strip()
    response = await client.post(
        "/hook", params={"variable1": "picky-newyork"}, data=body, headers=FORM
    )
    assert response.status == 200
    assert (await response.json())["message-out"] == "ok"
    [inbound] = callback.received
    assert inbound.media_url == "https://upload.wikimedia.org/wikipedia/commons/5/57/PT05_ubt.jpeg"
    assert inbound.extra == {"variable1": "picky-newyork", "custom-variable": "test"}


async def test_fields_only_in_the_url_with_an_empty_body(serve: Serve) -> None:
    # The Standard POST method: "data will be posted as raw through URL".
    callback = Recorder(pa.InstantReply("ok"))
    client = await serve(callback, secret=SECRET)
    query = {"secret": SECRET, "number": "963587413", "message-in": "1+1=2 & more", "city": "pune"}
    response = await client.post("/hook", params=query, skip_auto_headers=["Content-Type"])
    assert response.status == 200
    assert (await response.json())["message-out"] == "ok"
    [inbound] = callback.received
    assert (inbound.number, inbound.message) == ("963587413", "1+1=2 & more")
    assert inbound.extra == {"city": "pune"}


async def _deliver(serve: Serve, **request: Any) -> pa.InboundMessage:
    """Post one request to a handler answering no reply; what its callback got."""
    callback = Recorder(None)
    client = await serve(callback)
    response = await client.post("/hook", **request)
    assert response.status == 200
    [inbound] = callback.received
    return inbound


async def test_the_body_wins_over_the_url(serve: Serve) -> None:
    query = {"number": "1111111", "message-in": "from the url", "city": "pune"}
    body = {"number": "2222222", "message-in": "from the body"}
    inbound = await _deliver(serve, params=query, json=body)
    assert (inbound.number, inbound.message, inbound.extra) == (
        "2222222",
        "from the body",
        {"city": "pune"},
    )


@pytest.mark.parametrize(("encoded", "message"), [(False, "a%2Bb+%26+c"), (True, "a+b & c")])
async def test_message_in_encoded_is_an_option(serve: Serve, encoded: bool, message: str) -> None:
    callback = Recorder(None)
    client = await serve(callback, message_in_encoded=encoded)
    body = {"number": "1234567", "message-in": "a%2Bb+%26+c"}
    assert (await client.post("/hook", data=body)).status == 200
    raw = {**body, "message_in_raw": "as typed"}
    assert (await client.post("/hook", data=raw)).status == 200
    assert [inbound.message for inbound in callback.received] == [message, "as typed"]
    assert callback.received[1].extra == {}


async def test_json_sent_as_a_form_is_read_as_json(serve: Serve) -> None:
    body = (DATA / "webhook_json.json").read_bytes()
    inbound = await _deliver(serve, data=body, headers=FORM)
    assert (inbound.number, inbound.unique_id) == ("963587413", "5642")
    assert inbound.extra == {"custom-variable": "test"}


async def test_no_reply_is_an_empty_200(serve: Serve) -> None:
    callback = Recorder(None)
    client = await serve(callback)
    response = await client.post("/hook", data="number=1234567&message-in=hi", headers=FORM)
    assert response.status == 200
    assert await response.read() == b""
    assert [inbound.message for inbound in callback.received] == ["hi"]


@pytest.mark.parametrize(
    ("body", "headers", "reason"),
    [
        (b"[1, 2]", JSON, "expected a JSON object, got list"),
        (b"{oops", JSON, "the body is not valid JSON"),
        (b"[" * 30_000, JSON, "nested too deeply"),
        (b"message-in=hi", FORM, "the body has no 'number'"),
        (b"number=1&type=abc", FORM, "bad 'type'"),
        (b"number=1", {"Content-Type": "text/plain"}, "unsupported content type 'text/plain'"),
    ],
)
async def test_bad_bodies_get_400_with_the_reason(
    serve: Serve, body: bytes, headers: dict[str, str], reason: str
) -> None:
    callback = Recorder(pa.InstantReply("never"))
    client = await serve(callback)
    response = await client.post("/hook", data=body, headers=headers)
    assert response.status == 400
    assert reason in await response.text()
    assert callback.received == []


async def test_body_over_the_limit_gets_413(serve: Serve) -> None:
    callback = Recorder(None)
    client = await serve(callback, max_body=100)
    at_limit = b"number=1234567&message-in=" + b"x" * 74
    assert len(at_limit) == 100
    assert (await client.post("/hook", data=at_limit, headers=FORM)).status == 200
    response = await client.post("/hook", data=at_limit + b"x", headers=FORM)
    assert response.status == 413
    assert len(callback.received) == 1


async def test_streamed_body_over_the_limit_gets_413(serve: Serve) -> None:
    # Chunked: no Content-Length, so the limit is enforced while reading.
    async def chunks() -> AsyncIterator[bytes]:
        yield b"number=1234567&message-in=" + b"x" * 40
        yield b"x" * 40

    callback = Recorder(None)
    client = await serve(callback, max_body=100)
    response = await client.post("/hook", data=chunks(), headers=FORM)
    assert response.status == 413
    assert callback.received == []


@pytest.mark.parametrize(
    "query",
    [{}, {"secret": "wrong"}, {"secret": SECRET[:-1]}, {"secret": SECRET + "x"}, {"key": SECRET}],
)
async def test_wrong_or_missing_secret_gets_403(serve: Serve, query: dict[str, str]) -> None:
    callback = Recorder(pa.InstantReply("never"))
    client = await serve(callback, secret=SECRET)
    response = await client.post("/hook", params=query, data="number=1234567", headers=FORM)
    assert response.status == 403
    assert SECRET not in await response.text()
    assert callback.received == []


async def test_right_secret_passes_and_stays_out_of_extra(serve: Serve) -> None:
    callback = Recorder(None)
    client = await serve(callback, secret=SECRET, secret_param="key")
    # The service may also copy URL variables into the body.
    body = f"number=1234567&key={SECRET}&shop=north"
    response = await client.post(
        "/hook", params={"key": SECRET, "city": "pune"}, data=body, headers=FORM
    )
    assert response.status == 200
    [inbound] = callback.received
    assert inbound.extra == {"city": "pune", "shop": "north"}


async def test_without_a_secret_every_variable_is_extra(serve: Serve) -> None:
    callback = Recorder(None)
    client = await serve(callback)
    response = await client.post(
        "/hook", params={"secret": "anything"}, data="number=1234567", headers=FORM
    )
    assert response.status == 200
    assert callback.received[0].extra == {"secret": "anything"}


async def test_failing_callback_gets_500_and_is_logged_without_the_secret(
    serve: Serve, caplog: pytest.LogCaptureFixture
) -> None:
    async def broken(inbound: pa.InboundMessage) -> pa.InstantReply | None:
        raise RuntimeError("database down")

    client = await serve(broken, secret=SECRET)
    with caplog.at_level(logging.ERROR, logger="picky_async"):
        response = await client.post(
            "/hook",
            params={"secret": SECRET},
            data=json.dumps({"number": "1234567", "unique-id": 77}),
            headers=JSON,
        )
    assert response.status == 500
    assert "database down" not in await response.text()
    [record] = [r for r in caplog.records if r.name.startswith("picky_async")]
    assert "77" in record.getMessage()
    assert record.exc_info is not None
    assert SECRET not in caplog.text


async def test_callback_returning_a_wrong_type_gets_500(serve: Serve) -> None:
    async def confused(inbound: pa.InboundMessage) -> pa.InstantReply | None:
        return "thanks"  # type: ignore[return-value]

    client = await serve(confused)
    response = await client.post("/hook", data="number=1234567", headers=FORM)
    assert response.status == 500


@pytest.mark.parametrize(
    ("options", "reason"),
    [({"secret": ""}, "secret must not be empty"), ({"max_body": 0}, "max_body")],
)
def test_handler_refuses_unsafe_options(options: dict[str, object], reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        pa.webhook_handler(Recorder(), **options)  # type: ignore[arg-type]


@pytest.mark.parametrize("charset", ["punycode", "idna", "undefined", "klingon"])
async def test_a_charset_that_is_not_a_text_codec_gets_400(serve: Serve, charset: str) -> None:
    callback = Recorder(None)
    client = await serve(callback)
    headers = {"Content-Type": f"application/x-www-form-urlencoded; charset={charset}"}
    response = await client.post("/hook", data=b"number=1&message-in=a%FF=", headers=headers)
    assert response.status == 400
    assert "charset" in await response.text()
    assert callback.received == []


@pytest.mark.parametrize("depth", [100, 990, 1_000])
async def test_deep_json_gets_400(serve: Serve, depth: int) -> None:
    callback = Recorder(None)
    client = await serve(callback)
    body = '{"number": "1234567", "custom": ' + "[" * depth + "]" * depth + "}"
    response = await client.post("/hook", data=body, headers=JSON)
    assert response.status == 400
    assert "nested" in await response.text()
    assert callback.received == []


async def test_methods_other_than_post_get_405_when_routed_to_the_handler() -> None:
    callback = Recorder(pa.InstantReply("never"))
    app = web.Application()
    app.router.add_route("*", "/hook", pa.webhook_handler(callback))
    async with TestClient(TestServer(app, host="127.0.0.1")) as client:
        response = await client.get("/hook", params={"number": "1234567"})
        assert response.status == 405
        assert response.headers["Allow"] == "POST"
    assert callback.received == []
