from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from picky_async import RateLimit
from picky_async.core import SlidingWindow


def test_rate_limit_rejects_nonsense() -> None:
    with pytest.raises(ValueError, match="count"):
        RateLimit(0, 60)
    with pytest.raises(ValueError, match="period"):
        RateLimit(3, 0)


def test_window_admits_up_to_the_count_then_refuses() -> None:
    window = SlidingWindow(RateLimit(3, 60))
    assert [window.try_acquire(t) for t in (0.0, 1.0, 2.0, 3.0)] == [True, True, True, False]
    assert window.count(3.0) == 3
    assert window.next_free(3.0) == 60.0
    assert not window.try_acquire(59.9)
    assert window.try_acquire(60.0)
    assert window.next_free(60.0) == 61.0


def test_record_counts_even_over_the_limit() -> None:
    window = SlidingWindow(RateLimit(1, 10))
    window.record(0.0)
    window.record(1.0)
    assert window.count(1.0) == 2
    assert window.next_free(1.0) == 11.0


@given(
    count=st.integers(1, 5),
    period=st.floats(0.5, 100),
    gaps=st.lists(st.floats(0, 30), min_size=1, max_size=60),
)
def test_admitted_events_never_exceed_the_limit_in_any_window(
    count: int, period: float, gaps: list[float]
) -> None:
    window = SlidingWindow(RateLimit(count, period))
    now, admitted = 0.0, []
    for gap in gaps:
        now += gap
        at = window.next_free(now)
        assert window.try_acquire(at)
        admitted.append(at)
        now = at
    for i, start in enumerate(admitted):
        inside = [t for t in admitted[i:] if t < start + period]
        assert len(inside) <= count
