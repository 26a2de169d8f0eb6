"""Every retry and every change of a project's state leaves a log record, never a token."""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import Sequence
from typing import Any

import pytest

import picky_async as pa

TOKEN = "tok-logged-nowhere-SECRET"


class Phone:
    """A Pusher whose pushes and status answers fail as told, in turn, then succeed."""

    def __init__(
        self, *, push_errors: Sequence[Exception] = (), status_errors: Sequence[Exception] = ()
    ) -> None:
        self.push_errors = list(push_errors)
        self.status_errors = list(status_errors)

    async def push_msg_ids(
        self, messages: Sequence[pa.Message], **options: Any
    ) -> tuple[str, list[str | None]]:
        await _answer(self.push_errors)
        return "1", [None] * len(messages)

    async def device_status(self) -> pa.DeviceStatus:
        await _answer(self.status_errors)
        return pa.DeviceStatus(message_queue_count=0)


async def _answer(errors: list[Exception]) -> None:
    """Take a moment, as a request does, then raise the next error if one is left."""
    await asyncio.sleep(0.01)
    if errors:
        raise errors.pop(0)


async def send_through(phone: Phone, caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    """Send one message through a project on ``phone``; the Dispatcher's records."""
    caplog.set_level(logging.DEBUG, logger="picky_async")
    project = pa.Project(TOKEN, name="solo", seconds_per_message=0.1)
    async with pa.Dispatcher([project], client_factory=lambda _: phone) as dispatcher:
        await dispatcher.send("919876543210", "hi")
    assert TOKEN not in caplog.text
    return [r for r in caplog.records if r.name == "picky_async.dispatch"]


def said(records: list[logging.LogRecord]) -> list[tuple[int, str]]:
    return [(record.levelno, record.getMessage()) for record in records]


async def test_every_retry_is_logged_on_the_client_logger(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger="picky_async")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        base_url = f"http://127.0.0.1:{sock.getsockname()[1]}/api"
    policy = pa.RetryPolicy(attempts=3, wait_initial=0)
    async with pa.PickyClient(TOKEN, base_url=base_url, retry=policy) as client:
        with pytest.raises(pa.TransportError):
            await client.device_status()
    retries = [r for r in caplog.records if "trying again" in r.getMessage()]
    assert [(r.name, r.levelno) for r in retries] == [("picky_async.client", logging.DEBUG)] * 2
    assert (
        retries[0]
        .getMessage()
        .startswith(f"POST {base_url}/device-status failed on attempt 1 of 3 (ClientConnectorError")
    )
    assert "attempt 2 of 3" in retries[1].getMessage()
    assert TOKEN not in caplog.text


@pytest.mark.looptime
async def test_a_suspended_project_and_its_return_are_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    unreachable = pa.DeviceUnreachable("Unable to Communicate with the Device !")
    records = await send_through(
        Phone(push_errors=[unreachable], status_errors=[unreachable]), caplog
    )
    assert said(records) == [
        (
            logging.DEBUG,
            f"push of 1 messages through project solo failed (suspend): {unreachable!r}",
        ),
        (logging.WARNING, f"project solo suspended: {unreachable}"),
        (logging.DEBUG, f"project solo: device status failed: {unreachable!r}"),
        (logging.INFO, "project solo is back: a probe found its phone"),
    ]


@pytest.mark.looptime
async def test_a_paused_project_is_logged_with_its_pause(caplog: pytest.LogCaptureFixture) -> None:
    too_fast = pa.RateLimited("over the limit (HTTP 429)", status=429, retry_after=7.0)
    records = await send_through(Phone(push_errors=[too_fast]), caplog)
    assert said(records)[1:] == [(logging.WARNING, f"project solo paused for 7.0 s: {too_fast}")]


@pytest.mark.looptime
async def test_a_disabled_project_is_an_error_and_its_messages_go_to_the_others(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger="picky_async")
    denied = pa.AuthenticationFailed("Authentication failed")
    projects = [pa.Project(TOKEN, name="bad"), pa.Project("tok-good", name="good")]
    phones = {TOKEN: Phone(push_errors=[denied]), "tok-good": Phone()}
    async with pa.Dispatcher(
        projects, client_factory=lambda p: phones[p.token], sticky=True
    ) as dispatcher:
        await asyncio.gather(*(dispatcher.send(f"9198765432{n:02}", "hi") for n in range(20)))
    records = [r for r in caplog.records if r.name == "picky_async.dispatch"]
    assert (logging.ERROR, f"project bad disabled: {denied}") in said(records)
    assert TOKEN not in caplog.text
