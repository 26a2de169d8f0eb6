"""The Dispatcher against the Simulator, with minutes of phone time fast-forwarded."""

from __future__ import annotations

import asyncio
import collections

import pytest

import picky_async as pa
from picky_async.testing import FaultKind, ProjectState, Simulator

pytestmark = pytest.mark.looptime

PUSH_LIMIT = pa.RateLimit(90, 60.0)
STATUS_LIMIT = pa.RateLimit(3, 60.0)


def add_projects(
    sim: Simulator, *speeds: float, push_limit: pa.RateLimit = PUSH_LIMIT
) -> list[pa.Project]:
    """Projects on the Simulator, and the Dispatcher's view of them."""
    projects = []
    for speed in speeds:
        sim_project = sim.add_project(seconds_per_message=speed, push_limit=push_limit)
        projects.append(
            pa.Project(
                sim_project.token,
                name=sim_project.name,
                seconds_per_message=speed,
                push_limit=push_limit,
            )
        )
    return projects


def campaign(count: int, text: str = "hello") -> list[pa.Message]:
    return [pa.Message(f"9198{n:08d}", text) for n in range(count)]


def numbers_accepted(sim: Simulator) -> collections.Counter[str]:
    return collections.Counter(record.number for record in sim.messages)


async def test_folding_1000_sends_into_full_pushes(picky_simulator: Simulator) -> None:
    projects = add_projects(picky_simulator, 0.01)
    async with pa.Dispatcher(projects, base_url=picky_simulator.base_url, horizon=3600) as d:
        futures = [d.submit(m.number, "hello") for m in campaign(1000)]
        receipts = await asyncio.gather(*futures)
    assert picky_simulator.stats.requests["push"] == 10
    assert len({r.push_id for r in receipts}) == 10
    assert {r.text for r in picky_simulator.messages} == {"hello"}  # sent as the global message
    assert numbers_accepted(picky_simulator) == collections.Counter(
        m.number for m in campaign(1000)
    )


async def test_dynamic_texts_fold_too_and_msg_ids_come_back(picky_simulator: Simulator) -> None:
    projects = add_projects(picky_simulator, 0.01)
    messages = [pa.Message(f"9198{n:08d}", f"bill {n}") for n in range(250)]
    async with pa.Dispatcher(projects, base_url=picky_simulator.base_url, horizon=3600) as d:
        receipts = await d.send_many(messages)
    assert picky_simulator.stats.requests["push"] == 3
    by_number = {record.number: record for record in picky_simulator.messages}
    for message, receipt in zip(messages, receipts, strict=True):
        record = by_number[receipt.number]
        assert record.text == message.text
        assert receipt.msg_id == record.msg_id
        assert receipt.push_id == record.push_id


async def test_media_folds_by_url(picky_simulator: Simulator) -> None:
    projects = add_projects(picky_simulator, 0.01)
    poster, flyer = "https://example.org/poster.png", "https://example.org/flyer.pdf"
    async with pa.Dispatcher(projects, base_url=picky_simulator.base_url) as d:
        await asyncio.gather(
            *(d.submit(f"9198{n:08d}", "sale", media=poster) for n in range(3)),
            *(d.submit(f"9197{n:08d}", "menu", media=flyer) for n in range(2)),
        )
    assert picky_simulator.stats.requests["push"] == 2
    media = {r.number[:4]: r.media for r in picky_simulator.messages}
    assert media == {"9198": poster, "9197": flyer}


async def test_a_lone_message_lingers_but_a_full_batch_does_not(
    picky_simulator: Simulator,
) -> None:
    projects = add_projects(picky_simulator, 0.01)
    loop = asyncio.get_running_loop()
    async with pa.Dispatcher(
        projects, base_url=picky_simulator.base_url, horizon=3600, linger=30.0, max_batch=50
    ) as d:
        start = loop.time()
        await d.send_many(campaign(100))
        assert loop.time() - start < 1.0  # two full batches: linger never held them
        start = loop.time()
        await d.send("919812345678", "alone")
        assert 30.0 <= loop.time() - start < 31.0


