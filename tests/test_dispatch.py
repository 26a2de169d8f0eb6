"""Dispatcher behaviour with stand-in clients: failures the Simulator does not make."""

from __future__ import annotations

import asyncio
import collections
import collections.abc
import random
from collections.abc import Sequence
from typing import Any

import aiohttp
import pytest

import picky_async as pa
from picky_async.testing import ProjectState, Simulator

pytestmark = pytest.mark.looptime


class FakeClient:
    """A Pusher that accepts everything, or raises what it is told to, in turn."""

    def __init__(
        self, *, push_errors: Sequence[Exception] = (), status_error: Exception | None = None
    ) -> None:
        self.push_errors = list(push_errors)
        self.status_error = status_error
        self.pushed: list[tuple[str, ...]] = []
        self.status_calls = 0

    async def push_msg_ids(
        self, messages: Sequence[pa.Message], **options: Any
    ) -> tuple[str, list[str | None]]:
        await asyncio.sleep(0.01)
        if self.push_errors:
            raise self.push_errors.pop(0)
        self.pushed.append(tuple(m.number for m in messages))
        return str(len(self.pushed)), [None] * len(messages)  # no per-recipient data

    async def device_status(self) -> pa.DeviceStatus:
        self.status_calls += 1
        await asyncio.sleep(0.01)
        if self.status_error is not None:
            raise self.status_error
        return pa.DeviceStatus(message_queue_count=0)


def dispatcher(*clients: FakeClient, **options: object) -> pa.Dispatcher:
    projects = [pa.Project(f"token-{n}", seconds_per_message=0.1) for n in range(len(clients))]
    by_token = {p.token: c for p, c in zip(projects, clients, strict=True)}
    return pa.Dispatcher(projects, client_factory=lambda p: by_token[p.token], **options)  # type: ignore[arg-type]


def pushed_numbers(client: FakeClient) -> list[str]:
    return [number for push in client.pushed for number in push]


async def test_an_unexpected_error_fails_only_its_batch() -> None:
    client = FakeClient(push_errors=[RuntimeError("bug in a custom client")])
    async with dispatcher(client) as d:
        first = d.submit("919800000001", "a")
        await asyncio.sleep(1)
        second = await d.send("919800000002", "b")
    with pytest.raises(RuntimeError, match="custom client"):
        first.result()
    assert second.msg_id is None  # the answer listed no recipients
    assert second.project == "project-1"
    assert d.stats().failed == 1
    assert d.stats().projects[0].health == "healthy"


class ShortClient(FakeClient):
    """Answers one msg_id too few for every push: a bug the dispatcher must survive."""

    async def push_msg_ids(
        self, messages: Sequence[pa.Message], **options: Any
    ) -> tuple[str, list[str | None]]:
        push_id, msg_ids = await super().push_msg_ids(messages, **options)
        return push_id, msg_ids[1:]


async def test_a_pusher_answering_too_few_ids_fails_only_that_batch() -> None:
    async with dispatcher(ShortClient()) as d:
        results = await d.send_many(
            [pa.Message(f"9198{n:08d}", "hi") for n in range(3)], return_exceptions=True
        )
    assert [type(result) for result in results] == [ValueError] * 3
    assert "2 ids for 3 messages" in str(results[0])
    assert d.stats().projects[0].health == "healthy"


async def test_send_many_raises_the_first_failure_once_all_have_settled() -> None:
    first, second = pa.EmptyMessage("first", code=407), pa.InvalidPushId("second", code=503)
    client = FakeClient(push_errors=[first, second])
    async with dispatcher(client, max_batch=2) as d:
        with pytest.raises(pa.EmptyMessage, match="first"):
            await d.send_many([pa.Message(f"9198{n:08d}", "hi") for n in range(6)])
        assert d.stats().failed == 4
    assert pushed_numbers(client) == ["919800000004", "919800000005"]  # still sent


