"""The dispatcher's pure parts: runs, queue, ledger, pacing, routing and folding."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

import picky_async as pa
from picky_async.dispatch._folding import Accumulator, fold
from picky_async.dispatch._ledger import Health, MemoryLedger
from picky_async.dispatch._pacing import low_room, refill_delay
from picky_async.dispatch._queue import MemoryQueue
from picky_async.dispatch._receipt import Receipt
from picky_async.dispatch._router import Router
from picky_async.dispatch._routing import EarliestFinish, rendezvous
from picky_async.dispatch._runs import Run, Span, cut
from picky_async.dispatch._sender import Sender


def run_of(
    count: int,
    *,
    high: bool = False,
    text: str = "hi",
    media: str | None = None,
    one: bool = False,
    first: int = 0,
) -> Run:
    messages = [pa.Message(f"9198{n:08d}", text, media) for n in range(first, first + count)]
    priority = pa.Priority.HIGH if high else pa.Priority.LOW
    loop = asyncio.get_running_loop()
    return Run(messages, priority, pa.Application.WHATSAPP, loop=loop, one=one)


def whole(run: Run, lane: str | None = None) -> Span:
    return Span(run, 0, len(run.messages), lane)


def numbers_of(span: Span | None) -> list[str]:
    assert span is not None
    return [message.number for message in span.messages()]


# -- runs and spans -------------------------------------------------------


async def test_cut_makes_one_span_per_media_and_lane_stretch() -> None:
    plain = run_of(5)
    assert [(s.start, s.stop) for s in cut(plain, 0, 5)] == [(0, 5)]
    assert [(s.start, s.stop) for s in cut(plain, 2, 4)] == [(2, 4)]
    assert cut(plain, 3, 3) == []
    mixed = Run(
        [pa.Message("919800000001", media=m) for m in ("a", "a", None, "a")],
        pa.Priority.LOW,
        pa.Application.WHATSAPP,
        loop=asyncio.get_running_loop(),
    )
    assert [(s.start, s.stop, s.media) for s in cut(mixed, 0, 4)] == [
        (0, 2, "a"),
        (2, 3, None),
        (3, 4, "a"),
    ]
    by_parity = cut(plain, 0, 5, lambda number: int(number) % 2)
    assert [(s.start, s.stop, s.lane) for s in by_parity] == [
        (0, 1, 0),
        (1, 2, 1),
        (2, 3, 0),
        (3, 4, 1),
        (4, 5, 0),
    ]


async def test_a_run_resolves_once_every_span_settled() -> None:
    run = run_of(5)
    settled: list[tuple[int, int]] = []
    run.on_settle = lambda settling, start, stop: settled.append((start, stop))
    tail = whole(run)
    head = tail.split(2)
    assert (head.start, head.stop, tail.start, tail.stop) == (0, 2, 2, 5)
    error = pa.InvalidNumber("no")
    tail.fail(error)
    assert not run.done()
    head.deliver("p1", ["m1", None], "north")
    assert settled == [(2, 5), (0, 2)]
    results = run.result()
    assert results[0] == Receipt("p1", "m1", "north", "919800000000", pa.Priority.LOW)
    assert isinstance(results[1], Receipt)
    assert results[1].msg_id is None
    assert results[2:] == [error, error, error]


async def test_a_run_of_one_resolves_to_its_receipt_or_raises() -> None:
    sent, refused = run_of(1, one=True), run_of(1, one=True)
    whole(sent).deliver("p1", ["m1"], "north")
    assert sent.result() == Receipt("p1", "m1", "north", "919800000000", pa.Priority.LOW)
    whole(refused).fail(pa.InvalidNumber("no"))
    with pytest.raises(pa.InvalidNumber):
        refused.result()


# -- queue ----------------------------------------------------------------


async def test_queue_is_fifo_within_each_priority_and_splits_spans() -> None:
    queue = MemoryQueue(10)
    low, later, high = run_of(3), run_of(2, first=3), run_of(2, high=True, first=5)
    queue.put_many([whole(low), whole(high), whole(later)])
    assert queue.depths() == (2, 5)
    assert numbers_of(queue.pop(None, high=True, limit=10)) == ["919800000005", "919800000006"]
    assert queue.pop(None, high=True, limit=10) is None
    assert numbers_of(queue.pop(None, high=False, limit=2)) == ["919800000000", "919800000001"]
    assert queue.depths() == (0, 3)
    assert numbers_of(queue.pop(None, high=False, limit=2)) == ["919800000002"]
    assert numbers_of(queue.pop(None, high=False, limit=2)) == ["919800000003", "919800000004"]
    assert len(queue) == 0


async def test_queue_refuses_past_max_pending_but_takes_requeues() -> None:
    queue = MemoryQueue(3)
    first, second = run_of(2), run_of(2, first=2)
    queue.put_many([whole(first)])
    with pytest.raises(asyncio.QueueFull):
        queue.put_many([whole(second)])
    assert len(queue) == 2  # all or nothing
    taken = queue.pop(None, high=False, limit=2)
    assert taken is not None
    queue.put_many([whole(second)])
    queue.requeue([taken])  # admitted once: always let back in, at the front
    assert len(queue) == 4
    assert queue.room() == 0
    assert numbers_of(queue.pop(None, high=False, limit=4)) == ["919800000000", "919800000001"]


async def test_waiting_for_room_wakes_when_messages_leave() -> None:
    queue = MemoryQueue(1)
    queue.put_many([whole(run_of(1))])
    waiter = asyncio.ensure_future(queue.wait_for_room())
    await asyncio.sleep(0)
    assert not waiter.done()
    queue.pop(None, high=False, limit=1)
    await asyncio.wait_for(waiter, 1)
    assert not queue.full()


async def test_cancelling_a_run_withdraws_its_queued_messages_at_once() -> None:
    queue = MemoryQueue(10)
    kept, cancelled = run_of(2), run_of(3, first=2)
    rest = whole(cancelled)
    assigned = rest.split(1)  # as if routed to a project already
    queue.put_many([rest, whole(kept)])
    assert isinstance(cancelled, asyncio.Future)
    assert cancelled.cancel()
    assert len(queue) == 2  # at once, not when it reaches the front
    assert numbers_of(queue.pop(None, high=False, limit=5)) == ["919800000000", "919800000001"]
    queue.requeue([assigned])  # a withdrawn run's messages never come back
    assert queue.pop(None, high=False, limit=5) is None
    assert len(queue) == 0
    assert not cancelled.cancel()


async def test_lanes_are_separate_and_can_be_emptied() -> None:
    queue = MemoryQueue(10)
    a, b = whole(run_of(1), "a"), whole(run_of(1, high=True), "b")
    queue.put_many([a, b])
    assert queue.pop("a", high=True, limit=1) is None
    assert queue.lane_spans("b") == [b]
    assert queue.take_all() == [a]
    assert len(queue) == 0


# -- ledger ---------------------------------------------------------------


def test_backlog_drains_in_loop_time_high_priority_first() -> None:
    ledger = MemoryLedger(pa.Project("t", seconds_per_message=2.0))
    ledger.add_work(100.0, 5, high=False)
    ledger.add_work(100.0, 2, high=True)
    assert ledger.backlog(100.0) == 14.0
    assert ledger.high_backlog(100.0) == 4.0
    assert ledger.backlog(103.0) == 11.0
    assert ledger.high_backlog(103.0) == 1.0
    ledger.correct(103.0, 3)  # the phone says 3 messages wait
    assert ledger.backlog(103.0) == 6.0
    assert ledger.backlog(200.0) == 0.0


def test_push_window_is_counted_from_answers() -> None:
    ledger = MemoryLedger(pa.Project("t", push_limit=pa.RateLimit(2, 10.0)))
    assert ledger.push_ready_at(0.0) == 0.0
    ledger.record_push(1.0)
    ledger.record_push(3.0)
    # the window is kept a little longer than the service's, never shorter
    assert 11.0 < ledger.push_ready_at(3.0) <= 11.5
    ledger.hold(50.0)
    assert ledger.push_ready_at(20.0) == 50.0


def health(ledger: MemoryLedger) -> Health:
    """Read the health afresh, so mypy does not keep an earlier assert's narrowing."""
    return ledger.health


