"""Reading a webhook request: its body (form or JSON) as an :class:`InboundMessage`."""

from __future__ import annotations

import codecs
import json
import urllib.parse
from collections.abc import Mapping

from ..core import InboundMessage, WebhookError
from ..wire._inbound import inbound_from_fields

__all__ = ["FORM", "JSON", "parse_webhook"]

FORM = "application/x-www-form-urlencoded"
"""The content type of the document's default ("Standard POST") method."""
JSON = "application/json"
"""The content type of the document's JSON method."""


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
        return inbound_from_fields(_json_fields(body if charset is None else _text(body, charset)))
    return inbound_from_fields(_form_fields(_text(body, charset or "utf-8"), charset or "utf-8"))


def _split_content_type(content_type: str) -> tuple[str, str | None]:
    """The media type, and the codec of its ``charset`` (``None`` when not given)."""
    media_type, *parameters = content_type.split(";")
    charset = None
    for parameter in parameters:
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset" and value.strip().strip('"'):
            charset = _codec(value.strip().strip('"'))
    return media_type.strip().lower(), charset


_NOT_CHARSETS = frozenset(
    {"charmap", "idna", "punycode", "raw-unicode-escape", "undefined", "unicode-escape"}
)
"""Python's text codecs that are no charset: for domain names, Python literals, or none."""


def _codec(charset: str) -> str:
    """The codec of a ``charset`` parameter, refused unless it is a charset for text."""
    try:
        codec = codecs.lookup(charset)
    except (LookupError, ValueError) as exc:  # ValueError: a NUL in the name
        raise WebhookError(f"unknown charset {charset!r}") from exc
    if not codec._is_text_encoding or codec.name in _NOT_CHARSETS:
        raise WebhookError(f"charset {charset!r} is not a text encoding")
    return codec.name


def _text(body: bytes | str, charset: str) -> str:
    try:
        return body if isinstance(body, str) else body.decode(charset)
    except UnicodeError as exc:
        raise WebhookError(f"the body is not valid {charset} text: {exc}") from exc


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


def _form_fields(text: str, charset: str) -> Mapping[str, object]:
    try:
        pairs = urllib.parse.parse_qsl(
            text, keep_blank_values=True, encoding=charset, errors="strict"
        )
    except UnicodeError as exc:
        raise WebhookError(f"the form is not valid {charset} text: {exc}") from exc
    return dict(pairs)