async def test_a_rejected_batch_fails_with_the_services_error() -> None:
    client = FakeClient(push_errors=[pa.EmptyMessage("no text", code=407)])
    async with dispatcher(client) as d:
        with pytest.raises(pa.EmptyMessage):
            await d.send("919800000001", "a")
        assert (await d.send("919800000002", "b")).number == "919800000002"


async def test_a_failing_status_poll_suspends_a_healthy_project() -> None:
    bad = FakeClient(status_error=pa.DeviceNotFound("no phone"))
    good = FakeClient()
    async with dispatcher(bad, good, horizon=5.0) as d:
        await d.send_many(pa.Message(f"9198{n:08d}", "hi") for n in range(40))
        await asyncio.sleep(1)
        assert d.stats().projects[0].health == "suspended"
        await d.send_many(pa.Message(f"9197{n:08d}", "hi") for n in range(40))
    assert not any(n.startswith("9197") for n in pushed_numbers(bad))
    assert len(pushed_numbers(good)) >= 40


async def test_a_status_poll_can_disable_a_project() -> None:
    client = FakeClient(status_error=pa.ProjectInactive("inactive"))
    async with dispatcher(client) as d:
        await d.send("919800000001", "a")
        await asyncio.sleep(1)
        assert d.stats().projects[0].health == "disabled"
        with pytest.raises(pa.ProjectInactive):
            await d.send("919800000002", "b")


async def test_leaving_the_block_with_an_error_gives_up_on_the_unsent() -> None:
    client = FakeClient()
    futures: list[asyncio.Future[pa.Receipt]] = []

    async def campaign_with_a_bug() -> None:
        async with dispatcher(client, horizon=1.0) as d:
            futures.extend(d.submit(f"9198{n:08d}", "hi") for n in range(100))
            await asyncio.sleep(0.5)
            raise KeyError("the caller's own bug")

    with pytest.raises(KeyError):
        await campaign_with_a_bug()
    unsent: list[str] = []
    for number, future in enumerate(futures):
        if (closed := future.exception()) is not None:
            assert isinstance(closed, pa.DispatcherClosed)
            assert [m.number for m in closed.messages] == [f"9198{number:08d}"]  # its own only
            unsent += [m.number for m in closed.messages]
    assert unsent
    assert len(pushed_numbers(client)) + len(unsent) == 100


async def test_closing_gives_each_caller_an_error_listing_only_its_messages() -> None:
    d = dispatcher(FakeClient())
    first = d.submit("919800000001", "a")
    second = d.submit("919800000002", "b")
    others = [pa.Message(f"9197{n:08d}", "c") for n in range(3)]
    campaign = asyncio.create_task(d.send_many(others))
    await asyncio.sleep(0)  # routed (lingering) or queued, none pushed
    await d.close(drain=False)
    with pytest.raises(pa.DispatcherClosed) as closed:
        await campaign
    first_error, second_error = first.exception(), second.exception()
    assert isinstance(first_error, pa.DispatcherClosed)
    assert isinstance(second_error, pa.DispatcherClosed)
    assert first_error is not second_error
    assert [m.number for m in first_error.messages] == ["919800000001"]
    assert [m.number for m in second_error.messages] == ["919800000002"]
    assert closed.value.messages == tuple(others)


class Counted:
    """A campaign's messages, noting each one send_many has read."""

    def __init__(self, count: int) -> None:
        self.count = count
        self.read: list[pa.Message] = []

    def __iter__(self) -> collections.abc.Iterator[pa.Message]:
        for n in range(self.count):
            self.read.append(pa.Message(f"9198{n:08d}", "hi"))
            yield self.read[-1]


async def close_later(d: pa.Dispatcher, delay: float) -> None:
    await asyncio.sleep(delay)
    await d.close(drain=False)