def test_suspension_backs_off_and_disabling_is_final() -> None:
    ledger = MemoryLedger(pa.Project("t"))
    error = pa.DeviceUnreachable("gone")
    ledger.suspend(0.0, error)
    first = ledger.resume_at
    ledger.suspend(first, error)
    assert health(ledger) is Health.SUSPENDED
    assert ledger.resume_at - first > first  # the wait doubled
    ledger.recover()
    assert health(ledger) is Health.HEALTHY
    ledger.disable(pa.InsufficientBalance("broke"))
    ledger.recover()
    ledger.suspend(1.0, error)
    assert health(ledger) is Health.DISABLED
    assert isinstance(ledger.last_error, pa.InsufficientBalance)


# -- pacing ---------------------------------------------------------------


def test_room_fills_the_horizon_in_halves() -> None:
    assert low_room(0.0, 5.0, 60.0, 100) == 12
    assert low_room(31.0, 5.0, 60.0, 100) == 0  # above the refill level (30 s)
    assert refill_delay(31.0, 5.0, 60.0, 100) == pytest.approx(1.0)
    assert low_room(30.0, 5.0, 60.0, 100) == 6
    assert low_room(0.0, 0.001, 60.0, 100) == 100  # one push's worth at most
    assert low_room(0.0, 10.0, 5.0, 100) == 1  # an idle phone always gets one


