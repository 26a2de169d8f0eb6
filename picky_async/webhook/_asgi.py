"""The ASGI adapter: a plain ASGI 3 application around :class:`WebhookReceiver`.

No framework is imported: FastAPI and Starlette mount the application, and any
ASGI server (uvicorn, hypercorn, granian) runs it alone.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from typing import Any

from ._receiver import WebhookAnswer, WebhookReceiver

__all__ = ["webhook_app"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

_PRINTABLE_ASCII = bytes(range(0x21, 0x7F)).decode()


class _Disconnected(Exception):
    """The client went away before its body was read: nobody is left to answer."""


class webhook_app(WebhookReceiver):  # used like a function, as contextlib.closing
    """An ASGI application that passes each inbound message to ``callback``.

    ``webhook_app(callback, *, secret=None, secret_param="secret",
    max_body=65536, message_in_encoded=False, opt_outs=None,
    confirm_stop=None, confirm_start=None)`` takes the options of
    :func:`~picky_async.webhook_handler` and answers as it does, from the
    same core, opt-out keywords included: the callback's :class:`InstantReply`
    as JSON or an empty 200,
    405 for a method other than POST, 400 for an unreadable body, 413 as soon
    as the body passes ``max_body`` bytes (the rest is never read), 403 for a
    wrong ``secret`` (compared in constant time), 500 when the callback
    raises. Mount it, for example ``app.mount("/picky", webhook_app(on_message))``
    in FastAPI or Starlette, and the webhook URL is ``https://host/picky``.
    Lifespan messages are acknowledged; websocket connections are closed.
    The secret travels in the URL: keep the query string out of access logs
    (uvicorn: ``--no-access-log``).

    Raises ``ValueError`` for an empty secret, a ``max_body`` below 1 or a
    confirmation without ``opt_outs``, and ``EmptyMessage`` for a blank one; the
    application raises ``ValueError`` for a scope type other than HTTP,
    lifespan and websocket, as the ASGI specification asks.
    """

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            await _answer(self, scope, receive, send)
        elif scope["type"] == "lifespan":
            await _lifespan(receive, send)
        elif scope["type"] == "websocket":
            await receive()  # websocket.connect; closing before accepting refuses it
            await send({"type": "websocket.close", "code": 1008})
        else:
            raise ValueError(f"the webhook serves HTTP, not {scope['type']!r} connections")


async def _answer(receiver: WebhookReceiver, scope: Scope, receive: Receive, send: Send) -> None:
    headers = {name.lower(): value.decode("latin-1") for name, value in scope["headers"]}
    try:
        answer = await receiver.answer(
            _body(receive),
            content_type=headers.get(b"content-type", ""),
            query=_query(scope.get("query_string", b"")),
            content_length=_content_length(headers.get(b"content-length")),
            method=scope["method"],
        )
    except _Disconnected:
        return
    await _respond(send, answer)


async def _body(receive: Receive) -> AsyncIterator[bytes]:
    """The request body's chunks, as the server receives them."""
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise _Disconnected
        yield message.get("body", b"")
        if not message.get("more_body", False):
            return


def _query(raw: bytes) -> str:
    """The raw query string, with any raw non-ASCII byte escaped for the core to decode.

    Clients escape such bytes themselves; one that does not still gets them
    read as UTF-8, or a 400 when they are not.
    """
    return urllib.parse.quote_from_bytes(raw, safe=_PRINTABLE_ASCII)


def _content_length(value: str | None) -> int | None:
    try:
        return None if value is None else int(value)
    except ValueError:
        return None  # the server refuses a bad one; the body's own length still counts


async def _respond(send: Send, answer: WebhookAnswer) -> None:
    body = answer.text.encode()
    headers = [
        (b"content-type", f"{answer.content_type}; charset=utf-8".encode()),
        (b"content-length", str(len(body)).encode()),
        *((name.lower().encode(), value.encode()) for name, value in answer.headers),
    ]
    await send({"type": "http.response.start", "status": answer.status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _lifespan(receive: Receive, send: Send) -> None:
    """Acknowledge startup and shutdown: the webhook has nothing to open or close."""
    while True:
        message = await receive()
        await send({"type": f"{message['type']}.complete"})
        if message["type"] == "lifespan.shutdown":
            return
