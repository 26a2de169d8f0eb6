"""The scheduler's heaps: deadlines, the finish index and lazy water-filling."""

from __future__ import annotations

import math
from collections.abc import Iterator

from hypothesis import given
from hypothesis import strategies as st

from picky_async.dispatch._deadlines import Deadlines
from picky_async.dispatch._finish_index import FinishIndex
from picky_async.dispatch._routing import EarliestFinish, Offer

# -- deadlines --------------------------------------------------------------


def test_deadlines_keep_only_each_targets_last_one() -> None:
    deadlines: Deadlines[str] = Deadlines()
    deadlines.set("a", 5.0)
    deadlines.set("b", 3.0)
    deadlines.set("b", 7.0)  # replaces 3.0, which stays in the heap as stale
    deadlines.set("c", 4.0)
    deadlines.set("c", math.inf)  # none any more
    assert deadlines.earliest() == 5.0
    assert deadlines.pop_due(6.0) == ["a"]
    assert deadlines.pop_due(6.0) == []
    deadlines.set("a", 1.0)
    deadlines.set("a", 1.0)  # the same again: still one
    assert deadlines.pop_due(10.0) == ["a", "b"]
    assert deadlines.earliest() == math.inf


def test_deadlines_stay_small_however_often_they_move() -> None:
    deadlines: Deadlines[int] = Deadlines()
    for step in range(10_000):
        deadlines.set(step % 10, float(step))
    assert len(deadlines._heap) < 200
    assert deadlines.pop_due(math.inf) == list(range(10))


# -- the finish index -------------------------------------------------------

entries = st.lists(
    st.tuples(
        st.sampled_from([-math.inf, 0.0, 2.0, 5.0, math.inf]),  # opens
        st.integers(0, 8).map(float),  # idle_from
        st.integers(1, 4).map(float),  # lead
    ),
    min_size=0,
    max_size=12,
)


# The scheduler's clock never goes back, so ``now`` is never before the peek at 1.0.
@given(entries, entries, st.integers(1, 10).map(float))
def test_finish_index_pops_in_order_of_finish_among_the_open(
    first: list[tuple[float, float, float]],
    second: list[tuple[float, float, float]],
    now: float,
) -> None:
    index: FinishIndex[int] = FinishIndex()
    for target, (opens, idle_from, lead) in enumerate(first):
        index.file(target, order=target, opens=opens, idle_from=idle_from, lead=lead)
    index.peek(1.0)  # looking earlier moves nothing wrongly
    latest = dict(enumerate(first))
    for target, entry in enumerate(second):  # re-filed: only the last filing counts
        if target % 3 == 0:
            index.remove(target)
            latest.pop(target, None)
        else:
            opens, idle_from, lead = entry
            index.file(target, order=target, opens=opens, idle_from=idle_from, lead=lead)
            latest[target] = entry
    expected = sorted(
        (max(idle_from, now) + lead, target)
        for target, (opens, idle_from, lead) in latest.items()
        if opens <= now
    )
    popped = []
    while (peeked := index.peek(now)) is not None:
        found = index.pop(now)
        assert found is not None
        assert found[:2] == peeked
        popped.append((found[0], found[2]))
    assert popped == expected


# -- lazy water-filling -----------------------------------------------------

offers = st.lists(
    st.tuples(st.integers(0, 20).map(float), st.integers(1, 5).map(float), st.integers(0, 30)),
    max_size=8,
)


@given(offers, offers, st.integers(0, 120))
def test_offers_taken_lazily_share_as_if_all_were_offered(
    eager: list[tuple[float, float, int]], lazy: list[tuple[float, float, int]], count: int
) -> None:
    """The first offers go in at once, the rest come in order of finish when needed."""
    every: EarliestFinish[int] = EarliestFinish()
    some: EarliestFinish[int] = EarliestFinish()
    for order, (finish, step, room) in enumerate(eager):
        every.offer(order, finish=finish, step=step, room=room, order=order)
        some.offer(order, finish=finish, step=step, room=room, order=order)
    later: list[Offer[int]] = []
    for order, (finish, step, room) in enumerate(lazy, start=len(eager)):
        every.offer(order, finish=finish, step=step, room=room, order=order)
        if room:
            later.append((finish, order, step, room, order))
    assert some.share(count, iter(sorted(later))) == every.share(count)


def test_lazy_offers_are_taken_only_as_far_as_they_matter() -> None:
    taken: list[int] = []

    def source() -> Iterator[Offer[int]]:
        for n in range(1_000):
            taken.append(n)
            yield float(n), n, 1.0, 10, n

    router: EarliestFinish[int] = EarliestFinish()
    assert router.share(1, source()) == [(0, 1)]
    assert len(taken) <= 3  # the winner, and the next one to compare with