@given(
    backlog=st.floats(0, 1000),
    spm=st.floats(0.001, 30),
    horizon=st.floats(0.01, 600),
    max_batch=st.integers(1, 200),
)
def test_room_never_overfills_the_horizon(
    backlog: float, spm: float, horizon: float, max_batch: int
) -> None:
    room = low_room(backlog, spm, horizon, max_batch)
    assert 0 <= room <= max_batch
    if room > 1 or (room and backlog > 1e-6):  # only an idle phone may get one past it
        assert backlog + room * spm <= horizon * (1 + 1e-9)
    if backlog == 0:
        assert room >= 1


# -- routing --------------------------------------------------------------


def test_earliest_finish_shares_in_proportion_to_speed() -> None:
    router: EarliestFinish[str] = EarliestFinish()
    router.offer("fast", finish=1.0, step=1.0, room=1000, order=0)
    router.offer("slow", finish=3.0, step=3.0, room=1000, order=1)
    router.offer("full", finish=0.0, step=1.0, room=2, order=2)
    assert dict(router.share(402)) == {"fast": 300, "slow": 100, "full": 2}
    assert router.share(40) == [("fast", 30), ("slow", 10)]  # where it left off


def test_earliest_finish_gives_all_the_room_when_messages_are_plenty() -> None:
    router: EarliestFinish[str] = EarliestFinish()
    router.offer("later", finish=5.0, step=1.0, room=3, order=0)
    router.offer("sooner", finish=1.0, step=1.0, room=2, order=1)
    router.offer("none", finish=0.0, step=1.0, room=0, order=2)
    assert router.share(10) == [("sooner", 2), ("later", 3)]
    assert not router
    assert router.share(10) == []


def test_earliest_finish_alternates_equal_targets() -> None:
    router: EarliestFinish[str] = EarliestFinish()
    for order, name in enumerate(("a", "b", "c")):
        router.offer(name, finish=1.0, step=1.0, room=100, order=order)
    assert router.share(7) == [("a", 3), ("b", 2), ("c", 2)]


def test_rendezvous_is_stable_and_moves_only_the_lost_names_keys() -> None:
    names = ["p1", "p2", "p3", "p4"]
    keys = [f"9198{n:08d}" for n in range(400)]
    before = {key: names[rendezvous(key, names)] for key in keys}
    assert before == {key: names[rendezvous(key, names)] for key in keys}
    assert set(before.values()) == set(names)
    rest = ["p1", "p2", "p4"]
    after = {key: rest[rendezvous(key, rest)] for key in keys}
    moved = {key for key in keys if before[key] != after[key]}
    assert moved == {key for key in keys if before[key] == "p3"}
    with pytest.raises(ValueError, match="at least one"):
        rendezvous("1", [])


