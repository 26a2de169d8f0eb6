"""A project: one API token, one phone, and what the dispatcher knows of its speed."""

from __future__ import annotations

from collections.abc import Sequence

import attrs

from ..core import RateLimit, time_zone

__all__ = ["Project"]

_PUSH_LIMIT = RateLimit(90, 60.0)
_STATUS_LIMIT = RateLimit(3, 60.0)


def _check_cap(project: Project, attribute: attrs.Attribute[int | None], cap: int | None) -> None:
    if cap is not None and (not _is_count(cap) or cap < 1):
        raise ValueError(f"daily_cap must be an int of at least 1 (or None), got {cap!r}")


def _check_warm_up(
    project: Project, attribute: attrs.Attribute[tuple[int, ...]], ramp: tuple[int, ...]
) -> None:
    for day, cap in enumerate(ramp):
        if not _is_count(cap) or cap < 1:
            raise ValueError(f"warm_up caps must be ints of at least 1, got {cap!r} on day {day}")
        if project.daily_cap is not None and cap > project.daily_cap:
            raise ValueError(
                f"warm_up caps must not pass daily_cap={project.daily_cap}, got {cap} on day {day}"
            )


def _check_timezone(
    project: Project, attribute: attrs.Attribute[str | None], name: str | None
) -> None:
    if name is not None:
        time_zone(name)


def _is_count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _ramp(caps: Sequence[int]) -> tuple[int, ...]:
    if isinstance(caps, (str, bytes)) or not isinstance(caps, Sequence):
        raise ValueError(f"warm_up must be a sequence of ints such as (50, 100, 200), got {caps!r}")
    return tuple(caps)


@attrs.frozen
class Project:
    """One Picky Assist project (one token, one phone) the dispatcher may send through.

    ``seconds_per_message`` is how long the phone takes per message (the app's
    configured delay); the dispatcher uses it to estimate the phone's backlog
    and to share work in proportion to speed. ``push_limit`` and
    ``status_limit`` are the service's request limits for this project, which
    the dispatcher never exceeds. ``name`` appears in receipts, stats and logs;
    it defaults to ``"project-<n>"`` (its place in the dispatcher's list,
    counting from 1), never to the token, which no repr shows.

    ``daily_cap`` is the most messages the dispatcher pushes through it per
    local day (midnight to midnight in ``timezone``, by default the
    dispatcher's ``default_timezone``); ``warm_up`` the caps of its first days
    of use, for a new number (``(50, 100, 200)``: 50 on the first day, 100 on
    the second, 200 on the third, ``daily_cap`` from then on, no cap without
    one). See "Daily caps and warm-up" in the sending-safely guide.

    Raises:
        ValueError: for an empty token, a speed that is not positive, a
            ``daily_cap`` under 1, ``warm_up`` caps that are not ints of at
            least 1 or that pass ``daily_cap``, or a ``timezone`` zoneinfo
            does not know.
    """

    token: str = attrs.field(repr=False, validator=attrs.validators.min_len(1))
    name: str | None = attrs.field(default=None, kw_only=True)
    seconds_per_message: float = attrs.field(
        default=5.0, kw_only=True, validator=attrs.validators.gt(0)
    )
    push_limit: RateLimit = attrs.field(default=_PUSH_LIMIT, kw_only=True)
    status_limit: RateLimit = attrs.field(default=_STATUS_LIMIT, kw_only=True)
    daily_cap: int | None = attrs.field(default=None, kw_only=True, validator=_check_cap)
    warm_up: tuple[int, ...] = attrs.field(
        default=(), kw_only=True, converter=_ramp, validator=_check_warm_up
    )
    timezone: str | None = attrs.field(default=None, kw_only=True, validator=_check_timezone)

    @property
    def capped(self) -> bool:
        """Whether the dispatcher counts its messages per day (a cap, or a ramp)."""
        return self.daily_cap is not None or bool(self.warm_up)