async def test_the_phone_queue_stays_within_the_horizon(picky_simulator: Simulator) -> None:
    projects = add_projects(picky_simulator, 1.0)
    phone = picky_simulator.projects[0]
    longest = 0

    def sample(done: int, total: int) -> None:
        nonlocal longest
        longest = max(longest, phone.message_queue_count)

    async with pa.Dispatcher(projects, base_url=picky_simulator.base_url, horizon=10.0) as d:
        sampler = asyncio.create_task(d.send_many(campaign(120), progress=sample))
        while not sampler.done():
            longest = max(longest, phone.message_queue_count)
            await asyncio.sleep(0.25)
        await sampler
    assert 5 <= longest <= 11  # 10 s of work, plus rounding up to a whole message
    assert picky_simulator.stats.requests["push"] <= 30  # topped up in halves, not one by one


async def test_no_request_is_ever_over_the_limit(picky_simulator: Simulator) -> None:
    tight = pa.RateLimit(4, 60.0)
    projects = add_projects(picky_simulator, 0.1, 0.1, push_limit=tight)
    loop = asyncio.get_running_loop()
    start = loop.time()
    async with pa.Dispatcher(projects, base_url=picky_simulator.base_url, max_batch=5) as d:
        await d.send_many(campaign(100))
    assert picky_simulator.stats.requests["push"] == 20
    assert picky_simulator.stats.over_limit == collections.Counter()
    assert loop.time() - start > 120  # 20 pushes at 8 a minute need two minutes and more
    assert picky_simulator.stats.requests["device-status"] > 0  # polled, within its limit too


async def test_a_high_priority_send_overtakes_a_backlog(picky_simulator: Simulator) -> None:
    projects = add_projects(picky_simulator, 1.0)
    loop = asyncio.get_running_loop()
    async with pa.Dispatcher(projects, base_url=picky_simulator.base_url, horizon=20.0) as d:
        backlog = [d.submit(m.number, "newsletter") for m in campaign(1000)]
        await asyncio.sleep(60)
        start = loop.time()
        receipt = await d.send("919899999999", "your code is 1234", priority=pa.Priority.HIGH)
        assert loop.time() - start < 1.0
        assert receipt.priority is pa.Priority.HIGH
        await asyncio.sleep(5)
        await d.close(drain=False)
    sent = [record.number for record in picky_simulator.sent]
    assert "919899999999" in sent[:62]  # sent next, ahead of the phone's queued work
    assert sum(future.done() and future.exception() is None for future in backlog) < 100
    for future in backlog:
        assert future.done()


async def test_shares_follow_phone_speed(picky_simulator: Simulator) -> None:
    projects = add_projects(picky_simulator, 1.0, 2.0, 4.0)
    async with pa.Dispatcher(projects, base_url=picky_simulator.base_url, horizon=20.0) as d:
        receipts = await d.send_many(campaign(700))
    shares = collections.Counter(receipt.project for receipt in receipts)
    assert shares["project-1"] == pytest.approx(400, rel=0.1)
    assert shares["project-2"] == pytest.approx(200, rel=0.1)
    assert shares["project-3"] == pytest.approx(100, rel=0.15)
    assert picky_simulator.stats.over_limit == collections.Counter()


async def test_sticky_recipients_keep_their_project(picky_simulator: Simulator) -> None:
    projects = add_projects(picky_simulator, 0.1, 0.1, 0.1)
    numbers = [m.number for m in campaign(60)]
    rounds: list[dict[str, str]] = []
    for _ in range(2):  # a second dispatcher (another process) agrees
        async with pa.Dispatcher(projects, base_url=picky_simulator.base_url, sticky=True) as d:
            for _ in range(3):
                receipts = await d.send_many(pa.Message(n, "hi") for n in numbers)
                rounds.append({r.number: r.project for r in receipts})
    assert all(mapping == rounds[0] for mapping in rounds)
    assert set(rounds[0].values()) == {"project-1", "project-2", "project-3"}


