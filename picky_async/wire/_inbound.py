"""The webhook's spellings: inbound keys and quirks, and the instant reply's keys.

The document's samples send ids as strings or ints, ``project-id`` either way,
``type`` 7 as well as 5 for a location, and one sample has a stray ``"`` before
the ``media-url`` value. Every key the document does not list is a custom
variable of the webhook URL.
"""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Callable, Mapping
from typing import Any

import attrs
from cattrs.errors import ClassValidationError
from cattrs.gen import make_dict_structure_fn, override

from ..core import Application, InboundMessage, MessageType, WebhookError
from ._converter import converter

__all__ = ["INBOUND_KEYS", "MAX_NESTING", "inbound_from_fields", "reply_body"]

_KEYS = {
    "number": "number",
    "message": "message-in",
    "application": "application",
    "type": "type",
    "media_url": "media-url",
    "unique_id": "unique-id",
    "project_id": "project-id",
}
_MESSAGE_RAW = "message_in_raw"
INBOUND_KEYS = frozenset({*_KEYS.values(), _MESSAGE_RAW})
"""The webhook's own keys; any other key is a custom variable.

Beside the document's keys, current payloads carry ``message_in_raw``: the
text as typed, next to a ``message-in`` that is URL-encoded.
"""

MAX_NESTING = 64
"""How deep a value's lists and objects may nest: the webhook's values are flat."""

_Hook = Callable[[Any, Any], Any]
_LOCATION_TOO = 7


def _optional(hook: _Hook) -> _Hook:
    def structure(value: object, type_: Any) -> Any:
        return None if value is None or value == "" else hook(value, type_)

    return structure


def _text(value: object, type_: Any) -> str:
    return "" if value is None else converter.structure(value, str)


def _media_url(value: object, type_: Any) -> str | None:
    if value is None:
        return None
    return converter.structure(value, str).strip().strip('"').strip() or None


_structure_kind: _Hook = converter.get_structure_hook(MessageType | int)


def _message_type(value: object, type_: Any) -> MessageType | int:
    kind = _structure_kind(value, type_)
    return MessageType.LOCATION if kind == _LOCATION_TOO else kind


_HOOKS: dict[str, _Hook] = {
    "message": _text,
    "application": _optional(converter.get_structure_hook(Application | int)),
    "type": _optional(_message_type),
    "media_url": _media_url,
}
_OVERRIDES: dict[str, Any] = {
    attr: override(rename=key, struct_hook=_HOOKS.get(attr)) for attr, key in _KEYS.items()
}
_structure_known = make_dict_structure_fn(
    InboundMessage, converter, extra=override(omit=True), **_OVERRIDES
)


def _variable_text(value: object) -> str:
    if isinstance(value, str):
        return value
    return "" if value is None else json.dumps(value, ensure_ascii=False)


def _structure_inbound(fields: Mapping[str, object], _: Any) -> InboundMessage:
    known = _structure_known(fields, InboundMessage)
    extra = {key: _variable_text(value) for key, value in fields.items() if key not in INBOUND_KEYS}
    return attrs.evolve(known, extra=extra)


def _reason(error: ClassValidationError) -> str:
    with_notes, without_notes = error.group_exceptions()
    reasons = [f"bad {_KEYS.get(note.name, note.name)!r}: {exc}" for exc, note in with_notes]
    return "; ".join(reasons + [str(exc) for exc in without_notes])


def inbound_from_fields(
    fields: Mapping[str, object], *, message_in_encoded: bool = False
) -> InboundMessage:
    """Read the webhook's decoded fields (form or JSON) as an :class:`InboundMessage`.

    The message is ``message_in_raw`` when present, else ``message-in`` as
    is, or URL-decoded once more with ``message_in_encoded``.

    Raises :class:`WebhookError` naming the key at fault, or when a value
    nests deeper than :data:`MAX_NESTING`.
    """
    _check_nesting(fields)
    fields = _with_message(fields, encoded=message_in_encoded)
    number = fields.get("number")
    if number is None or (isinstance(number, str) and not number.strip()):
        raise WebhookError("the body has no 'number'")
    try:
        return converter.structure(fields, InboundMessage)
    except ClassValidationError as exc:
        raise WebhookError(_reason(exc)) from exc


def _with_message(fields: Mapping[str, object], *, encoded: bool) -> Mapping[str, object]:
    """``fields`` with the text as typed under ``message-in``."""
    raw = fields.get(_MESSAGE_RAW)
    if raw is not None:
        return {**fields, _KEYS["message"]: raw}
    message = fields.get(_KEYS["message"])
    if not encoded or not isinstance(message, str):
        return fields
    try:
        text = urllib.parse.unquote_plus(message, errors="strict")
    except UnicodeDecodeError as exc:
        raise WebhookError(f"bad 'message-in': not URL-encoded UTF-8 text: {exc.reason}") from exc
    return {**fields, _KEYS["message"]: text}


def _check_nesting(fields: Mapping[str, object]) -> None:
    """Refuse deep values before recursive code (cattrs, ``json.dumps``) meets them."""
    pending = [(key, value, 1) for key, value in fields.items()]
    while pending:
        key, value, depth = pending.pop()
        if isinstance(value, Mapping):
            value = list(value.values())
        elif not isinstance(value, (list, tuple)):
            continue
        if depth > MAX_NESTING:
            raise WebhookError(f"{key!r} is nested more than {MAX_NESTING} levels deep")
        pending.extend((key, child, depth + 1) for child in value)


def reply_body(
    text: str, *, delay: int, media_url: str | None, application: Application | int
) -> dict[str, Any]:
    """An instant reply as the document spells it; ``media-url`` only when there is one."""
    answer: dict[str, Any] = {"message-out": text, "delay": delay}
    if media_url:
        answer["media-url"] = media_url
    answer["application"] = int(application)
    return answer


converter.register_structure_hook(InboundMessage, _structure_inbound)
