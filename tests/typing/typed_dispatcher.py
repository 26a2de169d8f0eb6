"""What the Dispatcher's methods return, as a type checker sees them."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, AsyncIterator

from typing_extensions import assert_type

import picky_async as pa


async def messages() -> AsyncIterator[pa.Message]:
    yield pa.Message("919876543210", "hi")


async def send_many_lists(d: pa.Dispatcher, campaign: list[pa.Message]) -> None:
    assert_type(await d.send_many(campaign), list[pa.Receipt])
    assert_type(await d.send_many(campaign, return_exceptions=False), list[pa.Receipt])
    assert_type(
        await d.send_many(campaign, return_exceptions=True), list[pa.Receipt | BaseException]
    )
    assert_type(await d.send_many(messages()), list[pa.Receipt])
    assert_type(
        await d.send_many(iter(campaign), priority=pa.Priority.HIGH, progress=print),
        list[pa.Receipt],
    )


async def send_and_submit(d: pa.Dispatcher) -> None:
    assert_type(await d.send("919876543210", "hi"), pa.Receipt)
    assert_type(await d.send(919876543210, media="https://example.com/a.png"), pa.Receipt)
    assert_type(d.submit("919876543210", "hi"), asyncio.Future[pa.Receipt])
    assert_type(await d.submit("919876543210", "hi"), pa.Receipt)


async def stream_outcomes(d: pa.Dispatcher, campaign: list[pa.Message]) -> None:
    outcomes = d.stream(campaign)
    assert_type(outcomes, AsyncGenerator[pa.Outcome, None])
    async for outcome in d.stream(messages(), application=pa.Application.SMS):
        assert_type(outcome, pa.Outcome)
        assert_type(outcome.index, int)
        assert_type(outcome.message, pa.Message)
        assert_type(outcome.receipt, pa.Receipt | None)
        assert_type(outcome.error, BaseException | None)
        assert_type(outcome.ok, bool)


def receipt_fields(receipt: pa.Receipt) -> None:
    assert_type(receipt.push_id, str)
    assert_type(receipt.msg_id, str | None)
    assert_type(receipt.project, str)
    assert_type(receipt.number, str)
    assert_type(receipt.priority, pa.Priority)


async def lifecycle(projects: list[pa.Project]) -> None:
    async with pa.Dispatcher(projects) as d:
        assert_type(d, pa.Dispatcher)
        assert_type(d.stats(), pa.DispatcherStats)
    assert_type(await d.close(drain=False), None)
