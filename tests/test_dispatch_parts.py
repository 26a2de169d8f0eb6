"""The dispatcher's pure parts: queue, ledger, pacing, routing and folding."""

from __future__ import annotations

import asyncio
import collections

import pytest
from hypothesis import given
from hypothesis import strategies as st

import picky_async as pa
from picky_async.dispatch._folding import Accumulator, fold
from picky_async.dispatch._ledger import Health, MemoryLedger
from picky_async.dispatch._pacing import low_room, refill_delay
from picky_async.dispatch._queue import Entry, MemoryQueue
from picky_async.dispatch._receipt import match_pairs
from picky_async.dispatch._routing import EarliestFinish, rendezvous


def entry(
    number: str = "919800000001",
    text: str = "hi",
    *,
    high: bool = False,
    media: str | None = None,
    lane: str | None = None,
) -> Entry:
    priority = pa.Priority.HIGH if high else pa.Priority.LOW
    return Entry(pa.Message(number, text, media), priority, pa.Application.WHATSAPP, lane)


def numbered(count: int, *, high: bool = False) -> list[Entry]:
    return [entry(f"9198{n:08d}", high=high) for n in range(count)]


# -- queue ----------------------------------------------------------------


async def test_queue_is_fifo_within_each_priority() -> None:
    queue = MemoryQueue(10)
    lows, highs = numbered(3), numbered(2, high=True)
    for item in (lows[0], highs[0], lows[1], highs[1], lows[2]):
        queue.put(item)
    assert queue.depths() == (2, 3)
    assert [queue.pop(None, high=True) for _ in range(3)] == [*highs, None]
    assert [queue.pop(None, high=False) for _ in range(3)] == lows
    assert len(queue) == 0


async def test_queue_refuses_past_max_pending_but_takes_requeues() -> None:
    queue = MemoryQueue(2)
    first, second, third = numbered(3)
    queue.put(first)
    queue.put(second)
    with pytest.raises(asyncio.QueueFull):
        queue.put(third)
    taken = queue.pop(None, high=False)
    assert taken is first
    queue.put(third)
    queue.requeue([first])  # admitted once: always let back in, at the front
    assert len(queue) == 3
    assert [queue.pop(None, high=False) for _ in range(3)] == [first, second, third]


async def test_put_many_adds_all_in_order_or_none() -> None:
    queue = MemoryQueue(4)
    lows, highs = numbered(3), numbered(2, high=True)
    with pytest.raises(asyncio.QueueFull):
        queue.put_many([*lows, *highs])
    assert len(queue) == 0
    assert queue.room() == 4
    queue.put_many([lows[0], highs[0], lows[1]])
    assert queue.depths() == (1, 2)
    assert queue.room() == 1
    assert [queue.pop(None, high=False) for _ in range(3)] == [lows[0], lows[1], None]
    assert queue.pop(None, high=True) is highs[0]


async def test_waiting_for_room_wakes_when_an_entry_leaves() -> None:
    queue = MemoryQueue(1)
    queue.put(entry())
    waiter = asyncio.ensure_future(queue.wait_for_room())
    await asyncio.sleep(0)
    assert not waiter.done()
    queue.pop(None, high=False)
    await asyncio.wait_for(waiter, 1)
    assert not queue.full()


async def test_discarded_and_cancelled_entries_are_skipped_and_counted_out() -> None:
    queue = MemoryQueue(10)
    kept, discarded, cancelled = numbered(3)
    for item in (kept, discarded, cancelled):
        queue.put(item)
    assert queue.discard(discarded)
    assert not queue.discard(discarded)
    assert len(queue) == 2
    cancelled.cancel()
    assert queue.pop(None, high=False) is kept
    assert queue.pop(None, high=False) is None
    assert len(queue) == 0


async def test_an_entry_is_its_callers_future_and_cancelling_withdraws_it() -> None:
    queue = MemoryQueue(10)
    waiting, settled = numbered(2)
    queue.put(waiting)
    assert isinstance(waiting, asyncio.Future)
    assert waiting.cancel()
    assert waiting.cancelled()
    assert len(queue) == 0  # at once, not when it reaches the front
    assert queue.pop(None, high=False) is None
    settled.set_result(None)  # type: ignore[arg-type]
    assert not settled.cancel()


