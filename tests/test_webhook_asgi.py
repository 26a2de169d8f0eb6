"""The ASGI webhook application, called with scope, receive and send directly."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import attrs
import pytest
from test_webhook_support import Recorder

import picky_async as pa
from picky_async.asgi import webhook_app

FORM = b"application/x-www-form-urlencoded"
SECRET = "s3cr3t"


@attrs.define
class Exchange:
    """One request through the application: what it read and what it sent."""

    messages: list[dict[str, Any]]
    read: int = 0
    sent: list[dict[str, Any]] = attrs.Factory(list)

    async def receive(self) -> dict[str, Any]:
        self.read += 1
        return self.messages[self.read - 1]

    async def send(self, message: Any) -> None:
        self.sent.append(dict(message))

    @property
    def status(self) -> int:
        return int(self.sent[0]["status"])

    @property
    def headers(self) -> dict[bytes, bytes]:
        return dict(self.sent[0]["headers"])

    @property
    def body(self) -> bytes:
        return b"".join(message.get("body", b"") for message in self.sent[1:])


def _http(
    *chunks: bytes,
    method: str = "POST",
    query: bytes = b"",
    headers: Sequence[tuple[bytes, bytes]] = ((b"content-type", FORM),),
) -> tuple[dict[str, Any], Exchange]:
    """An HTTP scope and its exchange; the body arrives in ``chunks`` (none: an empty one)."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "path": "/",
        "raw_path": b"/",
        "query_string": query,
        "headers": list(headers),
    }
    parts = chunks or (b"",)
    messages = [
        {"type": "http.request", "body": part, "more_body": i < len(parts) - 1}
        for i, part in enumerate(parts)
    ]
    return scope, Exchange(messages)


async def _call(app: webhook_app, *chunks: bytes, **request: Any) -> Exchange:
    scope, exchange = _http(*chunks, **request)
    await app(scope, exchange.receive, exchange.send)
    return exchange


async def test_json_body_gets_the_reply_as_json() -> None:
    callback = Recorder(pa.InstantReply("thanks!", delay=5))
    body = json.dumps({"number": "963587413", "message-in": "hi", "unique-id": 5642}).encode()
    exchange = await _call(
        webhook_app(callback), body, headers=[(b"Content-Type", b"application/json")]
    )
    assert exchange.status == 200
    assert exchange.headers[b"content-type"] == b"application/json; charset=utf-8"
    assert exchange.headers[b"content-length"] == str(len(exchange.body)).encode()
    assert json.loads(exchange.body) == {"message-out": "thanks!", "delay": 5, "application": 0}
    [inbound] = callback.received
    assert (inbound.number, inbound.message, inbound.unique_id) == ("963587413", "hi", "5642")


async def test_form_body_and_query_variables_merge_the_body_winning() -> None:
    callback = Recorder(None)
    exchange = await _call(
        webhook_app(callback),
        b"number=2222222&message-in=caf%C3%A9",
        query=b"number=1111111&city=pune",
    )
    assert (exchange.status, exchange.body) == (200, b"")
    [inbound] = callback.received
    assert (inbound.number, inbound.message, inbound.extra) == ("2222222", "café", {"city": "pune"})


async def test_every_field_in_the_url_with_no_body_and_no_content_type() -> None:
    callback = Recorder(pa.InstantReply("ok"))
    query = f"secret={SECRET}&number=963587413&message-in=1%2B1%3D2&shop=north".encode()
    exchange = await _call(webhook_app(callback, secret=SECRET), query=query, headers=[])
    assert exchange.status == 200
    [inbound] = callback.received
    assert (inbound.message, inbound.extra) == ("1+1=2", {"shop": "north"})


async def test_a_body_in_chunks_is_read_whole() -> None:
    callback = Recorder(None)
    exchange = await _call(webhook_app(callback), b"number=12", b"34567&message-", b"in=hi")
    assert exchange.status == 200
    assert [(m.number, m.message) for m in callback.received] == [("1234567", "hi")]


async def test_raw_utf8_in_the_query_string_is_read_and_bad_bytes_get_400() -> None:
    callback = Recorder(None)
    app = webhook_app(callback)
    raw = "number=1234567&city=Pune café".encode()
    assert (await _call(app, query=raw, headers=[])).status == 200
    assert callback.received[0].extra == {"city": "Pune café"}
    bad = await _call(app, query=b"number=1234567&city=\xff", headers=[])
    assert bad.status == 400
    assert b"not valid UTF-8" in bad.body


