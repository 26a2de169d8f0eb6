"""The framework-free webhook core: request parts in, an answer out, no server."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import picky_async as pa
from picky_async.webhook._receiver import WebhookAnswer, WebhookReceiver

FORM = "application/x-www-form-urlencoded"


async def _reply(inbound: pa.InboundMessage) -> pa.InstantReply | None:
    return pa.InstantReply(f"{inbound.number}: {inbound.message} {dict(inbound.extra)}")


async def test_fields_in_the_raw_query_string_and_an_empty_body() -> None:
    receiver = WebhookReceiver(_reply, secret="s3cret")
    answer = await receiver.answer(
        b"", content_type="", query="secret=s3cret&number=1234567&message-in=a%2Bb+c&city=pune"
    )
    assert (answer.status, answer.content_type) == (200, "application/json")
    assert json.loads(answer.text)["message-out"] == "1234567: a+b c {'city': 'pune'}"


async def test_statuses() -> None:
    receiver = WebhookReceiver(_reply, secret="s3cret", max_body=20)
    query = "secret=s3cret"
    assert await receiver.answer(b"number=1", content_type=FORM, query="") == WebhookAnswer(
        403, "wrong or missing secret"
    )
    too_long = await receiver.answer(
        b"number=1&message-in=" + b"x" * 20, content_type=FORM, query=query
    )
    assert too_long.status == 413
    declared = await receiver.answer(b"", content_type=FORM, query=query, content_length=21)
    assert declared.status == 413
    unreadable = await receiver.answer(b"number=1", content_type="text/plain", query=query)
    assert unreadable.status == 400
    assert (await receiver.answer(b"", content_type="", query="secret=s3cret&x=%FF")).status == 400


async def test_a_streamed_body_is_read_no_further_than_the_limit() -> None:
    read: list[bytes] = []

    async def chunks() -> AsyncIterator[bytes]:
        for chunk in (b"number=1&", b"message-in=", b"x" * 30, b"never read"):
            read.append(chunk)
            yield chunk

    receiver = WebhookReceiver(_reply, max_body=40)
    answer = await receiver.answer(chunks(), content_type=FORM, query="")
    assert answer.status == 413
    assert b"never read" not in read


async def test_a_failing_callback_is_a_500_and_no_reply_an_empty_200() -> None:
    async def broken(inbound: pa.InboundMessage) -> pa.InstantReply | None:
        raise RuntimeError("down")

    async def quiet(inbound: pa.InboundMessage) -> pa.InstantReply | None:
        return None

    failed = await WebhookReceiver(broken).answer(b"number=1", content_type=FORM, query="")
    assert failed == WebhookAnswer(500, "the webhook callback failed")
    assert await WebhookReceiver(quiet).answer(b"number=1", content_type=FORM, query="") == (
        WebhookAnswer(200)
    )


async def test_only_post_is_answered() -> None:
    receiver = WebhookReceiver(_reply)
    answer = await receiver.answer(b"", content_type="", query="number=1", method="GET")
    assert answer == WebhookAnswer(
        405, "the webhook takes POST requests", headers=(("Allow", "POST"),)
    )
