"""The service's rules: limits, states, validation and the answers, per endpoint.

This module decides what the Simulator answers; ``_server`` only carries it
over HTTP. Payloads are read the lenient way the service reads them (keys with
stray spaces such as ``"priority "``, numbers as strings or ints); answers are
written the way the document shows them (ids and report fields as strings).
"""

from __future__ import annotations

import datetime
import hashlib
import itertools
import re
from collections.abc import Callable, Mapping
from typing import Any

from ..core import Application, DeviceCommand, StatusCode
from ..wire import format_time
from ._conference import Conference
from ._project import ENDPOINTS, SimProject
from ._records import Journal, MessageRecord

__all__ = [
    "ENDPOINTS",
    "STATUS_ENDPOINTS",
    "Answer",
    "Service",
    "phone_text",
    "status_answer",
    "text_of",
]

# Endpoints counted against a project's status limit; the others count against
# its push limit (so a conference request costs the same as a push).
STATUS_ENDPOINTS = frozenset({"device-status", "device-action"})

TOO_MANY_REQUESTS = 429

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

# Not in the document, which says nothing of unknown commands.
INVALID_COMMAND = 400

# Strict on purpose: the service wants digits only with the country code, so
# a client that forgot to normalize ("+55 ...", "0...") is caught here.
_NUMBER = re.compile(r"[1-9][0-9]{4,14}")

_CREDIT = "0.005"

# (HTTP status, JSON answer)
Answer = tuple[int, "dict[str, Any] | list[dict[str, str]]"]


class _Refused(Exception):
    """A request the service answers with an error status."""

    def __init__(self, code: int) -> None:
        self.code = code


def status_answer(code: int, message: str | None = None) -> dict[str, Any]:
    """``{"status": code, "message": ...}`` with the document's text."""
    text = _TEXTS.get(code, "Error") if message is None else message
    return {"status": code, "message": text}


def phone_text(text: str, media: str | None, application: int) -> tuple[str, str | None]:
    """What the phone sends: SMS carries no media, so its URL ends the text."""
    if media and application == Application.SMS:
        return (f"{text} {media}" if text else media), None
    return text, media


def text_of(value: object) -> str:
    """A JSON value read as text: ``None`` is empty, numbers are their digits."""
    return value if isinstance(value, str) else "" if value is None else str(value)


def _int(value: object, default: int) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return default


def _number(value: object) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise _Refused(StatusCode.INVALID_NUMBER)
    text = str(value).strip()
    if not _NUMBER.fullmatch(text):
        raise _Refused(StatusCode.INVALID_NUMBER)
    return text