async def test_failover_loses_and_duplicates_nothing(
    picky_simulator: Simulator, caplog: pytest.LogCaptureFixture
) -> None:
    projects = add_projects(picky_simulator, 0.5, 0.5, 0.5)
    messages = campaign(600)
    async with pa.Dispatcher(projects, base_url=picky_simulator.base_url, horizon=10.0) as d:
        running = asyncio.create_task(d.send_many(messages))
        await asyncio.sleep(30)
        picky_simulator.project("project-2").state = ProjectState.OFFLINE
        await asyncio.sleep(30)
        assert d.stats().projects[1].health == "suspended"
        receipts = await running
    assert numbers_accepted(picky_simulator) == collections.Counter(m.number for m in messages)
    assert [r.number for r in receipts] == [m.number for m in messages]
    assert picky_simulator.stats.over_limit == collections.Counter()
    assert "project project-2 suspended" in caplog.text
    assert not any(project.token in caplog.text for project in projects)


async def test_a_suspended_project_comes_back_after_a_probe(picky_simulator: Simulator) -> None:
    projects = add_projects(picky_simulator, 0.5, 0.5)
    picky_simulator.project("project-1").state = ProjectState.OFFLINE
    async with pa.Dispatcher(projects, base_url=picky_simulator.base_url, horizon=5.0) as d:
        first = await d.send_many(campaign(40))
        picky_simulator.project("project-1").state = ProjectState.ONLINE
        await asyncio.sleep(120)  # a probe within the status limit finds it back
        assert d.stats().projects[0].health == "healthy"
        later = await d.send_many(campaign(40))
    assert {r.project for r in first} == {"project-2"}
    assert "project-1" in {r.project for r in later}


async def test_sticky_failover_moves_only_the_lost_projects_recipients(
    picky_simulator: Simulator,
) -> None:
    projects = add_projects(picky_simulator, 0.1, 0.1, 0.1)
    numbers = [m.number for m in campaign(90)]
    offline = picky_simulator.project("project-3")
    async with pa.Dispatcher(projects, base_url=picky_simulator.base_url, sticky=True) as d:

        async def where(text: str) -> dict[str, str]:
            receipts = await d.send_many(pa.Message(n, text) for n in numbers)
            return {r.number: r.project for r in receipts}

        before = await where("a")
        offline.state = ProjectState.OFFLINE
        during = await where("b")
        offline.state = ProjectState.ONLINE
        await asyncio.sleep(120)  # probed, and back
        after = await where("c")
    moved = {n for n in numbers if before[n] != during[n]}
    assert moved == {n for n in numbers if before[n] == "project-3"}
    assert "project-3" not in during.values()
    assert after == before  # moved only while their project was down
    assert sum(numbers_accepted(picky_simulator).values()) == 3 * len(numbers)


async def test_disabled_projects_give_way_then_fail_with_the_last_error(
    picky_simulator: Simulator,
) -> None:
    projects = add_projects(picky_simulator, 0.1, 0.1)
    picky_simulator.project("project-1").state = ProjectState.NO_BALANCE
    async with pa.Dispatcher(projects, base_url=picky_simulator.base_url) as d:
        receipts = await d.send_many(campaign(50))
        assert {r.project for r in receipts} == {"project-2"}
        assert d.stats().projects[0].health == "disabled"
        picky_simulator.project("project-2").state = ProjectState.INVALID_USER
        with pytest.raises(pa.InvalidUser):
            await d.send("919812345678", "nobody can send this")
    assert len(picky_simulator.messages) == 50


