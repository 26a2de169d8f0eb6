"""Dispatcher.stream: outcomes as messages settle, bounded reading, giving up early."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import weakref
from collections.abc import AsyncIterator, Iterator, Sequence
from typing import Any

import pytest

import picky_async as pa
from picky_async.testing import Simulator

pytestmark = pytest.mark.looptime


class Phone:
    """A Pusher taking 0.01 s a push, accepting all but the errors it is given, in turn."""

    def __init__(self, *errors: Exception) -> None:
        self.errors = list(errors)
        self.pushed: list[str] = []

    async def push_msg_ids(
        self, messages: Sequence[pa.Message], **options: Any
    ) -> tuple[str, list[str | None]]:
        await asyncio.sleep(0.01)
        if self.errors:
            raise self.errors.pop(0)
        self.pushed += [m.number for m in messages]
        return "push", [f"id-{m.number}" for m in messages]

    async def device_status(self) -> pa.DeviceStatus:
        return pa.DeviceStatus(message_queue_count=0)


def dispatcher(phone: Phone, **options: Any) -> pa.Dispatcher:
    project = pa.Project("token", seconds_per_message=0.1)
    return pa.Dispatcher([project], client_factory=lambda p: phone, max_batch=10, **options)


def number(n: int) -> str:
    return f"9198{n:08d}"


class Counted:
    """Messages made as they are read, each noted (by a weak reference)."""

    def __init__(self, count: int) -> None:
        self.count = count
        self.made: list[weakref.ref[pa.Message]] = []

    def __iter__(self) -> Iterator[pa.Message]:
        for n in range(self.count):
            message = pa.Message(number(n), f"hello {n}")
            self.made.append(weakref.ref(message))
            yield message

    def alive(self) -> int:
        return sum(ref() is not None for ref in self.made)


async def test_every_message_gets_one_outcome_with_its_index_and_receipt() -> None:
    messages = [pa.Message(number(n), "hi") for n in range(45)]
    async with dispatcher(Phone()) as d:
        got = [outcome async for outcome in d.stream(messages)]
    assert sorted(o.index for o in got) == list(range(45))
    for outcome in got:
        assert outcome.ok
        assert outcome.error is None
        assert outcome.message is messages[outcome.index]
        assert outcome.receipt is not None
        assert outcome.receipt.number == outcome.message.number
        assert outcome.receipt.msg_id == f"id-{outcome.message.number}"


async def test_an_async_iterable_is_streamed_as_its_messages_come() -> None:
    async def slowly() -> AsyncIterator[pa.Message]:
        for n in range(5):
            yield pa.Message(number(n), "hi")
            await asyncio.sleep(10)

    loop = asyncio.get_running_loop()
    async with dispatcher(Phone()) as d:
        start = loop.time()
        settled_at = [(o.index, loop.time() - start) async for o in d.stream(slowly())]
    assert [index for index, _ in settled_at] == [0, 1, 2, 3, 4]
    for index, at in settled_at:  # each sent as it came, not once a chunk was read
        assert 10 * index < at < 10 * index + 1


async def test_an_error_reading_an_async_iterable_reaches_the_caller() -> None:
    async def broken() -> AsyncIterator[pa.Message]:
        yield pa.Message(number(0), "hi")
        raise KeyError("the source's own bug")

    async with dispatcher(Phone()) as d:
        with pytest.raises(KeyError, match="own bug"):
            async for _ in d.stream(broken()):
                pass


@pytest.mark.parametrize("wrapped", [False, True])
async def test_the_input_is_read_only_as_room_frees(wrapped: bool) -> None:
    messages = Counted(600)
    # max_pending, and what left the queue: a batch routed, one in flight, one
    # settled whose outcomes are being yielded.
    ahead = 20 + 3 * 10
    if wrapped:
        ahead += 1000  # an async source keeps a chunk ready

    async def as_async() -> AsyncIterator[pa.Message]:
        for message in messages:
            yield message

    source = as_async() if wrapped else messages
    seen = 0
    async with dispatcher(Phone(), max_pending=20) as d:
        async for _ in d.stream(source):
            seen += 1
            assert len(messages.made) - seen <= ahead
    assert seen == 600


async def test_memory_held_does_not_grow_with_the_campaign() -> None:
    messages = Counted(3000)
    most = 0
    async with dispatcher(Phone(), max_pending=50) as d:
        async for outcome in d.stream(messages):
            del outcome
            if len(messages.made) % 100 == 0:
                gc.collect()
                most = max(most, messages.alive())
    gc.collect()
    assert messages.alive() == 0
    # What waits, is routed, in flight or being yielded, and the rest of the run
    # (a chunk read at once, at most max_pending) of the messages being yielded.
    assert most <= 2 * 50 + 3 * 10


@pytest.mark.parametrize("how", ["break", "cancel"])
async def test_giving_up_withdraws_the_rest_and_accounts_for_every_accepted(how: str) -> None:
    phone = Phone()
    yielded: list[str] = []

    async def consume(d: pa.Dispatcher) -> None:
        async with contextlib.aclosing(d.stream(Counted(200))) as outcomes:
            async for outcome in outcomes:
                assert outcome.ok
                yielded.append(outcome.message.number)
                if len(yielded) == 10 and how == "break":
                    break  # the first push's outcomes; the second push is in flight
                if len(yielded) == 10:
                    await asyncio.Event().wait()  # cancelled here

    async with dispatcher(phone) as d:
        consuming = asyncio.create_task(consume(d))
        if how == "cancel":
            await asyncio.sleep(0.015)  # the first push answered, the second in flight
            consuming.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await consuming
        assert d.stats().pending <= 20  # the push in flight, and one routed that will be dropped
    stats = d.stats()
    assert yielded == [number(n) for n in range(10)]
    assert phone.pushed == [number(n) for n in range(20)]  # never the withdrawn 180
    assert stats.sent_after_cancel == 10  # the in-flight push: accepted, no outcome
    assert len(phone.pushed) == len(yielded) + stats.sent_after_cancel
    assert stats.pending == 0


async def test_failures_are_outcomes_not_exceptions() -> None:
    refused = pa.EmptyMessage("no text", code=407)
    async with dispatcher(Phone(refused)) as d:
        got = sorted([o async for o in d.stream(Counted(25))])
    assert [o.ok for o in got] == [False] * 10 + [True] * 15
    assert all(isinstance(o.error, pa.EmptyMessage) and o.receipt is None for o in got[:10])
    assert all(o.receipt is not None and o.error is None for o in got[10:])


async def test_an_empty_message_ends_the_stream_and_withdraws_the_rest() -> None:
    phone = Phone()
    messages = [pa.Message(number(n), "hi") for n in range(30)] + [pa.Message(number(30))]
    async with dispatcher(phone, max_pending=10) as d:
        with pytest.raises(pa.EmptyMessage, match=number(30)):
            async for _ in d.stream(messages):
                pass
        assert d.stats().pending <= 20
    assert number(30) not in phone.pushed
    assert len(phone.pushed) <= 20  # the rest was withdrawn


async def test_closing_mid_stream_ends_it_with_every_message_read_accounted_for() -> None:
    phone = Phone()
    messages = Counted(500)
    async with dispatcher(phone, max_pending=40) as d:
        closing = asyncio.get_running_loop().call_later(
            0.05, lambda: asyncio.ensure_future(d.close(drain=False))
        )
        got = [o async for o in d.stream(messages)]
        closing.cancel()
    read = len(messages.made)
    assert 0 < len(phone.pushed) < read < 500  # stopped reading
    assert sorted(o.index for o in got) == list(range(read))
    unsent = [o for o in got if isinstance(o.error, pa.DispatcherClosed)]
    assert len(unsent) + len(phone.pushed) == read
    assert sorted(o.message.number for o in got if o.ok) == sorted(phone.pushed)


async def test_a_bad_priority_is_refused_before_reading_anything() -> None:
    messages = Counted(5)
    async with dispatcher(Phone()) as d:
        with pytest.raises(ValueError, match="7"):
            d.stream(messages, priority=7)
    assert messages.made == []


async def test_a_stream_through_the_simulator(picky_simulator: Simulator) -> None:
    phone = picky_simulator.add_project(seconds_per_message=0.01)
    projects = [pa.Project(phone.token, seconds_per_message=0.01)]
    async with pa.Dispatcher(projects, base_url=picky_simulator.base_url, max_pending=30) as d:
        got = [o async for o in d.stream(Counted(120), priority=pa.Priority.HIGH)]
    assert sorted(o.index for o in got) == list(range(120))
    assert all(o.receipt is not None and o.receipt.priority is pa.Priority.HIGH for o in got)
    assert len(picky_simulator.messages) == 120


async def test_a_burst_of_submits_wakes_the_scheduler_once() -> None:
    async with dispatcher(Phone()) as d:
        await asyncio.sleep(0)  # the scheduler waits for work
        wakes: list[object] = []
        scheduler = d._scheduler
        wake = scheduler.wake

        def counted(sender: Any = None) -> None:
            wakes.append(sender)
            wake(sender)

        scheduler.wake = counted  # type: ignore[method-assign]
        futures = [d.submit(number(n), "hi") for n in range(100)]
        await asyncio.sleep(0)
        assert wakes == [None]
        await asyncio.gather(*futures)