@pytest.mark.parametrize("return_exceptions", [False, True])
@pytest.mark.parametrize(
    ("count", "max_pending", "close_after"),
    [
        (300, 20, 0.0),  # before anything was pushed, one chunk queued
        (300, 20, 0.5),  # while the first pushes are in flight
        (300, 20, 7.5),  # well into the campaign, waiting for room
        (2500, 100_000, 1.0),  # all read, in three runs, most not pushed
    ],
)
async def test_closing_mid_campaign_accounts_for_every_message_read(
    count: int, max_pending: int, close_after: float, return_exceptions: bool
) -> None:
    client = FakeClient()
    d = dispatcher(client, horizon=1.0, max_batch=10, max_pending=max_pending)
    messages = Counted(count)
    closing = asyncio.create_task(close_later(d, close_after))
    if return_exceptions:
        results = await d.send_many(messages, return_exceptions=True)
        assert len(results) == len(messages.read)  # a slot for every message read
        closed = results[-1]
        assert isinstance(closed, pa.DispatcherClosed)
        assert all(isinstance(r, pa.Receipt) or r is closed for r in results)
        assert [r.number for r in results if isinstance(r, pa.Receipt)] == pushed_numbers(client)
        assert [m for m, r in zip(messages.read, results, strict=True) if r is closed] == list(
            closed.messages
        )
    else:
        with pytest.raises(pa.DispatcherClosed) as raised:
            await d.send_many(messages)
        closed = raised.value
    await closing
    pushed = pushed_numbers(client)
    assert 0 < len(closed.messages) < count
    assert sorted(pushed + [m.number for m in closed.messages]) == [m.number for m in messages.read]


async def test_cancelling_send_many_withdraws_what_is_not_pushed() -> None:
    client = FakeClient()
    async with dispatcher(client, horizon=1.0) as d:
        campaign = asyncio.create_task(
            d.send_many(pa.Message(f"9198{n:08d}", "hi") for n in range(200))
        )
        await asyncio.sleep(2)
        campaign.cancel()
        with pytest.raises(asyncio.CancelledError):
            await campaign
        pushed = len(pushed_numbers(client))
        assert 0 < pushed < 200
        assert d.stats().pending == 0
    assert len(pushed_numbers(client)) == pushed


class HeldClient(FakeClient):
    """Holds each push in flight until ``release`` is set."""

    def __init__(self) -> None:
        super().__init__()
        self.started = asyncio.Event()
        self.release = asyncio.Event()

    async def push_msg_ids(
        self, messages: Sequence[pa.Message], **options: Any
    ) -> tuple[str, list[str | None]]:
        self.started.set()
        await self.release.wait()
        return await super().push_msg_ids(messages, **options)


async def test_cancelling_after_the_push_started_still_sends_and_is_counted() -> None:
    client = HeldClient()
    async with dispatcher(client) as d:
        early = d.submit("919800000001", "a")
        sending = asyncio.create_task(d.send("919800000002", "b"))
        await client.started.wait()  # both lingered into the push now held in flight
        late = d.submit("919800000003", "c")  # waits for the push slot
        campaign = asyncio.create_task(d.send_many([pa.Message("919800000004", "d")]))
        await asyncio.sleep(0)
        for caller in (early, sending, late, campaign):
            caller.cancel()
        client.release.set()
    assert pushed_numbers(client) == ["919800000001", "919800000002"]
    stats = d.stats()
    assert (stats.sent, stats.sent_after_cancel) == (2, 2)
    assert stats.projects[0].sent_after_cancel == 2
    assert stats.pending == 0


async def test_progress_reaches_the_total_before_send_many_returns() -> None:
    calls: list[tuple[int, int]] = []
    async with dispatcher(FakeClient()) as d:
        await d.send_many(
            (pa.Message(f"9198{n:08d}", "hi") for n in range(30)),
            progress=lambda done, total: calls.append((done, total)),
        )
        assert calls[-1] == (30, 30)
    assert [done for done, _ in calls] == sorted(done for done, _ in calls)


