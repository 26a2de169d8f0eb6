"""Request bodies and the status envelope every answer may carry.

The service takes a JSON body, or the same JSON in the form field ``data=``
for clients that cannot post JSON. Answers carry ``{"status": N, "message": ...}``
where any N but 100 is an error.
"""

from __future__ import annotations

import json
import typing
import urllib.parse
from collections.abc import Mapping
from typing import Any, Literal, TypeVar

import cattrs

from ..core import StatusCode, error_for_status
from ._converter import converter

__all__ = [
    "Encoding",
    "MalformedPayload",
    "check_status",
    "decode_body",
    "encode_body",
    "encode_json",
    "encode_text",
    "stringify",
    "structure_answer",
    "structure_request",
]

Encoding = Literal["json", "form"]

_T = TypeVar("_T")

_FORM = "application/x-www-form-urlencoded"

# Compact, and UTF-8 rather than \u escapes; built once since every request uses it.
_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)


class MalformedPayload(ValueError):
    """A body or answer that does not have the shape the document gives it."""


def encode_body(payload: Mapping[str, Any], encoding: Encoding) -> tuple[bytes, str]:
    """Return the bytes to post and their content type: JSON, or JSON in ``data=``."""
    return encode_text(_ENCODER.encode(payload), encoding)


def encode_json(payload: Mapping[str, Any]) -> str:
    """The JSON text of a body: compact, UTF-8 rather than ``\\u`` escapes."""
    return _ENCODER.encode(payload)


def encode_text(text: str, encoding: Encoding) -> tuple[bytes, str]:
    """:func:`encode_body` of a body already written as JSON text."""
    if encoding == "form":
        return urllib.parse.urlencode({"data": text}).encode(), _FORM
    return text.encode(), "application/json"


def decode_body(body: bytes, content_type: str) -> dict[str, Any]:
    """Read a request body the way the service does: JSON, or JSON in form field ``data``.

    A body that is a JSON object is read as one whatever its content type says:
    clients that set none send JSON as ``application/octet-stream``,
    ``text/plain`` or, from curl, as a form.

    Raises:
        MalformedPayload: when the body is neither, or is not a JSON object.
    """
    text = body.decode("utf-8", errors="replace")
    is_form = content_type.split(";")[0].strip().lower() == _FORM
    if is_form and not text.lstrip().startswith("{"):
        fields = urllib.parse.parse_qs(text)
        if "data" not in fields:
            raise MalformedPayload("form body has no data= field")
        text = fields["data"][0]
    try:
        payload = json.loads(text)
    except ValueError:
        raise MalformedPayload("body is not JSON") from None
    if not isinstance(payload, dict):
        raise MalformedPayload(f"expected a JSON object, got {type(payload).__name__}")
    return payload


def check_status(answer: object) -> None:
    """Raise the error an answer's status stands for; answers without one pass.

    Raises:
        PickyError: the subclass for the status code, with ``raw`` = the answer.
        MalformedPayload: when the status is not a number.
    """
    if not isinstance(answer, Mapping) or "status" not in answer:
        return
    try:
        code = converter.structure(answer["status"], int)
    except ValueError:
        raise MalformedPayload(f"status is not a number: {answer['status']!r}") from None
    if code != StatusCode.SUCCESS:
        message = answer.get("message")
        error = error_for_status(code, "" if message is None else str(message), dict(answer))
        raise error


def structure_request(payload: object, cls: type[_T]) -> _T:
    """Read a decoded request body as ``cls`` (such as ``PushRequest``).

    Every spelling the document uses is accepted: numbers as strings or ints,
    ``""`` for unknown values, and ``"priority "`` with its trailing space
    (keys are stripped before matching).

    Raises:
        MalformedPayload: naming every field that did not fit.
    """
    try:
        return converter.structure(_strip_keys(payload), cls)
    except cattrs.BaseValidationError as exc:
        reasons = "; ".join(cattrs.transform_error(exc))
        raise MalformedPayload(f"unexpected {_name(cls)}: {reasons}") from None


def structure_answer(answer: object, cls: type[_T]) -> _T:
    """Read a decoded answer as ``cls`` (such as ``PushResult`` or ``list[ConferenceCall]``).

    Raises:
        PickyError: the subclass for a status other than 100.
        MalformedPayload: when the answer does not look like the document's.
    """
    check_status(answer)
    return structure_request(answer, cls)


def stringify(row: Mapping[str, object]) -> dict[str, str]:
    """Write every value as a string and unknown ones as ``""``, as the samples do."""
    return {key: "" if value is None else str(value) for key, value in row.items()}


def _strip_keys(payload: object) -> object:
    """Strip the keys of an object, or of each object in a list (a report's rows).

    Only one level deep, without recursion: no documented body nests further,
    and a deeply nested one must not exhaust the stack.
    """
    if isinstance(payload, list):
        return [_stripped(row, "a row as a JSON object") for row in payload]
    return _stripped(payload, "a JSON object or list")


def _stripped(payload: object, expected: str) -> dict[str, object]:
    if isinstance(payload, Mapping):
        return {str(key).strip(): value for key, value in payload.items()}
    raise MalformedPayload(f"expected {expected}, got {type(payload).__name__}")


def _name(cls: object) -> str:
    # list[ConferenceCall] is named "list"; its str() says what it holds.
    return str(cls) if typing.get_origin(cls) else getattr(cls, "__name__", str(cls))
