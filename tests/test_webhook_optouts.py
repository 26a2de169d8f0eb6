"""Opt-out keywords through the webhook: aiohttp and ASGI, posted by the Simulator."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Literal

import pytest
from aiohttp import web
from fastapi import FastAPI
from test_webhook_support import Recorder
from test_webhook_uvicorn import serving

import picky_async as pa
from picky_async.asgi import webhook_app
from picky_async.testing import Simulator
from picky_async.webhook._receiver import WebhookReceiver

NUMBER = "919876543210"
CONFIRM_STOP = "You will get no more messages. Reply START to undo."
Adapter = Literal["aiohttp", "asgi"]
Serve = Callable[..., contextlib.AbstractAsyncContextManager[str]]


@contextlib.asynccontextmanager
async def _aiohttp(callback: Recorder, **options: object) -> AsyncIterator[str]:
    app = web.Application()
    app.router.add_post("/picky", pa.webhook_handler(callback, **options))  # type: ignore[arg-type]
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        yield f"http://127.0.0.1:{runner.addresses[0][1]}/picky"
    finally:
        await runner.cleanup()


@contextlib.asynccontextmanager
async def _asgi(callback: Recorder, **options: object) -> AsyncIterator[str]:
    app = FastAPI()
    app.mount("/picky", webhook_app(callback, **options))  # type: ignore[arg-type]
    async with serving(app) as url:
        yield f"{url}/picky/"


@pytest.fixture
def opt_outs() -> Iterator[pa.OptOuts]:
    with pa.OptOuts() as store:
        yield store


@pytest.fixture(params=["aiohttp", "asgi"])
def serve(request: pytest.FixtureRequest) -> Serve:
    """A webhook on 127.0.0.1 through each adapter: ``serve(callback, **options)`` -> URL."""
    return _aiohttp if request.param == "aiohttp" else _asgi


class Checker(Recorder):
    """Remembers whether the sender had opted out when the callback ran."""

    def __init__(self, opt_outs: pa.OptOuts, reply: pa.InstantReply | None = None) -> None:
        super().__init__(reply)
        self.opt_outs = opt_outs
        self.opted_out: list[bool] = []

    async def __call__(self, inbound: pa.InboundMessage) -> pa.InstantReply | None:
        self.opted_out.append(inbound.number in self.opt_outs)
        return await super().__call__(inbound)


async def test_stop_is_recorded_before_the_callback_and_start_removes_it(
    serve: Serve, opt_outs: pa.OptOuts
) -> None:
    callback = Checker(opt_outs)
    async with serve(callback, opt_outs=opt_outs) as url, Simulator() as sim:
        project = sim.add_project(webhook_url=url)
        stopped = await sim.inbound(project, NUMBER, " Stop ")
        assert NUMBER in opt_outs
        started = await sim.inbound(project, NUMBER, "START")
        assert NUMBER not in opt_outs
        chat = await sim.inbound(project, NUMBER, "please stop")
    assert [r.status for r in (stopped, started, chat)] == [200, 200, 200]
    assert [r.reply for r in (stopped, started, chat)] == [None, None, None]  # none configured
    assert callback.opted_out == [True, False, False]
    assert [inbound.message for inbound in callback.received] == [" Stop ", "START", "please stop"]
    assert len(opt_outs) == 0


async def test_the_confirmation_answers_when_the_callback_does_not(
    serve: Serve, opt_outs: pa.OptOuts
) -> None:
    quiet = Recorder()
    options = {"opt_outs": opt_outs, "confirm_stop": CONFIRM_STOP, "confirm_start": "Welcome back"}
    async with serve(quiet, **options) as url, Simulator() as sim:
        project = sim.add_project(webhook_url=url, seconds_per_message=0.001)
        await sim.inbound(project, NUMBER, "stop")
        await sim.inbound(project, NUMBER, "hello")
        await sim.inbound(project, NUMBER, "yes")
        await sim.wait_sent(2)
    assert [(r.number, r.text) for r in sim.sent] == [
        (NUMBER, CONFIRM_STOP),
        (NUMBER, "Welcome back"),
    ]


async def test_the_callbacks_own_reply_wins(serve: Serve, opt_outs: pa.OptOuts) -> None:
    async with (
        serve(Recorder(pa.InstantReply("Bye!")), opt_outs=opt_outs, confirm_stop="x") as url,
        Simulator() as sim,
    ):
        project = sim.add_project(webhook_url=url)
        result = await sim.inbound(project, NUMBER, "STOP")
    assert result.reply is not None
    assert result.reply.text == "Bye!"
    assert NUMBER in opt_outs


async def test_without_opt_outs_a_stop_is_only_a_message(serve: Serve) -> None:
    callback = Recorder()
    async with serve(callback) as url, Simulator() as sim:
        project = sim.add_project(webhook_url=url)
        result = await sim.inbound(project, NUMBER, "STOP")
    assert (result.status, result.reply) == (200, None)
    assert [inbound.message for inbound in callback.received] == ["STOP"]


async def test_a_failed_write_is_a_500_and_the_callback_does_not_run(
    caplog: pytest.LogCaptureFixture,
) -> None:
    opt_outs = pa.OptOuts()
    opt_outs.close()
    callback = Recorder(pa.InstantReply("hi"))
    receiver = WebhookReceiver(callback, opt_outs=opt_outs)
    answer = await receiver.answer(b"", content_type="", query=f"number={NUMBER}&message-in=stop")
    assert (answer.status, answer.text) == (500, "the opt-out could not be recorded")
    assert callback.received == []
    assert "could not be recorded" not in caplog.text  # the log says it its own way
    assert "recording the opt-out of inbound message" in caplog.text


async def test_any_message_records_that_its_sender_wrote(opt_outs: pa.OptOuts) -> None:
    """Cold-contact limits need to know who wrote: every inbound message counts, not only
    keywords, and a plain message opts nobody out."""
    receiver = WebhookReceiver(Recorder(), opt_outs=opt_outs)
    assert not opt_outs.wrote(NUMBER)
    answer = await receiver.answer(b"", content_type="", query=f"number={NUMBER}&message-in=hi")
    assert answer.status == 200
    assert opt_outs.wrote(NUMBER)
    assert NUMBER not in opt_outs


def test_confirmations_are_checked_when_the_webhook_is_made(opt_outs: pa.OptOuts) -> None:
    with pytest.raises(ValueError, match="need opt_outs"):
        pa.webhook_handler(Recorder(), confirm_stop=CONFIRM_STOP)
    with pytest.raises(ValueError, match="need opt_outs"):
        webhook_app(Recorder(), confirm_start="hi")
    with pytest.raises(pa.EmptyMessage):
        pa.webhook_handler(Recorder(), opt_outs=opt_outs, confirm_stop=" ")
