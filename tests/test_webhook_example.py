"""examples/webhook_bot.py answers over a real server on 127.0.0.1."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp import ClientResponse, web
from aiohttp.test_utils import TestClient, TestServer
from example_modules import load_example

FORM = {"Content-Type": "application/x-www-form-urlencoded"}


bot = load_example("webhook_bot")


@pytest.fixture
async def client() -> AsyncIterator[TestClient[web.Request, web.Application]]:
    client = TestClient(TestServer(bot.make_app(secret="change-me"), host="127.0.0.1"))
    await client.start_server()
    yield client
    await client.close()


async def _send(client: TestClient[web.Request, web.Application], body: str) -> ClientResponse:
    return await client.post("/picky", params={"secret": "change-me"}, data=body, headers=FORM)


@pytest.mark.parametrize(
    ("message", "reply"),
    [("Hours", bot.ANSWERS["hours"]), ("price ", bot.ANSWERS["price"]), ("hi", bot.HELP)],
)
async def test_keywords_get_their_answer(
    client: TestClient[web.Request, web.Application], message: str, reply: str
) -> None:
    response = await _send(client, f"number=919876543210&message-in={message}&type=1")
    assert response.status == 200
    assert await response.json() == {"message-out": reply, "delay": 0, "application": 0}


async def test_media_gets_a_text_only_notice(
    client: TestClient[web.Request, web.Application],
) -> None:
    response = await _send(client, "number=919876543210&type=2")
    assert "only read text" in (await response.json())["message-out"]


async def test_groups_get_no_reply(client: TestClient[web.Request, web.Application]) -> None:
    response = await _send(client, "number=Family+%40Ann&message-in=hours")
    assert response.status == 200
    assert await response.read() == b""


async def test_the_secret_is_required(client: TestClient[web.Request, web.Application]) -> None:
    response = await client.post("/picky", data="number=919876543210", headers=FORM)
    assert response.status == 403
