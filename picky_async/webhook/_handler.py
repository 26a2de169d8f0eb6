"""Receiving the webhook: read its body (form or JSON), answer with an instant reply."""

from __future__ import annotations

import hmac
import json
import logging
import urllib.parse
from collections.abc import Awaitable, Callable, Mapping

import attrs
from aiohttp import hdrs, web

from ..core import InboundMessage, WebhookError
from ..wire._inbound import inbound_from_fields
from ._reply import InstantReply

__all__ = ["FORM", "JSON", "parse_webhook", "webhook_handler"]

FORM = "application/x-www-form-urlencoded"
"""The content type of the document's default ("Standard POST") method."""
JSON = "application/json"
"""The content type of the document's JSON method."""

_log = logging.getLogger(__name__)

WebhookCallback = Callable[[InboundMessage], Awaitable[InstantReply | None]]
WebhookHandler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def parse_webhook(body: bytes | str | Mapping[str, object], content_type: str) -> InboundMessage:
    """Read a webhook body, sent by either of the document's methods.

    ``content_type`` is the request's header (a ``charset`` parameter is
    honoured for forms). Form values are URL-decoded exactly once, so a
    ``message-in`` that arrives percent-encoded reads as the text the sender
    typed. A ``body`` that is already decoded (a mapping) is read as is.

    Raises :class:`WebhookError` (a ``ValueError``) saying why the body is
    unreadable: an unsupported content type, bytes that are not text, a body
    that is not a JSON object, no ``number``, or a documented key with a bad value.
    """
    media_type, charset = _split_content_type(content_type)
    if media_type not in (FORM, JSON):
        raise WebhookError(f"unsupported content type {content_type!r}: expected {FORM} or {JSON}")
    if isinstance(body, Mapping):
        return inbound_from_fields(body)
    if media_type == JSON:
        return inbound_from_fields(_json_fields(body))
    return inbound_from_fields(_form_fields(body, charset))


def _split_content_type(content_type: str) -> tuple[str, str]:
    media_type, *parameters = content_type.split(";")
    charset = "utf-8"
    for parameter in parameters:
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset":
            charset = value.strip().strip('"') or charset
    return media_type.strip().lower(), charset


def _json_fields(body: bytes | str) -> Mapping[str, object]:
    try:
        fields = json.loads(body)
    except ValueError as exc:  # also UnicodeDecodeError
        raise WebhookError(f"the body is not valid JSON: {exc}") from exc
    except RecursionError as exc:
        raise WebhookError("the body's JSON is nested too deeply") from exc
    if not isinstance(fields, dict):
        raise WebhookError(f"expected a JSON object, got {type(fields).__name__}")
    return fields


def _form_fields(body: bytes | str, charset: str) -> Mapping[str, object]:
    try:
        text = body if isinstance(body, str) else body.decode(charset)
        pairs = urllib.parse.parse_qsl(
            text, keep_blank_values=True, encoding=charset, errors="strict"
        )
    except LookupError as exc:
        raise WebhookError(f"unknown charset {charset!r}") from exc
    except UnicodeDecodeError as exc:
        raise WebhookError(f"the form is not valid {charset} text: {exc.reason}") from exc
    return dict(pairs)


def webhook_handler(
    callback: WebhookCallback,
    *,
    secret: str | None = None,
    secret_param: str = "secret",
    max_body: int = 64 * 1024,
) -> WebhookHandler:
    """An aiohttp handler that passes each inbound message to ``callback``.

    The handler answers with the :class:`InstantReply` the callback returns (as
    JSON), or an empty 200 when it returns ``None``. An unreadable body gets 400
    with the reason as text, a body over ``max_body`` bytes 413. With a
    ``secret``, configure the webhook URL as ``.../hook?secret=...``: requests
    whose ``secret_param`` differs (compared in constant time) get 403, and the
    secret is kept out of :attr:`InboundMessage.extra`. Other query parameters
    (the document's custom variables) join ``extra``. When the callback raises,
    the error is logged and the service gets 500, so a failure never passes
    for "no reply". aiohttp's default access log writes the request line, so
    leave ``%r`` out of ``access_log_format`` to keep the secret out of logs.

    Raises ``ValueError`` for an empty secret or a ``max_body`` below 1.
    """
    if secret is not None and not secret:
        raise ValueError("secret must not be empty: anybody could send it")
    if max_body < 1:
        raise ValueError(f"max_body must be at least 1 byte, got {max_body}")
    expected = None if secret is None else secret.encode()

    async def handle(request: web.Request) -> web.StreamResponse:
        if expected is not None and not _secret_matches(request.query.get(secret_param), expected):
            _log.warning("webhook refused: wrong or missing %r query parameter", secret_param)
            return web.Response(status=403, text="wrong or missing secret")
        body = await _read_at_most(request, max_body)
        if body is None:
            return web.Response(status=413, text=f"the body is over {max_body} bytes")
        try:
            inbound = parse_webhook(body, request.headers.get(hdrs.CONTENT_TYPE, ""))
        except WebhookError as exc:
            _log.warning("webhook refused: %s", exc)
            return web.Response(status=400, text=str(exc))
        variables = {**request.query, **inbound.extra}
        if expected is not None:
            variables.pop(secret_param, None)
        inbound = attrs.evolve(inbound, extra=variables)
        try:
            reply = await callback(inbound)
            answer = None if reply is None else reply.to_json()
        except Exception:
            _log.exception("webhook callback failed on inbound message %s", inbound.unique_id)
            return web.Response(status=500, text="the webhook callback failed")
        if answer is None:
            return web.Response()
        return web.Response(text=answer, content_type=JSON)

    return handle


def _secret_matches(given: str | None, expected: bytes) -> bool:
    return given is not None and hmac.compare_digest(given.encode(), expected)


async def _read_at_most(request: web.Request, limit: int) -> bytes | None:
    """The body, or ``None`` as soon as it proves longer than ``limit`` bytes."""
    if request.content_length is not None and request.content_length > limit:
        return None
    body = bytearray()
    while chunk := await request.content.readany():
        body += chunk
        if len(body) > limit:
            return None
    return bytes(body)