async def test_high_priority_goes_first_and_carries_priority_1(picky_simulator: Simulator) -> None:
    phone = picky_simulator.add_project(seconds_per_message=1.0)
    projects = [pa.Project(phone.token, seconds_per_message=1.0)]
    async with pa.Dispatcher(projects, base_url=picky_simulator.base_url) as d:
        low = d.submit("919800000001", "later")
        high = d.submit("919800000002", "now", priority=pa.Priority.HIGH)
        await asyncio.gather(low, high)
    priorities = {r.number: r.priority for r in picky_simulator.messages}
    assert priorities == {"919800000001": 0, "919800000002": 1}
    assert picky_simulator.messages[0].number == "919800000002"


async def test_a_burst_of_high_priority_sends_folds(picky_simulator: Simulator) -> None:
    phone = picky_simulator.add_project(seconds_per_message=1.0)
    projects = [pa.Project(phone.token, seconds_per_message=1.0)]
    async with pa.Dispatcher(projects, base_url=picky_simulator.base_url) as d:
        codes = [
            d.submit(f"9198{n:08d}", f"code {n}", priority=pa.Priority.HIGH) for n in range(50)
        ]
        receipts = await asyncio.gather(*codes)
    assert len({r.push_id for r in receipts}) == 1
    assert picky_simulator.stats.requests["push"] == 1


async def test_a_borrowed_session_stays_open(picky_simulator: Simulator) -> None:
    phone = picky_simulator.add_project(seconds_per_message=0.1)
    async with aiohttp.ClientSession() as session:
        projects = [pa.Project(phone.token)]
        async with pa.Dispatcher(projects, base_url=picky_simulator.base_url, session=session) as d:
            await d.send("919800000001", "hi")
        assert not session.closed


async def test_every_project_offline_waits_for_a_probe(picky_simulator: Simulator) -> None:
    phone = picky_simulator.add_project(seconds_per_message=0.1)
    phone.state = ProjectState.OFFLINE
    projects = [pa.Project(phone.token, seconds_per_message=0.1)]
    loop = asyncio.get_running_loop()
    async with pa.Dispatcher(projects, base_url=picky_simulator.base_url) as d:
        waiting = d.submit("919800000001", "hi")
        await asyncio.sleep(30)
        assert not waiting.done()  # kept, not failed: the phone may come back
        phone.state = ProjectState.ONLINE
        start = loop.time()
        receipt = await waiting
        assert loop.time() - start <= 61  # the next probe within the status limit
    assert receipt.project == "project-1"


async def test_a_client_that_cannot_be_built_fails_the_waiting_sends() -> None:
    def broken(project: pa.Project) -> FakeClient:
        raise OSError("no route to the service")

    d = pa.Dispatcher([pa.Project("token")], client_factory=broken)
    waiting = d.submit("919800000001", "hi")
    with pytest.raises(pa.DispatcherClosed) as closed:
        await waiting
    assert isinstance(closed.value.__cause__, OSError)
    assert [m.number for m in closed.value.messages] == ["919800000001"]
    with pytest.raises(OSError, match="no route"):
        await d.close()


async def test_a_campaign_the_dispatcher_gave_up_on_keeps_the_cause() -> None:
    def broken(project: pa.Project) -> FakeClient:
        raise OSError("no route to the service")

    d = pa.Dispatcher([pa.Project("token")], client_factory=broken)
    messages = [pa.Message(f"9198{n:08d}", "hi") for n in range(3)]
    with pytest.raises(pa.DispatcherClosed) as closed:
        await d.send_many(messages)
    assert isinstance(closed.value.__cause__, OSError)
    assert closed.value.messages == tuple(messages)
    with pytest.raises(OSError, match="no route"):
        await d.close()