async def test_an_uncertain_push_is_not_resent(picky_simulator: Simulator) -> None:
    projects = add_projects(picky_simulator, 0.1, 0.1)
    picky_simulator.faults.add(FaultKind.LOST_ANSWER, endpoint="push", times=1)
    async with pa.Dispatcher(projects, base_url=picky_simulator.base_url) as d:
        results = await d.send_many(campaign(200), return_exceptions=True)
    uncertain = [r for r in results if isinstance(r, pa.DeliveryUncertain)]
    assert 0 < len(uncertain) < 200
    assert all(isinstance(r, (pa.Receipt, pa.DeliveryUncertain)) for r in results)
    # the lost push was accepted: every message reached a phone exactly once
    assert numbers_accepted(picky_simulator) == collections.Counter(m.number for m in campaign(200))


async def test_uncertain_pushes_are_resent_only_when_asked(picky_simulator: Simulator) -> None:
    projects = add_projects(picky_simulator, 0.1, 0.1)
    picky_simulator.faults.add(FaultKind.LOST_ANSWER, endpoint="push", times=1)
    async with pa.Dispatcher(
        projects, base_url=picky_simulator.base_url, resend_uncertain=True
    ) as d:
        receipts = await d.send_many(campaign(200))
    assert len(receipts) == 200
    counts = numbers_accepted(picky_simulator)
    assert max(counts.values()) == 2  # the price of resending: some went twice


async def test_refused_requests_are_requeued_for_the_others(picky_simulator: Simulator) -> None:
    projects = add_projects(picky_simulator, 0.1, 0.1)
    picky_simulator.faults.add(FaultKind.SERVER_ERROR, endpoint="push", times=2)
    picky_simulator.faults.add(FaultKind.RESET, endpoint="push", times=1)
    async with pa.Dispatcher(projects, base_url=picky_simulator.base_url) as d:
        receipts = await d.send_many(campaign(300), return_exceptions=True)
    assert all(isinstance(r, (pa.Receipt, pa.DeliveryUncertain)) for r in receipts)
    accepted = numbers_accepted(picky_simulator)
    assert max(accepted.values()) == 1
    assert {r.number for r in receipts if isinstance(r, pa.Receipt)} <= set(accepted)


async def test_a_429_pauses_the_project_and_requeues(picky_simulator: Simulator) -> None:
    # Another process shares the token: the service counts more than we do.
    sim_project = picky_simulator.add_project(
        seconds_per_message=0.1, push_limit=pa.RateLimit(2, 60.0)
    )
    projects = [pa.Project(sim_project.token, seconds_per_message=0.1)]
    async with pa.Dispatcher(projects, base_url=picky_simulator.base_url, max_batch=10) as d:
        receipts = await d.send_many(campaign(50))
    assert len(receipts) == 50
    assert picky_simulator.stats.over_limit[sim_project.name] >= 1
    assert numbers_accepted(picky_simulator) == collections.Counter(m.number for m in campaign(50))


async def test_close_without_draining_hands_back_the_unsent(picky_simulator: Simulator) -> None:
    projects = add_projects(picky_simulator, 1.0)
    d = pa.Dispatcher(projects, base_url=picky_simulator.base_url, horizon=10.0)
    futures = [d.submit(m.number, "hi") for m in campaign(100)]
    await asyncio.sleep(15)
    await d.close(drain=False)
    sent = [f.result() for f in futures if f.exception() is None]
    unsent: list[str] = []
    for future, message in zip(futures, campaign(100, "hi"), strict=True):
        if (closed := future.exception()) is not None:
            assert isinstance(closed, pa.DispatcherClosed)
            assert closed.messages == (message,)  # each caller's error lists its own
            unsent.append(message.number)
    assert len(sent) + len(unsent) == 100
    assert {r.number for r in sent} == set(numbers_accepted(picky_simulator))
    assert not set(unsent) & set(numbers_accepted(picky_simulator))
    with pytest.raises(pa.DispatcherClosed):
        d.submit("919812345678", "too late")


