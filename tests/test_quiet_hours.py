"""Whose night it is: quiet hours judged from a number's time zones."""

from __future__ import annotations

from datetime import datetime, time, timezone

import pytest

from picky_async.dispatch._quiet import QuietHours


def quiet(at: datetime, hours: tuple[time, time] = (time(21), time(9))) -> QuietHours:
    return QuietHours(hours, default_timezone="Asia/Kolkata", apply_to_high=False, clock=lambda: at)


def utc(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    ("now", "release"),
    [
        (utc(1, 15, 29), None),  # 20:59 in India
        (utc(1, 15, 30), utc(2, 3, 30)),  # 21:00: until 09:00 tomorrow
        (utc(1, 20, 0), utc(2, 3, 30)),  # 01:30: until 09:00 today
        (utc(2, 3, 30), None),  # 09:00: morning
    ],
)
def test_a_night_spanning_midnight(now: datetime, release: datetime | None) -> None:
    assert quiet(now).releases(["919812345678"]) == [release]


def test_a_window_within_one_day() -> None:
    siesta = (time(13), time(15))
    assert quiet(utc(1, 8, 0), siesta).releases(["919812345678"]) == [utc(1, 9, 30)]
    assert quiet(utc(1, 10, 0), siesta).releases(["919812345678"]) == [None]


def test_a_number_of_many_zones_is_quiet_until_its_latest_morning() -> None:
    # 12:00 UTC: 20:00 in Perth (awake), 22:00 in Brisbane, 23:00 in Sydney.
    hours = quiet(utc(1, 12, 0))
    assert len(hours.zones("61412345678")) > 1  # an Australian mobile: any of the country's
    assert hours.releases(["61412345678"]) == [utc(1, 23, 0)]  # 09:00 in Brisbane


def test_recipients_in_one_call_get_their_own_zones() -> None:
    hours = quiet(utc(1, 22, 30))  # 04:00 in India, 22:30 in London, 17:30 in New York
    releases = hours.releases(["919812345678", "447911123456", "12125551234", "919812345679"])
    assert releases == [utc(2, 3, 30), utc(2, 9, 0), None, utc(2, 3, 30)]


def test_zones_are_cached_per_prefix_and_length() -> None:
    hours = quiet(utc(1, 12, 0))
    assert hours.zones("12125551234") is hours.zones("12125551299")
    assert hours.zones("13105551234")[0].key == "America/Los_Angeles"


def test_a_naive_clock_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        quiet(datetime(2026, 12, 1, 12, 0)).releases(["919812345678"])