@pytest.mark.parametrize(
    ("body", "content_type", "reason"),
    [
        (b"[1, 2]", b"application/json", b"expected a JSON object"),
        (b"message-in=hi", FORM, b"no 'number'"),
        (b"number=1", b"text/plain", b"unsupported content type"),
    ],
)
async def test_bad_bodies_get_400_with_the_reason(
    body: bytes, content_type: bytes, reason: bytes
) -> None:
    callback = Recorder(pa.InstantReply("never"))
    exchange = await _call(webhook_app(callback), body, headers=[(b"content-type", content_type)])
    assert exchange.status == 400
    assert exchange.headers[b"content-type"] == b"text/plain; charset=utf-8"
    assert reason in exchange.body
    assert callback.received == []


@pytest.mark.parametrize("query", [b"", b"secret=wrong", b"secret=s3cr3", b"key=s3cr3t"])
async def test_wrong_or_missing_secret_gets_403_before_the_body_is_read(query: bytes) -> None:
    callback = Recorder(pa.InstantReply("never"))
    exchange = await _call(webhook_app(callback, secret=SECRET), b"number=1234567", query=query)
    assert exchange.status == 403
    assert SECRET.encode() not in exchange.body
    assert (exchange.read, callback.received) == (0, [])


async def test_the_right_secret_passes_and_stays_out_of_extra() -> None:
    callback = Recorder(None)
    app = webhook_app(callback, secret=SECRET, secret_param="key")
    exchange = await _call(app, b"number=1234567", query=f"key={SECRET}&city=pune".encode())
    assert exchange.status == 200
    assert callback.received[0].extra == {"city": "pune"}


@pytest.mark.parametrize("method", ["GET", "PUT", "HEAD"])
async def test_methods_other_than_post_get_405(method: str) -> None:
    callback = Recorder(pa.InstantReply("never"))
    exchange = await _call(webhook_app(callback), query=b"number=1234567", method=method)
    assert exchange.status == 405
    assert exchange.headers[b"allow"] == b"POST"
    assert callback.received == []


async def test_a_declared_length_over_the_limit_gets_413_unread() -> None:
    callback = Recorder(None)
    headers = [(b"content-type", FORM), (b"content-length", b"101")]
    exchange = await _call(webhook_app(callback, max_body=100), b"x" * 101, headers=headers)
    assert exchange.status == 413
    assert (exchange.read, callback.received) == (0, [])


async def test_a_streamed_body_over_the_limit_gets_413_and_is_read_no_further() -> None:
    callback = Recorder(None)
    app = webhook_app(callback, max_body=100)
    at_limit = b"number=1234567&message-in=" + b"x" * 74
    assert (await _call(app, at_limit[:50], at_limit[50:])).status == 200
    over = await _call(app, at_limit[:60], b"x" * 60, b"never read", b"nor this")
    assert over.status == 413
    assert over.read == 2
    assert len(callback.received) == 1


async def test_a_client_gone_mid_body_gets_no_answer_and_no_callback() -> None:
    callback = Recorder(pa.InstantReply("never"))
    scope, exchange = _http()
    exchange.messages = [
        {"type": "http.request", "body": b"number=1234567", "more_body": True},
        {"type": "http.disconnect"},
    ]
    await webhook_app(callback)(scope, exchange.receive, exchange.send)
    assert (exchange.sent, callback.received) == ([], [])


async def test_a_failing_callback_gets_500() -> None:
    async def broken(inbound: pa.InboundMessage) -> pa.InstantReply | None:
        raise RuntimeError("database down")

    exchange = await _call(webhook_app(broken), b"number=1234567")
    assert exchange.status == 500
    assert b"database down" not in exchange.body


async def test_lifespan_startup_and_shutdown_are_acknowledged() -> None:
    exchange = Exchange([{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}])
    await webhook_app(Recorder())({"type": "lifespan"}, exchange.receive, exchange.send)
    assert exchange.sent == [
        {"type": "lifespan.startup.complete"},
        {"type": "lifespan.shutdown.complete"},
    ]


async def test_a_websocket_is_refused() -> None:
    exchange = Exchange([{"type": "websocket.connect"}])
    await webhook_app(Recorder())({"type": "websocket"}, exchange.receive, exchange.send)
    assert exchange.sent == [{"type": "websocket.close", "code": 1008}]


async def test_an_unknown_scope_type_raises() -> None:
    exchange = Exchange([])
    with pytest.raises(ValueError, match="'carrier-pigeon'"):
        await webhook_app(Recorder())({"type": "carrier-pigeon"}, exchange.receive, exchange.send)
    assert exchange.sent == []


@pytest.mark.parametrize(
    ("options", "reason"),
    [({"secret": ""}, "secret must not be empty"), ({"max_body": 0}, "max_body")],
)
def test_unsafe_options_are_refused(options: dict[str, Any], reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        webhook_app(Recorder(), **options)


def test_importable_from_the_top() -> None:
    assert pa.webhook_app is webhook_app
