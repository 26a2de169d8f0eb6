"""Inbound messages: the Simulator posts them to a project's webhook like the service.

The answer may hold an instant reply (``message-out``, ``delay``, ``media-url``,
``application``), which the phone then sends after its delay, ahead of the
broadcast queue (the document recommends instant replies for their speed).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import urllib.parse
from typing import Any, Literal

import aiohttp
import attrs
import yarl

from ..core import Application, MessageType, Priority
from ._project import SimProject
from ._reading import phone_text, text_of
from ._records import Journal, MessageRecord
from ._service import Service

__all__ = ["InboundResult", "Webhooks"]

WebhookMethod = Literal["form", "json", "query"]
"""How the fields travel: a form body, a JSON body, or the URL with no body."""

MAX_DELAY = 3600.0  # the document's maximum reply delay


@attrs.frozen
class InboundResult:
    """What became of one inbound message posted to a webhook.

    ``status`` is the webhook's HTTP status. ``reply`` is the instant reply the
    answer held, already scheduled: it joins the phone's queue at its
    ``accepted_at`` (now + delay) and gets ``sent_at`` once sent.
    """

    unique_id: str
    status: int
    reply: MessageRecord | None = None


class Webhooks:
    """Posts inbound messages and schedules the instant replies; owns one session."""

    def __init__(self, service: Service, journal: Journal) -> None:
        self._service = service
        self._journal = journal
        self._unique_ids = itertools.count(1)
        self._session: aiohttp.ClientSession | None = None
        self._pending: set[asyncio.TimerHandle] = set()

    async def close(self) -> None:
        """Cancel replies not yet queued and close the session."""
        for handle in self._pending:
            handle.cancel()
        self._pending.clear()
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def post(
        self,
        project: SimProject,
        number: str,
        text: str,
        *,
        type: MessageType | int,
        application: Application | int,
        media_url: str | None,
        method: WebhookMethod | None,
        encode_message_in: bool,
    ) -> InboundResult:
        """Post one inbound message; see :meth:`Simulator.inbound`."""
        if project.webhook_url is None:
            raise ValueError(f"project {project.name!r} has no webhook_url")
        url = yarl.URL(project.webhook_url).update_query(project.webhook_variables)
        unique_id = str(next(self._unique_ids))
        fields: dict[str, Any] = {
            "number": number,
            "message-in": urllib.parse.quote_plus(text) if encode_message_in else text,
            **({"message_in_raw": text} if encode_message_in else {}),
            "type": int(type),
            "application": int(application),
            "unique-id": int(unique_id),
            "project-id": project.project_id,
            "media-url": media_url or "",
            **url.query,
        }
        url, body, headers = _request(url, fields, method or project.webhook_method)
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))
        # The query method sends no content type at all, not aiohttp's default one.
        post = self._session.post(
            url, data=body, headers=headers, skip_auto_headers=["Content-Type"]
        )
        async with post as response:
            status = response.status
            answer = await response.read()
        reply = self._reply(project, number, int(application), answer) if status == 200 else None
        return InboundResult(unique_id, status, reply)

    def _reply(
        self, project: SimProject, number: str, inbound_application: int, answer: bytes
    ) -> MessageRecord | None:
        try:
            reply = json.loads(answer)
        except ValueError:
            return None
        if not isinstance(reply, dict):
            return None
        text = text_of(reply.get("message-out"))
        media = text_of(reply.get("media-url")) or None
        if not text and not media:
            return None
        application = _number(reply.get("application")) or inbound_application
        delay = min(max(_number(reply.get("delay")), 0.0), MAX_DELAY)
        sent_text, sent_media = phone_text(text, media, int(application))
        loop = asyncio.get_running_loop()
        record = MessageRecord(
            project.name,
            None,
            self._service.new_msg_id(),
            number,
            sent_text,
            sent_media,
            Priority.HIGH,
            int(application),
            loop.time() + delay,
        )
        handle: asyncio.TimerHandle

        def queue() -> None:
            self._pending.discard(handle)
            self._journal.accepted(project.name, [record])
            project.phone.queue_messages([record], high=True)

        handle = loop.call_at(record.accepted_at, queue)
        self._pending.add(handle)
        return record


def _request(
    url: yarl.URL, fields: dict[str, Any], method: str
) -> tuple[yarl.URL, bytes | None, dict[str, str]]:
    """The URL, body and headers that carry ``fields`` by ``method``."""
    if method == "query":  # "data will be posted as raw through URL"
        return url.update_query(fields), None, {}
    if method == "json":
        return url, json.dumps(fields).encode(), {"Content-Type": "application/json"}
    form = urllib.parse.urlencode(fields).encode()
    return url, form, {"Content-Type": "application/x-www-form-urlencoded"}


def _number(value: object) -> float:
    if isinstance(value, (int, float, str)) and not isinstance(value, bool):
        try:
            return float(value)
        except ValueError:
            pass
    return 0.0