async def test_filling_a_project_moves_only_its_room_when_batches_split_a_span() -> None:
    sender = Sender(pa.Project("tok-north-000000"), "north", max_batch=3, linger=0.0)
    queue = MemoryQueue(100)
    queue.put(whole(run_of(10)))
    router = Router([sender], queue, horizon=60.0, max_batch=3, sticky=False)
    assert router._fill(sender, None, high=False, room=4, now=0.0) == 4  # a batch of 3, and 1
    assert (len(sender.accumulator), len(queue)) == (4, 6)


# -- folding --------------------------------------------------------------


async def test_same_text_folds_into_a_global_message() -> None:
    same = run_of(3).messages
    messages, global_message = fold(same)
    assert global_message == "hi"
    assert [m.text for m in messages] == ["", "", ""]
    assert [m.number for m in messages] == [m.number for m in same]
    dynamic = [pa.Message("919800000001", "a"), pa.Message("919800000002", "b")]
    assert fold(dynamic) == (dynamic, None)


def test_folding_does_not_check_the_numbers_again(refuse_number_checks: Callable[[], None]) -> None:
    same = [pa.Message(f"9198{n:08d}", "hi", "https://x.example/a.png") for n in range(3)]
    rows = [pa.Message(message.number) for message in same]  # the push's rows, as before
    refuse_number_checks()
    assert fold(same) == (rows, "hi")


async def test_batches_leave_when_full_urgent_or_after_linger() -> None:
    acc = Accumulator(max_batch=3, linger=0.5)
    acc.add(whole(run_of(4)), 10.0)  # split across two batches
    full = acc.pop_ready(10.0, aging=60)
    assert full is not None
    assert full.count == 3
    assert [m.number for m in full.messages()] == [f"9198{n:08d}" for n in range(3)]
    assert acc.pop_ready(10.0, aging=60) is None  # the fourth waits for company
    assert acc.next_deadline() == 10.5
    acc.add(whole(run_of(1, media="https://x/y.png")), 10.2)  # another key: its own batch
    acc.add(whole(run_of(1, high=True)), 10.3)  # high priority leaves at once...
    acc.add(whole(run_of(1, high=True)), 10.3)  # ...with whatever joins it first
    assert acc.next_deadline() == 10.5
    urgent = acc.pop_ready(10.3, aging=60)
    assert urgent is not None
    assert urgent.high
    assert urgent.count == 2
    acc.seal(10.5)
    lingered = acc.pop_ready(10.5, aging=60)
    assert lingered is not None
    assert lingered.media is None
    assert [m.number for m in lingered.messages()] == ["919800000003"]
    assert len(acc) == 1
    assert [span.media for span in acc.take_all()] == ["https://x/y.png"]


async def test_a_batch_pushes_only_what_is_still_wanted() -> None:
    acc = Accumulator(max_batch=10, linger=0.0)
    kept, cancelled = run_of(2), run_of(3, first=2)
    acc.add(whole(kept), 0.0)
    acc.add(whole(cancelled), 0.0)
    cancelled.cancel()
    acc.seal(0.0)
    batch = acc.pop_ready(0.0, aging=60)
    assert batch is not None
    batch.drop_withdrawn()
    assert batch.count == 2
    assert [m.number for m in batch.messages()] == ["919800000000", "919800000001"]


async def test_an_aged_low_batch_goes_before_high_ones() -> None:
    acc = Accumulator(max_batch=1, linger=0.0)
    acc.add(whole(run_of(1)), 0.0)
    acc.add(whole(run_of(1, high=True)), 5.0)
    first = acc.pop_ready(5.0, aging=10.0)
    assert first is not None
    assert first.high
    acc.add(whole(run_of(1, high=True)), 12.0)
    second = acc.pop_ready(12.0, aging=10.0)
    assert second is not None
    assert not second.high
