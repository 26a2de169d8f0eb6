"""Time zones named by options: caps' and quiet hours' local days and nights."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = ["time_zone"]


def time_zone(name: object, option: str = "timezone") -> ZoneInfo:
    """The time zone called ``name``, given as the ``option`` the errors name.

    Raises:
        ValueError: for a name zoneinfo does not know, or one that is not a string.
    """
    if not isinstance(name, str):
        raise ValueError(f"{option} must be a zone name such as 'Asia/Kolkata', got {name!r}")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"{option} {name!r} is not a time zone zoneinfo knows") from exc