async def test_cancelling_a_send_withdraws_the_message(picky_simulator: Simulator) -> None:
    projects = add_projects(picky_simulator, 1.0)
    async with pa.Dispatcher(projects, base_url=picky_simulator.base_url, horizon=5.0) as d:
        backlog = [d.submit(m.number, "hi") for m in campaign(20)]
        waiting = asyncio.create_task(d.send("919811111111", "never mind"))
        dropped = d.submit("919822222222", "never mind either")
        await asyncio.sleep(1)
        waiting.cancel()
        dropped.cancel()
        await asyncio.gather(*backlog)
        assert d.stats().pending == 0
    accepted = numbers_accepted(picky_simulator)
    assert "919811111111" not in accepted
    assert "919822222222" not in accepted
    assert len(accepted) == 20


async def test_backpressure_bounds_the_queue(picky_simulator: Simulator) -> None:
    projects = add_projects(picky_simulator, 1.0)
    async with pa.Dispatcher(
        projects, base_url=picky_simulator.base_url, horizon=2.0, max_pending=5
    ) as d:
        futures = [d.submit(m.number, "hi") for m in campaign(5)]
        with pytest.raises(asyncio.QueueFull):
            d.submit("919812345678", "no room")
        with pytest.raises(asyncio.QueueFull):
            await d.send("919812345678", "no room", block=False)
        deepest = 0

        def watch(done: int, total: int) -> None:
            nonlocal deepest
            stats = d.stats()
            deepest = max(deepest, stats.queued_high + stats.queued_low)

        more = [pa.Message(f"9197{n:08d}", "later") for n in range(30)]
        receipts = await d.send_many(more, progress=watch)
        await asyncio.gather(*futures)
    assert deepest <= 5
    assert len(receipts) == 30


async def test_bad_input_raises_before_queueing(picky_simulator: Simulator) -> None:
    projects = add_projects(picky_simulator, 0.1)
    async with pa.Dispatcher(projects, base_url=picky_simulator.base_url) as d:
        with pytest.raises(pa.InvalidNumber):
            await d.send("+0 123", "hi")
        with pytest.raises(pa.EmptyMessage):
            d.submit("919812345678", "")
        with pytest.raises(pa.EmptyMessage):
            await d.send_many([pa.Message("919812345678")])
        with pytest.raises(ValueError, match="Priority"):
            d.submit("919812345678", "hi", priority=7)
        assert d.stats().pending == 0
        media_only = await d.send("919812345678", media="https://example.org/a.png")
    assert media_only.number == "919812345678"
    assert picky_simulator.stats.requests["push"] == 1


def test_names_and_reprs_never_show_tokens() -> None:
    projects = [pa.Project("secret-token-1"), pa.Project("secret-token-2", name="sales")]
    d = pa.Dispatcher(projects)
    assert "secret" not in repr(d)
    assert "secret" not in repr(projects[0])
    assert "project-1" in repr(d)
    assert "sales" in repr(d)
    with pytest.raises(ValueError, match="token"):
        pa.Dispatcher([pa.Project("same"), pa.Project("same")])
    with pytest.raises(ValueError, match="at least one"):
        pa.Dispatcher([])


async def test_closing_mid_campaign_drains_what_was_queued(picky_simulator: Simulator) -> None:
    projects = add_projects(picky_simulator, 1.0)
    d = pa.Dispatcher(projects, base_url=picky_simulator.base_url, horizon=5.0, max_pending=10)
    running = asyncio.create_task(d.send_many(campaign(100)))
    await asyncio.sleep(20)
    await d.close()  # drains: every queued message still goes
    with pytest.raises(pa.DispatcherClosed) as closed:
        await running
    accepted = numbers_accepted(picky_simulator)
    assert 10 < len(accepted) < 100
    assert max(accepted.values()) == 1
    assert closed.value.messages[0].number not in accepted  # the first one refused
    assert d.stats().pending == 0
