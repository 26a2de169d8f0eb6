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
from collections.abc import Callable, Mapping
from itertools import repeat
from typing import Any

from ..core import Application, DeviceCommand, StatusCode
from ..wire import format_time
from ._answers import Answer, json_answer, push_answer, status_answer
from ._conference import Conference
from ._project import ENDPOINTS, SimProject
from ._reading import (
    Refused,
    call_number_of,
    entries_of,
    int_of,
    numbers_of,
    phone_text,
    text_of,
    texts_of,
)
from ._records import Journal, MessageRecord

__all__ = ["ENDPOINTS", "STATUS_ENDPOINTS", "Service"]

# Endpoints counted against a project's status limit; the others count against
# its push limit (so a conference request costs the same as a push).
STATUS_ENDPOINTS = frozenset({"device-status", "device-action"})

TOO_MANY_REQUESTS = 429

# Not in the document, which says nothing of unknown commands.
INVALID_COMMAND = 400

# Answer bodies, before encoding.
Body = dict[str, Any] | list[dict[str, str]]


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
        self._last_msg_id = 0
        self._call_ids = itertools.count(1)
        self._handlers: dict[str, Callable[[SimProject, Mapping[str, Any], float], Body]] = {
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
        return self._new_msg_ids(1)[0]

    def _new_msg_ids(self, count: int) -> list[str]:
        first = self._last_msg_id + 1
        self._last_msg_id += count
        return list(map(str, range(first, first + count)))

    def project_for(self, payload: Mapping[str, Any]) -> SimProject | None:
        """The project whose token the payload carries, if any."""
        token = payload.get("token")
        return self.projects.get(token if isinstance(token, str) else str(token))

    def answer(
        self, endpoint: str, project: SimProject | None, payload: Mapping[str, Any], now: float
    ) -> Answer:
        """Process one request that reached the service at ``now``."""
        if project is None:
            return json_answer(200, status_answer(StatusCode.AUTHENTICATION_FAILED))
        window = project.status_window if endpoint in STATUS_ENDPOINTS else project.push_window
        if not window.try_acquire(now):
            self.journal.stats.over_limit[project.name] += 1
            refused = status_answer(TOO_MANY_REQUESTS, "Too Many Requests")
            return json_answer(TOO_MANY_REQUESTS, refused)
        refusal = project.refusal(endpoint)
        if refusal is not None:
            return json_answer(200, status_answer(refusal))
        try:
            if endpoint == "push":
                return self._push(project, payload, now)
            return json_answer(200, self._handlers[endpoint](project, payload, now))
        except Refused as refused:
            return json_answer(200, status_answer(refused.code))

    def _push(self, project: SimProject, payload: Mapping[str, Any], now: float) -> Answer:
        """Queue a push's messages; the costly endpoint, so its rows go in bulk."""
        entries = entries_of(payload)
        numbers = numbers_of(entries)
        global_text = text_of(payload.get("globalmessage"))
        media = text_of(payload.get("globalmedia")) or None
        application = int_of(payload.get("application"), Application.WHATSAPP)
        priority = 1 if int_of(payload.get("priority"), 0) == 1 else 0
        texts = texts_of(entries, global_text)
        if not media and not all(texts):
            raise Refused(StatusCode.EMPTY_MESSAGE)
        if media and application == Application.SMS:
            texts = [phone_text(text, media, application)[0] for text in texts]
            media = None
        push_id = str(next(self._push_ids))
        msg_ids = self._new_msg_ids(len(numbers))
        records = list(
            map(
                MessageRecord,
                repeat(project.name),
                repeat(push_id),
                msg_ids,
                numbers,
                texts,
                repeat(media),
                repeat(priority),
                repeat(application),
                repeat(now),
            )
        )
        self.journal.accepted(project.name, records)
        project.phone.queue_messages(records, high=priority == 1)
        return push_answer(push_id, msg_ids, numbers)

    def _conference_request(
        self, project: SimProject, payload: Mapping[str, Any], now: float
    ) -> dict[str, Any]:
        if not project.supports_calls:
            raise Refused(StatusCode.UNSUPPORTED_ANDROID_VERSION)
        numbers = tuple(call_number_of(entry.get("number")) for entry in entries_of(payload))
        if len(numbers) < 2:
            raise Refused(StatusCode.TOO_FEW_CONTACTS)
        if len(numbers) > 5:
            raise Refused(StatusCode.TOO_MANY_CONTACTS)
        push_id = str(next(self._push_ids))
        call_ids = tuple(str(next(self._call_ids)) for _ in numbers)
        conference = Conference(
            push_id, call_ids, numbers, project.dial_seconds, project.call_seconds, now
        )
        project.conferences[push_id] = conference
        project.phone.queue_conference(conference, high=int_of(payload.get("priority"), 0) == 1)
        return {"status": 100, "push_id": push_id, "message": "Success"}

    def _conference_report(
        self, project: SimProject, payload: Mapping[str, Any], now: float
    ) -> list[dict[str, str]]:
        conference = project.conferences.get(text_of(payload.get("push_id")).strip())
        if conference is None:
            raise Refused(StatusCode.INVALID_PUSH_ID)
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
