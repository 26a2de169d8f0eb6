"""The service's answers as JSON text, the push answer written row by row.

A push answers a row per message; building a dict per row for the encoder
cost more than the rest of the push, so its rows are written straight to
text. Nothing in it needs escaping: ids are digits, and numbers passed the
service's digit check. The text is what ``json.dumps`` writes for the same
answer.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any, NamedTuple

from ..core import StatusCode

__all__ = ["Answer", "json_answer", "push_answer", "status_answer"]

# The document's texts for each status.
_TEXTS: dict[int, str] = {
    StatusCode.SUCCESS: "Success",
    StatusCode.AUTHENTICATION_FAILED: "Authentication Failed",
    StatusCode.EMPTY_NUMBER_LIST: "Empty Number List",
    StatusCode.INSUFFICIENT_BALANCE: "Insufficient Balance",
    StatusCode.DEVICE_UNREACHABLE: "Unable to Communicate with the Device !",
    StatusCode.PLAN_NOT_ACTIVE: "API Is Not Active For This Plan",
    StatusCode.INVALID_NUMBER: "Invalid Mobile Number",
    StatusCode.EMPTY_MESSAGE: "Message cannot be empty",
    StatusCode.PROJECT_INACTIVE: "Project is not Active",
    StatusCode.INVALID_USER: "Invalid User",
    StatusCode.CALL_NOT_CONNECTED: "Call not connected ! Not able to Communicate with Phone !",
    StatusCode.UNSUPPORTED_ANDROID_VERSION: "This Feature Is Not Available In This Android Version",
    StatusCode.INVALID_PUSH_ID: "Invalid PushId",
    StatusCode.DEVICE_NOT_FOUND: "Device Details Not Found",
    StatusCode.TOO_FEW_CONTACTS: "Minimum 2 Contacts Should be Entered",
    StatusCode.TOO_MANY_CONTACTS: "Maximum 5 Contacts Allowed",
}


class Answer(NamedTuple):
    """What the service answers: the HTTP status, the JSON ``status`` and the body.

    ``status`` is the body's ``status``, or SUCCESS for answers that carry
    none (device-status, conference-report).
    """

    http_status: int
    status: int
    text: str


def status_answer(code: int, message: str | None = None) -> dict[str, Any]:
    """``{"status": code, "message": ...}`` with the document's text."""
    text = _TEXTS.get(code, "Error") if message is None else message
    return {"status": code, "message": text}


def json_answer(http_status: int, body: dict[str, Any] | list[dict[str, str]]) -> Answer:
    """``body`` encoded, with its ``status`` read back for the records."""
    status = int(StatusCode.SUCCESS)
    if isinstance(body, dict) and "status" in body:
        status = int(body["status"])
    return Answer(http_status, status, json.dumps(body))


def push_answer(push_id: str, msg_ids: Iterable[str], numbers: Iterable[str]) -> Answer:
    """A push's success: its id, and a row per message with its id and credit."""
    rows = ", ".join(
        [
            f'{{"msg_id": "{msg_id}", "number": "{number}", "credit": "0.005"}}'
            for msg_id, number in zip(msg_ids, numbers, strict=True)
        ]
    )
    success = int(StatusCode.SUCCESS)
    text = (
        f'{{"status": {success}, "push_id": "{push_id}", "message": "Success", "data": [{rows}]}}'
    )
    return Answer(200, success, text)
