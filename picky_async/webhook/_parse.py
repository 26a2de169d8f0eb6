"""Reading a webhook request: its body (form or JSON) as an :class:`InboundMessage`."""

from __future__ import annotations

import codecs
import json
import urllib.parse
from collections.abc import Mapping

from ..core import InboundMessage, WebhookError
from ..wire._inbound import inbound_from_fields

__all__ = ["FORM", "JSON", "parse_webhook", "query_fields"]

FORM = "application/x-www-form-urlencoded"
"""The content type of the document's default ("Standard POST") method."""
JSON = "application/json"
"""The content type of the document's JSON method."""
_UTF8 = "utf-8"


def parse_webhook(
    body: bytes | str | Mapping[str, object],
    content_type: str,
    *,
    query: Mapping[str, str] | str = "",
    message_in_encoded: bool = False,
) -> InboundMessage:
    """Read a webhook request, sent by either of the document's methods.

    The fields come from the ``query`` string (the raw one, or a decoded
    mapping) and the body together; the body wins on a clash. The document's
    default method may put every field in the URL and leave the body empty:
    an empty body needs no ``content_type``. Otherwise ``content_type`` is the
    request's header, and its ``charset`` parameter is honoured. Form values
    (and the query's) are URL-decoded exactly once, so a ``message-in`` that
    arrives percent-encoded in the body reads as the text the sender typed.

    The message is ``message_in_raw`` when the payload has one, else
    ``message-in`` as received (a ``+`` stays a ``+``). Receivers whose
    ``message-in`` arrives URL-encoded even so pass ``message_in_encoded=True``
    to decode it once more (``+`` reads as a space, as URL encoding writes it).

    A form body that starts with ``{`` is read as JSON, since some deployments
    send the JSON method with the form's content type. A ``body`` that is
    already decoded (a mapping) is read as is.

    Raises:
        WebhookError: (a ``ValueError``) saying why the request is unreadable:
            an unsupported content type or charset, bytes that are not text, a
            body that is not a JSON object, values nested too deeply, no
            ``number``, or a documented key with a bad value.
    """
    fields = {**query_fields(query), **_body_fields(body, content_type)}
    return inbound_from_fields(fields, message_in_encoded=message_in_encoded)


def query_fields(query: Mapping[str, str] | str) -> Mapping[str, str]:
    """The query string's variables, URL-decoded once as UTF-8; a mapping is taken as is.

    Raises:
        WebhookError: when the query string is not UTF-8.
    """
    if not isinstance(query, str):
        return query
    try:
        return dict(urllib.parse.parse_qsl(query, keep_blank_values=True, errors="strict"))
    except UnicodeError as exc:
        raise WebhookError(f"the query string is not valid UTF-8: {exc}") from exc


def _body_fields(
    body: bytes | str | Mapping[str, object], content_type: str
) -> Mapping[str, object]:
    if isinstance(body, (bytes, str)) and not body.strip():
        return {}  # every field is in the URL
    media_type, charset = _split_content_type(content_type)
    if media_type not in (FORM, JSON):
        raise WebhookError(f"unsupported content type {content_type!r}: expected {FORM} or {JSON}")
    if isinstance(body, Mapping):
        return body
    if media_type == JSON and charset is None:
        return _json_fields(body)  # json tells UTF-8, -16 and -32 apart itself
    text = _text(body, charset or _UTF8)
    if media_type == JSON or text.lstrip().startswith("{"):
        return _json_fields(text)
    return _form_fields(text, charset or _UTF8)


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
