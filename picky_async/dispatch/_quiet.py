"""Quiet hours: when a recipient's night ends, judged from the number's time zones.

A number's time zones are phonenumbers' ``time_zones_for_number`` (the
``numbers`` extra): its prefix's zones for a fixed line (and a mobile in
countries whose mobiles are regional), else its country's. In a country of
one zone (India, and all but some twenty) that is the country's zone,
found at once. Elsewhere it costs some 20 us, and depends in practice on the
number's leading digits and length only, so it is cached per 9-digit prefix
and length. A number it cannot
place (or any number, without the extra) is in ``default_timezone``.
A number with several zones (a mobile in the USA or Australia) is quiet
while it is night in any of them, and released at the latest morning.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..core import _regional, time_zone

__all__ = ["Clock", "QuietHours", "aware_now", "local_day", "wall_clock"]

Clock = Callable[[], datetime]
"""What tells the current time: an aware datetime."""

_DAY = timedelta(days=1)
# The zones are cached per number prefix and length: phonenumbers finds a
# number's type and zones from its leading digits (its zone data's longest
# prefix is 9 digits with the country code).
_PREFIX = 9
_CACHED = 100_000  # prefixes remembered before starting afresh


def wall_clock() -> datetime:
    """The current time, in UTC."""
    return datetime.now(timezone.utc)


class QuietHours:
    """Which recipients are in their night now, and when each one's morning comes.

    ``hours`` is ``(start, end)`` in the recipient's local time; a start after
    the end spans midnight, as ``(time(21), time(9))`` does.

    Raises:
        ValueError: for ``hours`` that are not two different naive
            :class:`datetime.time`, or a ``default_timezone`` zoneinfo does not know.
    """

    def __init__(
        self,
        hours: tuple[time, time],
        *,
        default_timezone: str,
        apply_to_high: bool,
        clock: Clock,
    ) -> None:
        self.start, self.end = _checked_hours(hours)
        self.default = (time_zone(default_timezone, "default_timezone"),)
        self.apply_to_high = apply_to_high
        self.clock = clock
        self._cache: dict[tuple[str, int], tuple[ZoneInfo, ...]] = {}

    def releases(self, numbers: Iterable[str]) -> list[datetime | None]:
        """For each number, when its quiet hours end (UTC), or ``None`` when not quiet now.

        Raises:
            ValueError: when the clock gave a naive datetime, which is in no zone.
        """
        now = aware_now(self.clock)
        found: dict[tuple[ZoneInfo, ...], datetime | None] = {}
        releases = []
        for number in numbers:
            zones = self.zones(number)
            if zones not in found:
                found[zones] = self._release(now, zones)
            releases.append(found[zones])
        return releases

    def zones(self, number: str) -> tuple[ZoneInfo, ...]:
        """The time zones of ``number`` (digits with country code)."""
        if not _regional.installed():
            return self.default
        key = (number[:_PREFIX], len(number))
        zones = self._cache.get(key)
        if zones is None:
            zones = _zones_of_country(number) or _zones_of_number(number)
            if not zones:
                return self.default  # not cached: another number of the prefix may be placed
            if len(self._cache) >= _CACHED:
                self._cache.clear()
            self._cache[key] = zones
        return zones

    def _release(self, now: datetime, zones: tuple[ZoneInfo, ...]) -> datetime | None:
        """When the night ends in every one of ``zones`` where it is night now."""
        mornings = [m for z in zones if (m := self._morning(now.astimezone(z))) is not None]
        return max(mornings, default=None)

    def _morning(self, local: datetime) -> datetime | None:
        """The end of the quiet hours ``local`` is in (UTC), or ``None`` outside them."""
        at, start, end = local.time(), self.start, self.end
        if start < end:
            if not start <= at < end:
                return None
            day = local.date()
        elif end <= at < start:
            return None
        else:
            day = local.date() + _DAY if at >= start else local.date()
        return datetime.combine(day, end, tzinfo=local.tzinfo).astimezone(timezone.utc)


def local_day(clock: Clock, zone: ZoneInfo) -> str:
    """Today's date in ``zone`` by ``clock``, as ISO (``"2026-12-01"``): a daily tally's day.

    Raises:
        ValueError: when the clock gave a naive datetime, which is in no zone.
    """
    return aware_now(clock).astimezone(zone).date().isoformat()


def aware_now(clock: Clock) -> datetime:
    """The time ``clock`` tells.

    Raises:
        ValueError: when it is naive: in no zone, so no local time can be read from it.
    """
    now = clock()
    if now.utcoffset() is None:
        raise ValueError(f"clock must return an aware datetime, got {now!r}")
    return now


def _checked_hours(hours: object) -> tuple[time, time]:
    if (
        not isinstance(hours, tuple)
        or len(hours) != 2
        or not all(isinstance(t, time) and t.tzinfo is None for t in hours)
    ):
        raise ValueError(
            f"quiet_hours must be a pair of naive datetime.time such as (time(21), time(9)), "
            f"got {hours!r}"
        )
    start, end = hours
    if start == end:
        raise ValueError(f"quiet_hours must start and end at different times, got {hours!r}")
    return start, end


def _zones_of_number(number: str) -> tuple[ZoneInfo, ...]:
    """The zones phonenumbers gives ``number`` (digits with country code); () if none."""
    import phonenumbers
    from phonenumbers.timezone import time_zones_for_number

    try:
        names = time_zones_for_number(phonenumbers.parse(f"+{number}"))
    except phonenumbers.NumberParseException:
        return ()
    return tuple(z for name in names if (z := _known_zone(name)) is not None)


def _zones_of_country(number: str) -> tuple[ZoneInfo, ...]:
    """The one zone of the country of ``number``; () when it has several, or is unknown."""
    from phonenumbers.phonenumberutil import COUNTRY_CODE_TO_REGION_CODE

    for length in (1, 2, 3):  # country codes are prefix-free
        if int(number[:length]) in COUNTRY_CODE_TO_REGION_CODE:
            return _single_zone(number[:length])
    return ()


@functools.cache
def _single_zone(country_code: str) -> tuple[ZoneInfo, ...]:
    """The zones of every number of a country, when they are the same; else ()."""
    from phonenumbers.tzdata import TIMEZONE_DATA

    found = {names for prefix, names in TIMEZONE_DATA.items() if prefix.startswith(country_code)}
    if len(found) != 1:
        return ()
    return tuple(z for name in found.pop() if (z := _known_zone(name)) is not None)


def _known_zone(name: str) -> ZoneInfo | None:
    """The zone called ``name``, or None for one this system's zoneinfo lacks ("Etc/Unknown")."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None
