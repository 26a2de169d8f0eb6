"""The push endpoint: WhatsApp and SMS messages, and its answer.

We send ``globalmessage``/``globalmedia``/``data: [{number, message}]``; we read
every spelling the samples use (``"priority "``, numbers as strings) and the
optional per-recipient ``data`` list of the answer.

A push answer is read once per push, with one row per message, so it has a
fast path: the usual spelling (strings and an int status) is read directly,
and anything else goes through cattrs, which gives the same result or the
detailed error.
"""

from __future__ import annotations

import decimal
from typing import Any, ClassVar

import attrs
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override

from .._enums import Application, Priority
from .._models import PushResult, Recipient
from ._converter import converter

__all__ = ["PushItem", "PushRequest"]


@attrs.frozen
class PushItem:
    """One entry of a push's ``data`` list; ``message`` is empty for bulk pushes."""

    number: str
    message: str = ""


@attrs.frozen
class PushRequest:
    """The body of ``POST /push``; the token is kept out of its repr."""

    path: ClassVar[str] = "push"

    token: str = attrs.field(repr=False)
    application: Application | int = Application.WHATSAPP
    priority: Priority | int = Priority.LOW
    global_message: str = ""
    global_media: str | None = None
    data: tuple[PushItem, ...] = ()


def _structure_recipients(value: object, _: Any) -> tuple[Recipient, ...]:
    if value is None or value == "":
        return ()
    return converter.structure(value, tuple[Recipient, ...])


converter.register_structure_hook(
    PushRequest,
    make_dict_structure_fn(
        PushRequest,
        converter,
        global_message=override(rename="globalmessage"),
        global_media=override(rename="globalmedia"),
    ),
)


def _write_push_request(request: PushRequest) -> dict[str, Any]:
    # Written out rather than generated: it runs once per push with one row per message.
    body: dict[str, Any] = {
        "token": request.token,
        "application": int(request.application),
        "priority": int(request.priority),
        "globalmessage": request.global_message,
        "data": [{"number": item.number, "message": item.message} for item in request.data],
    }
    if request.global_media is not None:
        body["globalmedia"] = request.global_media
    return body


converter.register_unstructure_hook(PushRequest, _write_push_request)
converter.register_unstructure_hook(
    Recipient,
    make_dict_unstructure_fn(
        Recipient, converter, credit=override(unstruct_hook=str, omit_if_default=True)
    ),
)
_structure_push_result = make_dict_structure_fn(
    PushResult,
    converter,
    recipients=override(rename="data", struct_hook=_structure_recipients),
)


class _Unusual(Exception):
    """The answer is not in the usual spelling: let cattrs read it."""


def _text(value: object) -> str:
    if type(value) is not str:
        raise _Unusual
    return value


def _credit(value: object) -> decimal.Decimal | None:
    if value is None or value == "":
        return None
    return decimal.Decimal(_text(value))


def _read_push_result(payload: Any, _: Any = None) -> PushResult:
    """The answer as :class:`PushResult`, directly when spelled the usual way."""
    try:
        status = payload.get("status", 100)
        rows = payload.get("data")
        if type(status) is not int or not (rows is None or rows == "" or type(rows) is list):
            raise _Unusual
        recipients = tuple(
            Recipient(_text(row["msg_id"]), _text(row["number"]), _credit(row.get("credit")))
            for row in rows or ()
        )
        return PushResult(
            _text(payload["push_id"]), status, _text(payload.get("message", "Success")), recipients
        )
    except (_Unusual, LookupError, AttributeError, TypeError, decimal.InvalidOperation):
        return _structure_push_result(payload, PushResult)


converter.register_structure_hook(PushResult, _read_push_result)
converter.register_unstructure_hook(
    PushResult,
    make_dict_unstructure_fn(
        PushResult, converter, recipients=override(rename="data", omit_if_default=True)
    ),
)
