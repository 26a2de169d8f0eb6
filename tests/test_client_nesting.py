"""Answers nested deeply enough to exhaust recursion: a library error, never RecursionError."""

from __future__ import annotations

import json
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from aioresponses import aioresponses

import picky_async as pa
from picky_async.wire import MalformedPayload, structure_request

BASE = "http://127.0.0.1:9/api/v2"
LIMIT = sys.getrecursionlimit()
# Too deep for json.loads; and deep enough to read but not to walk twice over.
DEPTHS = {"unreadable": LIMIT * 50, "readable": LIMIT * 2 // 3}


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def answers(depth: int, field: str) -> dict[str, str]:
    deep = nested(depth)
    return {
        "whole answer": deep,
        "in a field": f'{{"status": 100, "push_id": "7", "{field}": {deep}}}',
        "in status": f'{{"status": {deep}}}',
    }


Call = Callable[[pa.PickyClient], Awaitable[object]]
# Each call's path, a field of its answer that it reads, and the call.
CALLS: dict[str, tuple[str, str, Call]] = {
    "push": ("push", "data", lambda c: c.push([pa.Message("919876543210", "hi")])),
    "push_msg_ids": (
        "push",
        "data",
        lambda c: c.push_msg_ids([pa.Message("919876543210", "hi")]),
    ),
    "conference": (
        "conference-request",
        "push_id",
        lambda c: c.conference(["919876543210", "919876543211"]),
    ),
    "conference_report": ("conference-report", "push_id", lambda c: c.conference_report("7")),
    "device_status": ("device-status", "message_queue_count", lambda c: c.device_status()),
    "device_action": (
        "device-action",
        "message",
        lambda c: c.device_action(pa.DeviceCommand.RESTART),
    ),
}


@pytest.fixture
async def client() -> AsyncIterator[pa.PickyClient]:
    async with pa.PickyClient("tok", base_url=BASE) as c:
        yield c


@pytest.mark.parametrize("depth", DEPTHS.values(), ids=DEPTHS.keys())
@pytest.mark.parametrize("where", answers(1, "data").keys())
@pytest.mark.parametrize("call", CALLS.keys())
async def test_a_deeply_nested_answer_may_have_been_accepted(
    mock: aioresponses, client: pa.PickyClient, call: str, where: str, depth: int
) -> None:
    path, field, make = CALLS[call]
    mock.post(f"{BASE}/{path}", body=answers(depth, field)[where])
    with pytest.raises(pa.DeliveryUncertain, match="may be queued") as caught:
        await make(client)
    assert caught.value.status == 200


@pytest.mark.parametrize("payload", [[json.loads(nested(LIMIT // 2))], {"status": 100}])
def test_structure_request_refuses_rows_that_are_not_objects(payload: Any) -> None:
    with pytest.raises(MalformedPayload):
        structure_request(payload, list[pa.ConferenceCall])


async def test_a_reader_that_recurses_too_deep_means_uncertain(
    mock: aioresponses, client: pa.PickyClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # No model recurses today; a future cattrs hook that does must not leak RecursionError.
    def recursing(answer: object, cls: object) -> object:
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr("picky_async.client._client.structure_answer", recursing)
    mock.post(f"{BASE}/device-status", payload={"message_queue_count": 0})
    with pytest.raises(pa.DeliveryUncertain, match="nested too deeply"):
        await client.device_status()