class ChaosClient(FakeClient):
    """Fails pushes and status checks at random; an uncertain push was accepted."""

    def __init__(self, rng: random.Random, accepted: list[str]) -> None:
        super().__init__()
        self.rng = rng
        self.accepted = accepted
        self.in_flight = self.most_in_flight = 0

    async def push_msg_ids(
        self, messages: Sequence[pa.Message], **options: Any
    ) -> tuple[str, list[str | None]]:
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            await asyncio.sleep(self.rng.uniform(0.001, 0.5))
        finally:
            self.in_flight -= 1
        roll = self.rng.random()
        if roll < 0.1:
            raise pa.DeviceUnreachable("offline", code=404)
        if roll < 0.15:
            raise pa.TransportError("connection refused")
        if roll < 0.2:
            raise pa.RateLimited("429", status=429)
        numbers = [m.number for m in messages]
        if roll < 0.25:
            self.accepted.extend(numbers)
            raise pa.DeliveryUncertain("no answer")
        if roll < 0.27:
            raise pa.InvalidPushId("odd answer", code=503)  # rejects this batch only
        self.accepted.extend(numbers)
        return "p", [f"{n}-id" for n in numbers]

    async def device_status(self) -> pa.DeviceStatus:
        await asyncio.sleep(0.01)
        if self.rng.random() < 0.3:
            raise pa.DeviceUnreachable("still offline", code=404)
        return pa.DeviceStatus(message_queue_count=self.rng.randint(0, 5))


@pytest.mark.parametrize("seed", range(12))
async def test_under_random_failures_every_message_is_answered_once(seed: int) -> None:
    rng = random.Random(seed)
    accepted: list[str] = []
    clients = [ChaosClient(rng, accepted) for _ in range(3)]
    messages = [pa.Message(f"9198{n:08d}", rng.choice(["a", "b"])) for n in range(300)]
    high = {m.number for m in messages if rng.random() < 0.1}
    async with dispatcher(*clients, horizon=2.0, max_batch=20, sticky=seed % 2 == 1) as d:
        futures = [
            d.submit(m.number, m.text, priority=pa.Priority.HIGH if m.number in high else 0)
            for m in messages
        ]
        results = await asyncio.gather(*futures, return_exceptions=True)
    assert [client.most_in_flight for client in clients] == [1, 1, 1]  # one push at a time
    times_accepted = collections.Counter(accepted)
    assert max(times_accepted.values()) == 1  # nothing went twice
    for message, result in zip(messages, results, strict=True):
        if isinstance(result, pa.Receipt):
            assert result.number == message.number
            assert result.msg_id == f"{message.number}-id"
            assert times_accepted[message.number] == 1
        elif isinstance(result, pa.DeliveryUncertain):
            assert times_accepted[message.number] == 1  # in this fake, it did arrive
        else:
            assert isinstance(result, pa.InvalidPushId)
            assert times_accepted[message.number] == 0


class UncopyableError(Exception):
    """An exception a custom pusher might raise, which copy.copy cannot rebuild."""

    def __init__(self, reason: str, *, detail: str) -> None:
        super().__init__(reason)
        self.detail = detail


@pytest.mark.parametrize(
    "error",
    [
        pa.EmptyMessage("the service found an empty message"),
        pa.DeliveryUncertain("no answer came", status=500),
    ],
)
async def test_callers_of_one_failed_push_each_get_their_own_error(error: pa.PickyError) -> None:
    error.__cause__ = ConnectionResetError("reset")
    async with dispatcher(FakeClient(push_errors=[error])) as d:
        futures = [d.submit(f"9198000000{n:02}", "hi") for n in range(3)]
        await asyncio.gather(*futures, return_exceptions=True)
    errors = [future.exception() for future in futures]
    assert len({id(e) for e in errors}) == 3  # a raise by one never touches another's
    for own in errors:
        assert type(own) is type(error)
        assert str(own) == str(error)
        assert own.__cause__ is error.__cause__


async def test_an_error_that_cannot_be_copied_is_shared_as_it_is() -> None:
    error = UncopyableError("custom", detail="x")
    async with dispatcher(FakeClient(push_errors=[error])) as d:
        futures = [d.submit(f"9198000000{n:02}", "hi") for n in range(2)]
        await asyncio.gather(*futures, return_exceptions=True)
    assert [future.exception() for future in futures] == [error, error]
