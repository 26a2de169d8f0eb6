"""Helpers for the Simulator tests: raw HTTP calls, as a client of any language makes them."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from types import TracebackType
from typing import Any

import aiohttp

from picky_async.testing import MessageRecord, SimProject, Simulator
from picky_async.wire import Encoding, encode_body


class Api:
    """Posts payloads to a Simulator; the project's token is filled in."""

    def __init__(self, simulator: Simulator) -> None:
        self.simulator = simulator
        self.session = aiohttp.ClientSession()

    async def __aenter__(self) -> Api:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.session.close()

    async def post(
        self,
        project: SimProject | None,
        endpoint: str,
        payload: Mapping[str, Any] | None = None,
        *,
        encoding: Encoding = "json",
    ) -> tuple[int, Any]:
        """Post and return (HTTP status, decoded JSON answer or, if not JSON, the text)."""
        body = dict(payload or {})
        if project is not None:
            body.setdefault("token", project.token)
        data, content_type = encode_body(body, encoding)
        url = f"{self.simulator.base_url}/{endpoint}"
        async with self.session.post(url, data=data, headers={"Content-Type": content_type}) as r:
            text = await r.text()
        try:
            return r.status, json.loads(text)
        except ValueError:
            return r.status, text

    async def push(self, project: SimProject, *numbers: str, **fields: Any) -> tuple[int, Any]:
        """Push one message to each number (text ``hi`` unless given)."""
        fields.setdefault("globalmessage", "hi")
        data = [{"number": number, "message": ""} for number in numbers]
        return await self.post(project, "push", {"application": "1", **fields, "data": data})


def numbers(count: int, start: int = 0) -> list[str]:
    """``count`` distinct valid numbers."""
    return [f"91987{start + index:07d}" for index in range(count)]


def sent_times(records: Iterable[MessageRecord]) -> list[float]:
    """When each record was sent; every one must have been."""
    times = [record.sent_at for record in records]
    sent = [time for time in times if time is not None]
    assert len(sent) == len(times)
    return sent