async def test_lanes_are_separate_and_can_be_emptied() -> None:
    queue = MemoryQueue(10)
    a, b = entry(lane="a"), entry(lane="b", high=True)
    queue.put(a)
    queue.put(b)
    assert queue.pop("a", high=True) is None
    assert queue.lane_entries("b") == [b]
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
    router.offer("fast", finish=1.0, step=1.0, room=1000)
    router.offer("slow", finish=3.0, step=3.0, room=1000)
    router.offer("full", finish=0.0, step=1.0, room=2)
    counts = collections.Counter(router.take() for _ in range(402))
    assert counts == {"fast": 300, "slow": 100, "full": 2}


def test_earliest_finish_runs_out_of_room() -> None:
    router: EarliestFinish[str] = EarliestFinish()
    router.offer("a", finish=0.0, step=1.0, room=1)
    router.offer("none", finish=0.0, step=1.0, room=0)
    assert router.take() == "a"
    assert not router
    with pytest.raises(IndexError):
        router.take()


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


# -- folding --------------------------------------------------------------


async def test_same_text_folds_into_a_global_message() -> None:
    entries = numbered(3)
    messages, global_message = fold(entries)
    assert global_message == "hi"
    assert [m.text for m in messages] == ["", "", ""]
    assert [m.number for m in messages] == [e.message.number for e in entries]
    dynamic = [entry("919800000001", "a"), entry("919800000002", "b")]
    messages, global_message = fold(dynamic)
    assert global_message is None
    assert [m.text for m in messages] == ["a", "b"]


async def test_batches_leave_when_full_urgent_or_after_linger() -> None:
    acc = Accumulator(max_batch=3, linger=0.5)
    for item in numbered(4):
        acc.add(item, 10.0)
    full = acc.pop_ready(10.0, aging=60)
    assert full is not None
    assert len(full.entries) == 3
    assert acc.pop_ready(10.0, aging=60) is None  # the fourth waits for company
    assert acc.next_deadline() == 10.5
    acc.add(entry(media="https://x/y.png"), 10.2)  # another key: its own batch
    acc.add(entry("919800000001", high=True), 10.3)  # high priority leaves at once...
    acc.add(entry("919800000002", high=True), 10.3)  # ...with whatever joins it first
    assert acc.next_deadline() == 10.5
    urgent = acc.pop_ready(10.3, aging=60)
    assert urgent is not None
    assert urgent.high
    assert len(urgent.entries) == 2
    acc.seal(10.5)
    lingered = acc.pop_ready(10.5, aging=60)
    assert lingered is not None
    assert lingered.media is None
    assert len(lingered.entries) == 1
    assert len(acc) == 1
    assert [e.message.media for e in acc.take_all()] == ["https://x/y.png"]


async def test_an_aged_low_batch_goes_before_high_ones() -> None:
    acc = Accumulator(max_batch=1, linger=0.0)
    acc.add(entry("919800000001"), 0.0)
    acc.add(entry("919800000002", high=True), 5.0)
    first = acc.pop_ready(5.0, aging=10.0)
    assert first is not None
    assert first.high
    acc.add(entry("919800000003", high=True), 12.0)
    second = acc.pop_ready(12.0, aging=10.0)
    assert second is not None
    assert not second.high


def test_msg_ids_match_by_position_or_else_by_number() -> None:
    numbers = ["919800000001", "919800000002", "919800000001"]

    lined_up = [("919800000001", "a"), ("919800000002", "b"), ("919800000001", "c")]
    assert match_pairs(numbers, lined_up) == ["a", "b", "c"]
    shuffled = [("919800000002", "b"), ("919800000001", "a"), ("919800000001", "c")]
    assert match_pairs(numbers, shuffled) == ["a", "b", "c"]
    partial = [("919800000002", "b")]
    assert match_pairs(numbers, partial) == [None, "b", None]
    assert match_pairs(numbers, shuffled[::2]) == ["c", "b", None]
    assert match_pairs(numbers, []) == [None, None, None]
