"""What several subcommands share: exit codes, option types, the connection options."""

from __future__ import annotations

import argparse
import enum
from collections.abc import Callable
from typing import Any, TypeVar

import click

from ..core import Application, Priority, RateLimit
from ..testing.__main__ import rate_limit

__all__ = [
    "APPLICATIONS",
    "PRIORITIES",
    "Exit",
    "base_url_option",
    "json_option",
    "read_rate_limit",
    "token_option",
]

_F = TypeVar("_F", bound=Callable[..., Any])


class Exit(enum.IntEnum):
    """The command's exit codes, the same for every subcommand."""

    ACCEPTED = 0  # everything asked for was accepted
    NOT_ALL_ACCEPTED = 1  # some failed, were uncertain, or were withdrawn by Ctrl-C
    BAD_INPUT = 2  # bad input or usage: nothing was sent (click's own code for usage errors)


PRIORITIES = {"low": Priority.LOW, "high": Priority.HIGH}
APPLICATIONS = {
    "whatsapp": Application.WHATSAPP,
    "business": Application.WHATSAPP_BUSINESS,
    "sms": Application.SMS,
}


def read_rate_limit(ctx: click.Context, param: click.Parameter, value: str) -> RateLimit:
    """An option's ``COUNT/SECONDS``, read as ``python -m picky_async.testing`` reads it."""
    try:
        return rate_limit(value)
    except argparse.ArgumentTypeError as error:
        raise click.BadParameter(str(error), ctx, param) from None


def token_option(function: _F) -> _F:
    """``--token``, else ``PICKY_TOKEN``; click never shows its value, in help or errors."""
    return click.option(
        "--token",
        envvar="PICKY_TOKEN",
        required=True,
        show_envvar=True,
        show_default=False,
        help="the project's API token (better: set PICKY_TOKEN, which no shell history keeps)",
    )(function)


def base_url_option(function: _F) -> _F:
    """``--base-url``, else ``PICKY_BASE_URL``, else the service's."""
    return click.option(
        "--base-url",
        envvar="PICKY_BASE_URL",
        show_envvar=True,
        default=None,
        help="the service's URL, such as a Simulator's (default: the real service)",
    )(function)


def json_option(function: _F) -> _F:
    """``--json``: the answer as JSON on stdout, for scripts."""
    return click.option("--json", "as_json", is_flag=True, help="print the answer as JSON")(
        function
    )
