"""Inbound messages posted to a webhook, and instant replies queued on the phone."""

from __future__ import annotations

import asyncio
import itertools
import json
import urllib.parse
from collections.abc import AsyncIterator
from typing import Any, Literal

import pytest
from aiohttp import web
from test_simulator_support import Api, numbers

import picky_async as pa
from picky_async import Application, MessageType
from picky_async.testing import Simulator

pytestmark = pytest.mark.looptime


class Webhook:
    """A webhook on 127.0.0.1 that keeps what it got and answers ``self.answer``."""

    def __init__(self) -> None:
        self.received: list[tuple[dict[str, str], str | None, bytes]] = []
        self.answer: Any = None
        self.url = ""

    async def handle(self, request: web.Request) -> web.Response:
        content_type = request.headers.get("Content-Type")
        self.received.append((dict(request.query), content_type, await request.read()))
        if isinstance(self.answer, (dict, list)):
            return web.json_response(self.answer)
        return web.Response(text=self.answer or "")


@pytest.fixture
async def webhook() -> AsyncIterator[Webhook]:
    hook = Webhook()
    app = web.Application()
    app.router.add_post("/hook", hook.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    hook.url = f"http://127.0.0.1:{runner.addresses[0][1]}/hook"
    yield hook
    await runner.cleanup()


async def test_form_post_carries_every_variable_and_the_custom_ones(webhook: Webhook) -> None:
    async with Simulator() as sim:
        project = sim.add_project(
            webhook_url=f"{webhook.url}?variable1=picky-newyork",
            webhook_variables={"variable2": "newclient"},
        )
        result = await sim.inbound(
            project,
            "963587413",
            "hello & bye",
            type=MessageType.IMAGE,
            media_url="https://x.org/a.jpg",
        )
    assert (result.status, result.reply) == (200, None)  # an empty answer: no reply
    query, content_type, body = webhook.received[0]
    assert query == {"variable1": "picky-newyork", "variable2": "newclient"}
    assert content_type == "application/x-www-form-urlencoded"
    fields = dict(urllib.parse.parse_qsl(body.decode()))
    assert fields == {
        "number": "963587413",
        "message-in": "hello & bye",
        "type": "2",
        "application": "1",
        "unique-id": result.unique_id,
        "project-id": project.project_id,
        "media-url": "https://x.org/a.jpg",
        "variable1": "picky-newyork",
        "variable2": "newclient",
    }


async def test_query_post_carries_every_field_in_the_url_and_no_body(webhook: Webhook) -> None:
    async with Simulator() as sim:
        project = sim.add_project(
            webhook_url=f"{webhook.url}?variable1=picky-newyork", webhook_method="query"
        )
        result = await sim.inbound(project, "963587413", "1+1 = 2 & 50% off")
    assert webhook.received == [
        (
            {
                "number": "963587413",
                "message-in": "1+1 = 2 & 50% off",
                "type": "1",
                "application": "1",
                "unique-id": result.unique_id,
                "project-id": project.project_id,
                "media-url": "",
                "variable1": "picky-newyork",
            },
            None,
            b"",
        )
    ]


TYPED = "1+1 = 2 & 50% off, café"


def _fields(received: tuple[dict[str, str], str | None, bytes]) -> dict[str, Any]:
    query, content_type, body = received
    if content_type == "application/json":
        return dict(json.loads(body))
    return {**query, **dict(urllib.parse.parse_qsl(body.decode()))}


@pytest.mark.parametrize("method", ["form", "json", "query"])
async def test_message_in_can_arrive_url_encoded_with_message_in_raw_beside(
    webhook: Webhook, method: Literal["form", "json", "query"]
) -> None:
    async with Simulator() as sim:
        project = sim.add_project(webhook_url=webhook.url)
        await sim.inbound(project, "963587413", TYPED, method=method, encode_message_in=True)
        await sim.inbound(project, "963587413", TYPED, method=method)
    encoded, plain = map(_fields, webhook.received)
    assert encoded["message-in"] == urllib.parse.quote_plus(TYPED)
    assert encoded["message_in_raw"] == TYPED
    assert plain["message-in"] == TYPED
    assert "message_in_raw" not in plain


async def test_json_post_and_an_instant_reply_sent_after_its_delay(webhook: Webhook) -> None:
    webhook.answer = {"message-out": "thanks!", "delay": "10", "application": "2"}
    async with Simulator() as sim:
        project = sim.add_project(
            webhook_url=webhook.url, webhook_method="json", seconds_per_message=3.0
        )
        loop = asyncio.get_running_loop()
        start = loop.time()
        result = await sim.inbound(project, "963587413", "hi")
        reply = result.reply
        assert reply is not None
        await asyncio.sleep(9)
        assert project.message_queue_count == 0  # not queued before its delay
        await asyncio.sleep(5)
    _, content_type, body = webhook.received[0]
    assert content_type == "application/json"
    assert json.loads(body) == {
        "number": "963587413",
        "message-in": "hi",
        "type": 1,
        "application": 1,
        "unique-id": int(result.unique_id),
        "project-id": project.project_id,
        "media-url": "",
    }
    assert sim.sent == [reply]
    assert (reply.text, reply.application, reply.push_id, reply.priority) == ("thanks!", 2, None, 1)
    assert reply.accepted_at - start == pytest.approx(10, abs=0.1)
    assert reply.sent_at is not None
    assert reply.sent_at - reply.accepted_at == pytest.approx(3.0)


async def test_application_zero_replies_through_the_inbound_one(webhook: Webhook) -> None:
    webhook.answer = {
        "message-out": "see",
        "media-url": "https://x.org/menu.pdf",
        "application": "0",
    }
    async with Simulator() as sim:
        project = sim.add_project(webhook_url=webhook.url)
        result = await sim.inbound(
            project, "963587413", "menu?", application=Application.SMS, method="json"
        )
    assert result.reply is not None
    assert result.reply.application == Application.SMS
    assert result.reply.text == "see https://x.org/menu.pdf"  # SMS: the URL joins the text


async def test_the_reply_goes_ahead_of_the_broadcast_queue(webhook: Webhook) -> None:
    webhook.answer = {"message-out": "right away", "delay": 0}
    async with Simulator() as sim:
        project = sim.add_project(webhook_url=webhook.url, seconds_per_message=5.0)
        async with Api(sim) as api:
            await api.push(project, *numbers(3))
        await sim.inbound(project, "963587413", "hi")
        await asyncio.sleep(30)
    assert [r.text for r in sim.sent] == ["hi", "right away", "hi", "hi"]


@pytest.mark.parametrize("answer", ["not json", ["a list"], {"delay": 5}, {"message-out": ""}])
async def test_answers_without_a_reply_queue_nothing(webhook: Webhook, answer: Any) -> None:
    webhook.answer = answer
    async with Simulator() as sim:
        project = sim.add_project(webhook_url=webhook.url)
        result = await sim.inbound(project, "963587413", "hi")
        await asyncio.sleep(10)
    assert result.reply is None
    assert not sim.messages


async def test_a_project_without_webhook_refuses_inbound() -> None:
    async with Simulator(projects=1) as sim:
        with pytest.raises(ValueError, match="webhook_url"):
            await sim.inbound(sim.projects[0], "963587413", "hi")


async def test_closing_cancels_replies_still_waiting_for_their_delay(webhook: Webhook) -> None:
    webhook.answer = {"message-out": "later", "delay": 3600}
    async with Simulator() as sim:
        project = sim.add_project(webhook_url=webhook.url)
        await sim.inbound(project, "963587413", "hi")
    await asyncio.sleep(4000)
    assert not sim.messages


async def test_round_trip_through_the_librarys_own_webhook_handler() -> None:
    seen: list[pa.InboundMessage] = []

    async def on_message(message: pa.InboundMessage) -> pa.InstantReply:
        seen.append(message)
        return pa.InstantReply(f"got: {message.message}", delay=5)

    app = web.Application()
    app.router.add_post("/picky", pa.webhook_handler(on_message, secret="s3cret"))
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    url = f"http://127.0.0.1:{runner.addresses[0][1]}/picky?secret=s3cret"
    try:
        methods: list[Literal["form", "json", "query"]] = ["form", "json", "query"]
        for method, encode in itertools.product(methods, [False, True]):
            async with Simulator() as sim:
                project = sim.add_project(webhook_url=url, webhook_variables={"shop": "ny"})
                result = await sim.inbound(
                    project, "919876543210", TYPED, method=method, encode_message_in=encode
                )
                await sim.wait_sent(1)
            assert result.status == 200
            assert [r.text for r in sim.sent] == [f"got: {TYPED}"]
            assert sim.sent[0].number == "919876543210"
    finally:
        await runner.cleanup()
    assert [(m.number, m.message, m.extra, m.unique_id) for m in seen] == [
        ("919876543210", TYPED, {"shop": "ny"}, "1")
    ] * 6
