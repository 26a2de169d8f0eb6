"""``send``, ``status``, ``action``, ``conference``, ``report``: one PickyClient call each."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import attrs
import click
from rich.console import Console
from rich.table import Table

from ..client import PickyClient
from ..core import (
    CallStatus,
    ConferenceCall,
    DeviceCommand,
    EmptyMessage,
    EmptyNumberList,
    InvalidNumber,
    Message,
    PickyError,
    TooFewContacts,
    TooManyContacts,
)
from ._options import APPLICATIONS, PRIORITIES, Exit, base_url_option, json_option, token_option
from ._safety import open_opt_outs, opt_outs_option

__all__ = ["action", "conference", "report", "send", "status"]

_T = TypeVar("_T")

# Refused before any request: the caller's input, not the service, is at fault.
_BAD_INPUT = (InvalidNumber, EmptyMessage, EmptyNumberList, TooFewContacts, TooManyContacts)
_ENDED = frozenset({CallStatus.COMPLETED, CallStatus.CANCELLED})


def _call(token: str, base_url: str | None, call: Callable[[PickyClient], Awaitable[_T]]) -> _T:
    """Run ``call`` with a client; exit 2 for bad input, 1 for the service's refusal.

    The error printed is the library's, which never holds the token.
    """

    async def run() -> _T:
        async with PickyClient(token, base_url=base_url) as client:
            return await call(client)

    try:
        return asyncio.run(run())
    except _BAD_INPUT as error:
        raise click.UsageError(str(error)) from None
    except PickyError as error:
        click.echo(f"error: {type(error).__name__}: {error}", err=True)
        raise SystemExit(Exit.NOT_ALL_ACCEPTED) from None
    except ValueError as error:  # a base URL or option the client refused
        raise click.UsageError(str(error)) from None


def _show(result: object, as_json: bool) -> None:
    """An attrs answer (or a list of them) as JSON or as ``field: value`` lines."""
    if as_json:
        click.echo(json.dumps(_plain(result), default=str))
    elif isinstance(result, list):
        _calls_table(result)
    else:
        for field, value in _plain(result).items():
            if isinstance(value, (list, tuple)):  # recipients: one line each
                click.echo(f"{field}:")
                for item in value:
                    click.echo("  - " + ", ".join(f"{k}: {v}" for k, v in item.items()))
            else:
                click.echo(f"{field}: {value}")


def _plain(result: object) -> Any:
    if isinstance(result, list):
        return [_plain(item) for item in result]
    return attrs.asdict(result)  # type: ignore[arg-type]  # every answer is an attrs class


def _calls_table(calls: Sequence[ConferenceCall]) -> None:
    table = Table("number", "status", "duration (s)", "call id")
    for call in calls:
        status = call.status.name if isinstance(call.status, CallStatus) else str(call.status)
        table.add_row(call.number, status, str(call.duration), call.call_id)
    Console().print(table)


_priority = click.option(
    "--priority", type=click.Choice(list(PRIORITIES)), default="low", show_default=True
)


@click.command()
@click.argument("number")
@click.argument("text", default="")
@click.option("--media", default=None, help="URL of an image, video or document to attach")
@click.option(
    "--application", type=click.Choice(list(APPLICATIONS)), default="whatsapp", show_default=True
)
@_priority
@opt_outs_option
@token_option
@base_url_option
@json_option
def send(
    number: str,
    text: str,
    media: str | None,
    application: str,
    priority: str,
    opt_outs: Path | None,
    token: str,
    base_url: str | None,
    as_json: bool,
) -> None:
    """Send TEXT to NUMBER (digits with country code, or +44 ...) in one push.

    With --opt-outs, a number that opted out is refused (exit 1, nothing sent).
    """
    try:
        message = Message(number, text, media)
    except (InvalidNumber, EmptyMessage) as error:
        raise click.UsageError(str(error)) from None
    _refuse_opted_out(message.number, opt_outs)
    result = _call(
        token,
        base_url,
        lambda client: client.push(
            [message], application=APPLICATIONS[application], priority=PRIORITIES[priority]
        ),
    )
    _show(result, as_json)


def _refuse_opted_out(number: str, path: Path | None) -> None:
    """Exit 1 when ``number`` is in the opt-out store at ``path`` (read, not written)."""
    store = open_opt_outs(path)
    if store is None:
        return
    with store:
        if number in store:
            click.echo(f"refused: {number} opted out (in {path}): nothing sent", err=True)
            raise SystemExit(Exit.NOT_ALL_ACCEPTED)


@click.command()
@token_option
@base_url_option
@json_option
def status(token: str, base_url: str | None, as_json: bool) -> None:
    """The phone's state: battery, signal, queues (about 3 a minute allowed)."""
    _show(_call(token, base_url, lambda client: client.device_status()), as_json)


@click.command()
@click.argument("command", type=click.Choice([c.value for c in DeviceCommand]))
@token_option
@base_url_option
@json_option
def action(command: str, token: str, base_url: str | None, as_json: bool) -> None:
    """Send the phone a remote COMMAND, such as restart."""
    _show(_call(token, base_url, lambda client: client.device_action(command)), as_json)


@click.command()
@click.argument("numbers", nargs=-1, required=True)
@click.option("--record", is_flag=True, help="record the conference")
@click.option("--mute-gateway", is_flag=True, help="mute the phone's own line")
@click.option("--wait", is_flag=True, help="poll the report until every call has ended")
@click.option(
    "--interval",
    type=click.FloatRange(min=0, min_open=True),
    default=5.0,
    show_default=True,
    help="seconds between two reports with --wait",
)
@_priority
@token_option
@base_url_option
@json_option
def conference(
    numbers: tuple[str, ...],
    record: bool,
    mute_gateway: bool,
    wait: bool,
    interval: float,
    priority: str,
    token: str,
    base_url: str | None,
    as_json: bool,
) -> None:
    """Ask the phone to call 2-5 NUMBERS and join them in a conference."""

    async def call(client: PickyClient) -> object:
        result = await client.conference(
            numbers, priority=PRIORITIES[priority], mute_gateway=mute_gateway, record=record
        )
        if not wait:
            return result
        while True:
            calls = await client.conference_report(result.push_id)
            if calls and all(c.status in _ENDED for c in calls):
                return calls
            await asyncio.sleep(interval)

    _show(_call(token, base_url, call), as_json)


@click.command()
@click.argument("push_id")
@token_option
@base_url_option
@json_option
def report(push_id: str, token: str, base_url: str | None, as_json: bool) -> None:
    """The calls of the conference PUSH_ID, one row per number."""
    _show(_call(token, base_url, lambda client: client.conference_report(push_id)), as_json)
