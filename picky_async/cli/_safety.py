"""The sender-safety options (opt-outs, quiet hours, caps), read and checked before any request."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import time
from pathlib import Path
from typing import Any, TypeVar

import attrs
import click

from ..core import time_zone
from ..dispatch import WhenCapped
from ..safety import OptOuts

__all__ = ["Safety", "open_opt_outs", "opt_outs_option", "safety_options"]

_F = TypeVar("_F", bound=Callable[..., Any])
_HOURS = re.compile(r"(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})")


@attrs.frozen
class Safety:
    """What the safety options ask of the Dispatcher and of every project."""

    opt_outs: Path | None
    quiet_hours: tuple[time, time] | None
    timezone: str
    daily_cap: int | None
    warm_up: tuple[int, ...]
    when_capped: WhenCapped
    cold_limit: int | None

    def check(self) -> None:
        """Refuse the options that make no sense together.

        Raises:
            click.UsageError: for ``--cold-limit`` without ``--opt-outs``.
        """
        if self.cold_limit is not None and self.opt_outs is None:
            raise click.UsageError(
                "--cold-limit needs --opt-outs: the store knows who wrote and counts the day"
            )


def open_opt_outs(path: Path | None) -> OptOuts | None:
    """The store at ``path`` (created when missing), or ``None`` without one.

    Raises:
        click.BadParameter: when it cannot be opened (no such directory, not SQLite).
    """
    if path is None:
        return None
    try:
        return OptOuts(path)
    except (OSError, ValueError) as error:
        raise click.BadParameter(str(error), param_hint="--opt-outs") from None


def read_quiet_hours(
    ctx: click.Context, param: click.Parameter, value: str | None
) -> tuple[time, time] | None:
    """``HH:MM-HH:MM`` as the Dispatcher's ``quiet_hours``, or ``None`` without it."""
    if value is None:
        return None
    match = _HOURS.fullmatch(value.strip())
    if match is None:
        raise click.BadParameter(f"expected HH:MM-HH:MM such as 21:00-09:00, got {value!r}")
    start_hour, start_minute, end_hour, end_minute = map(int, match.groups())
    start, end = _time_of_day(start_hour, start_minute), _time_of_day(end_hour, end_minute)
    if start == end:
        raise click.BadParameter(f"the hours must start and end at different times, got {value!r}")
    return start, end


def _time_of_day(hour: int, minute: int) -> time:
    try:
        return time(hour, minute)
    except ValueError:
        raise click.BadParameter(
            f"{hour:02d}:{minute:02d} is not a time of day (00:00 to 23:59)"
        ) from None


def read_timezone(ctx: click.Context, param: click.Parameter, value: str) -> str:
    """A zone name zoneinfo knows."""
    try:
        time_zone(value, "the zone")
    except ValueError as error:
        raise click.BadParameter(str(error)) from None
    return value


def read_warm_up(ctx: click.Context, param: click.Parameter, value: str | None) -> tuple[int, ...]:
    """``50,100,200`` as the caps of the first days; ``()`` without it."""
    if value is None:
        return ()
    try:
        caps = tuple(int(cap) for cap in value.split(","))
    except ValueError:
        caps = ()
    if not caps or min(caps) < 1:
        raise click.BadParameter(
            f"expected daily caps of at least 1 such as 50,100,200, got {value!r}"
        )
    return caps


def opt_outs_option(function: _F) -> _F:
    """``--opt-outs FILE``, else ``PICKY_OPT_OUTS``: the numbers never to send to."""
    return click.option(
        "--opt-outs",
        envvar="PICKY_OPT_OUTS",
        show_envvar=True,
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help="a pa.OptOuts file (created when missing): opted-out numbers are refused",
    )(function)


_OPTIONS = (
    click.option(
        "--quiet-hours",
        callback=read_quiet_hours,
        default=None,
        metavar="HH:MM-HH:MM",
        help="hold low-priority messages while it is night for the recipient: 21:00-09:00",
    ),
    click.option(
        "--timezone",
        callback=read_timezone,
        default="Asia/Kolkata",
        show_default=True,
        help="the zone of numbers whose own is unknown, and of the days caps count",
    ),
    click.option(
        "--daily-cap",
        type=click.IntRange(min=1),
        default=None,
        help="the most messages each project sends per day",
    ),
    click.option(
        "--warm-up",
        callback=read_warm_up,
        default=None,
        metavar="CAPS",
        help="each project's caps on its first days of use, such as 50,100,200",
    ),
    click.option(
        "--when-capped",
        type=click.Choice(["wait", "fail"]),
        default="wait",
        show_default=True,
        help="when every project is at its cap: wait for midnight, or refuse the rest",
    ),
    click.option(
        "--cold-limit",
        type=click.IntRange(min=1),
        default=None,
        help="the most messages a day to numbers that never wrote (needs --opt-outs)",
    ),
)


def safety_options(function: _F) -> _F:
    """``--opt-outs`` and the options of :class:`Safety`, in the order ``--help`` shows them."""
    for option in reversed(_OPTIONS):
        function = option(function)
    return opt_outs_option(function)
