"""PickyClient over real loopback sockets, against a tiny service written here."""

from __future__ import annotations

import asyncio
import pathlib
import re
import runpy
import socket
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import aiohttp
import attrs
import pytest
from aiohttp import web

import picky_async as pa
from picky_async import wire

TOKEN = "tok-loopback-SECRET"

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@attrs.define
class FakeService:
    """Records decoded request bodies and User-Agents; ``handler`` decides each answer."""

    base_url: str = ""
    received: list[tuple[str, dict[str, Any]]] = attrs.Factory(list)
    user_agents: list[str | None] = attrs.Factory(list)
    handler: Handler | None = None

    async def dispatch(self, request: web.Request) -> web.StreamResponse:
        body = wire.decode_body(await request.read(), request.content_type)
        self.received.append((request.match_info["endpoint"], body))
        self.user_agents.append(request.headers.get("User-Agent"))
        if self.handler is not None:
            return await self.handler(request)
        return web.json_response(ANSWERS[request.match_info["endpoint"]])


ANSWERS: dict[str, Any] = {
    "push": {"status": 100, "push_id": "7", "message": "Success"},
    "conference-request": {"status": 100, "push_id": "8", "message": "Success"},
    "conference-report": [{"push_id": "8", "call_id": "1", "number": "919876543210", "status": 4}],
    "device-status": {"message_queue_count": "3", "cloud_message_status": "Registered"},
    "device-action": {"status": 100, "message": "Success"},
}


@pytest.fixture
async def service() -> AsyncIterator[FakeService]:
    fake = FakeService()
    app = web.Application()
    app.router.add_post("/app/api/v2/{endpoint}", fake.dispatch)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    fake.base_url = f"http://127.0.0.1:{port}/app/api/v2"
    yield fake
    await runner.cleanup()


