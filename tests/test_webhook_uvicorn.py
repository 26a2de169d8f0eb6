"""The ASGI webhook inside a FastAPI app under a real uvicorn server on 127.0.0.1,
with the Simulator posting inbound messages to it and sending the instant replies."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator, Iterator
from typing import Literal

import uvicorn
from example_modules import load_example
from fastapi import FastAPI

import picky_async as pa
from picky_async.asgi import webhook_app
from picky_async.testing import Simulator

SECRET = "s3cr3t"


class _Server(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield  # leave the test process's own SIGINT and SIGTERM handlers alone


@contextlib.asynccontextmanager
async def serving(app: FastAPI) -> AsyncIterator[str]:
    """Run ``app`` under uvicorn on a free loopback port; its base URL. Stops it on exit."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = _Server(uvicorn.Config(app, log_level="warning", access_log=False))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        while not server.started:
            if task.done():
                task.result()  # startup failed: raise why
            await asyncio.sleep(0.005)  # readiness: uvicorn offers no event to wait on
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        await task
        sock.close()


async def echo(inbound: pa.InboundMessage) -> pa.InstantReply | None:
    return pa.InstantReply(f"got: {inbound.message} ({inbound.extra['shop']})")


async def test_the_simulator_posts_to_a_mounted_app_and_sends_the_replies() -> None:
    app = FastAPI()
    app.mount("/picky", webhook_app(echo, secret=SECRET))
    methods: list[Literal["form", "json", "query"]] = ["form", "json", "query"]
    async with serving(app) as url, Simulator() as sim:
        project = sim.add_project(
            webhook_url=f"{url}/picky/?secret={SECRET}&shop=north", seconds_per_message=0.001
        )
        results = [
            await sim.inbound(project, "919876543210", f"hi & bye by {method}", method=method)
            for method in methods
        ]
        await sim.wait_sent(3)
        wrong = sim.add_project(webhook_url=f"{url}/picky/?secret=guess&shop=north")
        refused = await sim.inbound(wrong, "919876543210", "hi")
    assert [result.status for result in results] == [200, 200, 200]
    assert [result.reply for result in results] == list(sim.sent)
    assert [(r.number, r.text) for r in sim.sent] == [
        ("919876543210", f"got: hi & bye by {method} (north)") for method in methods
    ]
    assert (refused.status, refused.reply) == (403, None)


async def test_the_fastapi_example_answers_order_status() -> None:
    example = load_example("fastapi_webhook")
    async with serving(example.make_app(secret=SECRET)) as url, Simulator() as sim:
        project = sim.add_project(webhook_url=f"{url}/picky/?secret={SECRET}")
        known = await sim.inbound(project, "919876543210", "Status 1042")
        unknown = await sim.inbound(project, "919876543210", "status 9")
    assert known.reply is not None
    assert known.reply.text == "Order 1042 is shipped on Monday."
    assert unknown.reply is not None
    assert unknown.reply.text.startswith("We found no order '9'.")