def _entries(payload: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The body's ``{number, message}`` entries: its ``data`` list or, without
    one, the body itself, as the document's table spells a single message."""
    data = payload.get("data")
    if data in (None, "") and "number" in payload:
        return [payload]
    if not isinstance(data, list) or not data:
        raise _Refused(StatusCode.EMPTY_NUMBER_LIST)
    if not all(isinstance(entry, Mapping) for entry in data):
        raise _Refused(StatusCode.INVALID_NUMBER)
    return data


class Service:
    """The projects and the per-endpoint rules; ids are unique across projects.

    ``epoch`` is the wall-clock time shown for loop time ``start``; answers give
    times as ``epoch + (loop time - start)``, so they move with ``looptime``.
    """

    def __init__(self, journal: Journal, *, epoch: datetime.datetime) -> None:
        self.journal = journal
        self.epoch = epoch
        self.start = 0.0
        self.projects: dict[str, SimProject] = {}
        self._push_ids = itertools.count(1)
        self._msg_ids = itertools.count(1)
        self._call_ids = itertools.count(1)
        self._handlers: dict[str, Callable[[SimProject, Mapping[str, Any], float], Any]] = {
            "push": self._push,
            "conference-request": self._conference_request,
            "conference-report": self._conference_report,
            "device-status": self._device_status,
            "device-action": self._device_action,
        }

    def wall_time(self, now: float) -> str:
        """Loop time ``now`` as the service writes times: ``DD-MM-YYYY hh:mm AM``."""
        return format_time(self.epoch + datetime.timedelta(seconds=now - self.start))

    def new_msg_id(self) -> str:
        """A fresh message id."""
        return str(next(self._msg_ids))

    def project_for(self, payload: Mapping[str, Any]) -> SimProject | None:
        """The project whose token the payload carries, if any."""
        token = payload.get("token")
        return self.projects.get(token if isinstance(token, str) else str(token))

    def answer(
        self, endpoint: str, project: SimProject | None, payload: Mapping[str, Any], now: float
    ) -> Answer:
        """Process one request that reached the service at ``now``."""
        if project is None:
            return 200, status_answer(StatusCode.AUTHENTICATION_FAILED)
        window = project.status_window if endpoint in STATUS_ENDPOINTS else project.push_window
        if not window.try_acquire(now):
            self.journal.stats.over_limit[project.name] += 1
            return TOO_MANY_REQUESTS, status_answer(TOO_MANY_REQUESTS, "Too Many Requests")
        refusal = project.refusal(endpoint)
        if refusal is not None:
            return 200, status_answer(refusal)
        try:
            return 200, self._handlers[endpoint](project, payload, now)
        except _Refused as refused:
            return 200, status_answer(refused.code)

    def _push(self, project: SimProject, payload: Mapping[str, Any], now: float) -> dict[str, Any]:
        entries = _entries(payload)
        numbers = [_number(entry.get("number")) for entry in entries]
        global_text = text_of(payload.get("globalmessage"))
        media = text_of(payload.get("globalmedia")) or None
        application = _int(payload.get("application"), Application.WHATSAPP)
        priority = 1 if _int(payload.get("priority"), 0) == 1 else 0
        texts = [text_of(entry.get("message")) or global_text for entry in entries]
        if not media and not all(texts):
            raise _Refused(StatusCode.EMPTY_MESSAGE)
        push_id = str(next(self._push_ids))
        records = []
        for number, text in zip(numbers, texts, strict=True):
            sent_text, sent_media = phone_text(text, media, application)
            records.append(
                MessageRecord(
                    project.name,
                    push_id,
                    str(next(self._msg_ids)),
                    number,
                    sent_text,
                    sent_media,
                    priority,
                    application,
                    now,
                )
            )
        self.journal.accepted(project.name, records)
        project.phone.queue_messages(records, high=priority == 1)
        data = [{"msg_id": r.msg_id, "number": r.number, "credit": _CREDIT} for r in records]
        return {"status": 100, "push_id": push_id, "message": "Success", "data": data}

    def _conference_request(
        self, project: SimProject, payload: Mapping[str, Any], now: float
    ) -> dict[str, Any]:
        if not project.supports_calls:
            raise _Refused(StatusCode.UNSUPPORTED_ANDROID_VERSION)
        numbers = tuple(_number(entry.get("number")) for entry in _entries(payload))
        if len(numbers) < 2:
            raise _Refused(StatusCode.TOO_FEW_CONTACTS)
        if len(numbers) > 5:
            raise _Refused(StatusCode.TOO_MANY_CONTACTS)
        push_id = str(next(self._push_ids))
        call_ids = tuple(str(next(self._call_ids)) for _ in numbers)
        conference = Conference(
            push_id, call_ids, numbers, project.dial_seconds, project.call_seconds, now
        )
        project.conferences[push_id] = conference
        project.phone.queue_conference(conference, high=_int(payload.get("priority"), 0) == 1)
        return {"status": 100, "push_id": push_id, "message": "Success"}

    def _conference_report(
        self, project: SimProject, payload: Mapping[str, Any], now: float
    ) -> list[dict[str, str]]:
        conference = project.conferences.get(text_of(payload.get("push_id")).strip())
        if conference is None:
            raise _Refused(StatusCode.INVALID_PUSH_ID)
        duration = str(conference.duration(now))
        status = str(int(conference.status))
        time = self.wall_time(conference.changed_at)
        return [
            {
                "project_id": project.project_id,
                "push_id": conference.push_id,
                "call_id": call_id,
                "number": number,
                "duration": duration,
                "status": status,
                "time": time,
            }
            for call_id, number in zip(conference.call_ids, conference.numbers, strict=True)
        ]

    def _device_status(
        self, project: SimProject, payload: Mapping[str, Any], now: float
    ) -> dict[str, str]:
        device = hashlib.blake2b(project.project_id.encode(), digest_size=8).hexdigest()
        return {
            "project_id": project.project_id,
            "device_id": device,
            "phone_name": "Picky Simulator",
            "battery_percentage": "87",
            "charging_state": "Charging",
            "wifi_signal_strength": "80",
            "internet_status": "4G",
            "message_queue_count": str(project.message_queue_count),
            "call_queue_count": str(project.call_queue_count),
            "free_disk_space": "12 GB",
            "cloud_message_status": "Registered",
            "time": self.wall_time(now),
        }

    def _device_action(
        self, project: SimProject, payload: Mapping[str, Any], now: float
    ) -> dict[str, Any]:
        try:
            command = DeviceCommand(text_of(payload.get("command")).strip())
        except ValueError:
            return status_answer(INVALID_COMMAND, "Invalid Command")
        project.phone.command(command)
        return status_answer(StatusCode.SUCCESS)