def closed_port() -> int:
    """A loopback port nobody listens on: connecting is refused at once."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


@pytest.mark.parametrize("encoding", ["json", "form"])
async def test_every_endpoint_over_loopback(service: FakeService, encoding: wire.Encoding) -> None:
    async with pa.PickyClient(TOKEN, base_url=service.base_url, encoding=encoding) as client:
        pushed = await client.push([pa.Message("919876543210", "hi")], global_message="all")
        conference = await client.conference(["919876543210", "919876543211"], record=True)
        (call,) = await client.conference_report(conference.push_id)
        status = await client.device_status()
        action = await client.device_action(pa.DeviceCommand.RESTART)
    assert (pushed.push_id, conference.push_id) == ("7", "8")
    assert call.status is pa.CallStatus.COMPLETED
    assert (status.message_queue_count, status.cloud_registered) == (3, True)
    assert action.status == 100
    assert [endpoint for endpoint, _ in service.received] == list(ANSWERS)
    assert service.received[0][1] == {
        "token": TOKEN,
        "application": 1,
        "priority": 0,
        "globalmessage": "all",
        "data": [{"number": "919876543210", "message": "hi"}],
    }
    assert service.received[1][1]["record"] == 1
    assert service.received[2][1] == {"token": TOKEN, "push_id": 8}


EXPECTED_USER_AGENT = "picky_async/{} (aiohttp/{}; python/{}.{}.{})".format(
    pa.__version__, aiohttp.__version__, *sys.version_info[:3]
)


async def test_every_request_says_who_sent_it(service: FakeService) -> None:
    async with pa.PickyClient(TOKEN, base_url=service.base_url) as client:
        await client.push([pa.Message("919876543210", "hi")])
        await client.conference_report("8")
        await client.device_status()
    assert service.user_agents == [EXPECTED_USER_AGENT] * 3
    assert re.fullmatch(
        r"picky_async/\S+ \(aiohttp/\S+; python/\d+\.\d+\.\d+\)", EXPECTED_USER_AGENT
    )


async def test_a_borrowed_session_sends_the_user_agent_and_keeps_its_own(
    service: FakeService,
) -> None:
    async with aiohttp.ClientSession(headers={"User-Agent": "their-app/2.0"}) as session:
        async with pa.PickyClient(TOKEN, base_url=service.base_url, session=session) as client:
            await client.device_status()
        await session.post(f"{service.base_url}/device-status", data=b"{}")
        assert session.headers["User-Agent"] == "their-app/2.0"
    assert service.user_agents == [EXPECTED_USER_AGENT, "their-app/2.0"]


async def test_the_dispatcher_pushes_with_the_user_agent(service: FakeService) -> None:
    project = pa.Project(TOKEN, name="one", seconds_per_message=0.001)
    async with pa.Dispatcher([project], base_url=service.base_url) as dispatcher:
        await dispatcher.send("919876543210", "hi")
    assert service.user_agents
    assert set(service.user_agents) == {EXPECTED_USER_AGENT}


async def test_connection_refused_is_retried_then_a_transport_error() -> None:
    attempts = 0

    async def count(*_: Any) -> None:
        nonlocal attempts
        attempts += 1

    trace = aiohttp.TraceConfig()
    trace.on_request_start.append(count)
    base_url = f"http://127.0.0.1:{closed_port()}/app/api/v2"
    async with aiohttp.ClientSession(trace_configs=[trace]) as session:
        policy = pa.RetryPolicy(attempts=3, wait_initial=0)
        client = pa.PickyClient(TOKEN, base_url=base_url, session=session, retry=policy)
        with pytest.raises(pa.TransportError, match="could not connect") as caught:
            await client.device_status()
        await client.close()
        assert not session.closed
    assert type(caught.value) is pa.TransportError
    assert attempts == 3
    assert TOKEN not in str(caught.value)


@pytest.mark.looptime
async def test_no_answer_in_time_is_uncertain_and_not_resent(service: FakeService) -> None:
    released = asyncio.Event()

    async def answer_late(_: web.Request) -> web.StreamResponse:
        await released.wait()
        return web.json_response(ANSWERS["push"])

    service.handler = answer_late
    loop = asyncio.get_running_loop()
    started = loop.time()
    async with pa.PickyClient(TOKEN, base_url=service.base_url, timeout=5.0) as client:
        with pytest.raises(pa.DeliveryUncertain) as caught:
            await client.push([pa.Message("919876543210", "hi")])
    released.set()
    assert loop.time() - started == pytest.approx(5.0, abs=0.5)
    assert len(service.received) == 1
    assert TOKEN not in str(caught.value)


async def test_dropped_connection_is_uncertain_and_not_resent(service: FakeService) -> None:
    async def hang_up(request: web.Request) -> web.StreamResponse:
        assert request.transport is not None
        request.transport.close()
        return web.Response()

    service.handler = hang_up
    async with pa.PickyClient(TOKEN, base_url=service.base_url) as client:
        with pytest.raises(pa.DeliveryUncertain):
            await client.push([pa.Message("919876543210", "hi")])
    assert len(service.received) == 1


async def test_truncated_answer_is_uncertain(service: FakeService) -> None:
    async def truncate(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "application/json"})
        response.content_length = 100
        await response.prepare(request)
        await response.write(b'{"status": 100, ')
        assert request.transport is not None
        request.transport.close()
        return response

    service.handler = truncate
    async with pa.PickyClient(TOKEN, base_url=service.base_url) as client:
        with pytest.raises(pa.DeliveryUncertain) as caught:
            await client.push([pa.Message("919876543210", "hi")])
    assert isinstance(caught.value.__cause__, aiohttp.ClientPayloadError)
    assert len(service.received) == 1


async def test_rate_limited_and_error_status_over_loopback(service: FakeService) -> None:
    answers = iter(
        [
            web.Response(status=429, text="Too Many Requests"),
            web.json_response({"status": 504, "message": "Device Details Not Found"}),
        ]
    )

    async def next_answer(_: web.Request) -> web.StreamResponse:
        return next(answers)

    service.handler = next_answer
    async with pa.PickyClient(TOKEN, base_url=service.base_url) as client:
        with pytest.raises(pa.RateLimited):
            await client.device_status()
        with pytest.raises(pa.DeviceNotFound) as caught:
            await client.device_status()
    assert caught.value.raw == {"status": 504, "message": "Device Details Not Found"}
    assert len(service.received) == 2


async def test_quickstart_example_runs_offline(capsys: pytest.CaptureFixture[str]) -> None:
    example = pathlib.Path(__file__).parents[1] / "examples" / "quickstart.py"
    namespace = runpy.run_path(str(example), run_name="quickstart")
    await namespace["main"]()
    assert re.fullmatch(r"queued on the phone as push \S+\n", capsys.readouterr().out)
