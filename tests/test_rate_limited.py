"""HTTP 429: Retry-After read by the client, and honoured exactly by the Dispatcher."""

from __future__ import annotations

import asyncio
import email.utils
from collections.abc import Sequence
from typing import Any

import pytest
from aioresponses import aioresponses

import picky_async as pa
from picky_async.client._retry_after import retry_after

BASE = "http://127.0.0.1:9/api/v2"
NOW = 1_700_000_000.0


def http_date(seconds_from_now: float) -> str:
    return email.utils.formatdate(NOW + seconds_from_now, usegmt=True)


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("120", 120.0),
        ("0", 0.0),
        ("1.5", 1.5),
        (" 7 ", 7.0),
        (http_date(90), 90.0),
        (http_date(-90), 0.0),  # a date already past: no wait
        (http_date(30).replace("GMT", "-0000"), 30.0),
        (None, None),
        ("", None),
        ("soon", None),
        ("-3", None),
        ("nan", None),
        ("inf", None),
        ("Wed, 99 Oct 2015 07:28:00 GMT", None),
    ],
)
def test_retry_after_reads_seconds_or_a_date(header: str | None, seconds: float | None) -> None:
    assert retry_after(header, now=NOW) == seconds


@pytest.mark.parametrize(
    ("headers", "seconds"),
    [({"Retry-After": "30"}, 30.0), ({}, None), ({"Retry-After": "later"}, None)],
)
async def test_a_429_carries_its_retry_after(
    mock: aioresponses, headers: dict[str, str], seconds: float | None
) -> None:
    mock.post(f"{BASE}/push", status=429, body="slow down", headers=headers)
    async with pa.PickyClient("tok", base_url=BASE) as client:
        with pytest.raises(pa.RateLimited) as caught:
            await client.push([pa.Message("919876543210", "hi")])
    assert caught.value.status == 429
    assert caught.value.retry_after == seconds


class LimitedClient:
    """A Pusher whose first push is over the limit; it notes when each push starts."""

    def __init__(self, error: pa.RateLimited) -> None:
        self.error: pa.RateLimited | None = error
        self.started: list[float] = []

    async def push_msg_ids(
        self, messages: Sequence[pa.Message], **options: Any
    ) -> tuple[str, list[str | None]]:
        self.started.append(asyncio.get_running_loop().time())
        error, self.error = self.error, None
        if error is not None:
            raise error
        return "1", [None] * len(messages)

    async def device_status(self) -> pa.DeviceStatus:
        return pa.DeviceStatus(message_queue_count=0)


@pytest.mark.looptime
@pytest.mark.parametrize(
    ("error", "pause"),
    [
        (pa.RateLimited("429", status=429, retry_after=7.5), 7.5),
        (pa.RateLimited("429", status=429, retry_after=0.25), 0.25),
        (pa.RateLimited("429", status=429), 40.0),  # not said: a whole period of the limit
    ],
)
async def test_the_dispatcher_pauses_the_project_as_long_as_asked(
    error: pa.RateLimited, pause: float
) -> None:
    client = LimitedClient(error)
    project = pa.Project("token", seconds_per_message=0.1, push_limit=pa.RateLimit(90, 40.0))
    async with pa.Dispatcher([project], client_factory=lambda p: client) as d:
        receipt = await d.send("919800000001", "hi")
    assert receipt.push_id == "1"
    first, second = client.started
    assert second - first == pytest.approx(pause, abs=1e-9)
