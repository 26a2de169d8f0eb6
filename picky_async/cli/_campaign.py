"""``picky-async campaign FILE.csv``: a checked CSV sent through the Dispatcher, with progress."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from datetime import time
from pathlib import Path

import attrs
import click
from rich.console import Console

from ..core import Application, Message, Priority, RateLimit
from ..dispatch import Dispatcher, Project, WhenCapped
from ..journal import Journal
from ..safety import OptOuts
from ._board import Board, phone_seconds
from ._interrupt import on_interrupt
from ._options import APPLICATIONS, PRIORITIES, Exit, base_url_option, read_rate_limit
from ._rows import Rows
from ._safety import Safety, open_opt_outs, safety_options
from ._tally import Tally

__all__ = ["campaign"]

_SHOWN = 3  # messages a dry run shows
_LISTED = 20  # opted-out rows a dry run lists


@attrs.frozen
class _Sending:
    """How to send: what the Dispatcher and the stream take."""

    projects: list[Project]
    base_url: str | None
    horizon: float
    priority: Priority
    application: Application
    resend_uncertain: bool
    safety: Safety
    opt_outs: OptOuts | None


def _projects(
    tokens: str, seconds_per_message: float, push_limit: RateLimit, safety: Safety
) -> list[Project]:
    listed = [token.strip() for token in tokens.split(",")]
    if not all(listed):
        raise click.BadParameter("an empty token in the list", param_hint="--tokens")
    try:
        return [
            Project(
                token,
                name=f"project-{n}",
                seconds_per_message=seconds_per_message,
                push_limit=push_limit,
                daily_cap=safety.daily_cap,
                warm_up=safety.warm_up,
            )
            for n, token in enumerate(listed, 1)
        ]
    except ValueError as error:  # the other options' checks are their own
        raise click.BadParameter(str(error), param_hint="--warm-up") from None


@click.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--template", required=True, help="the text, with {column} fields: 'Hi {name}'")
@click.option(
    "--tokens",
    envvar="PICKY_TOKENS",
    required=True,
    show_envvar=True,
    show_default=False,
    help="the projects' tokens, comma-separated (better: set PICKY_TOKENS)",
)
@click.option("--number-column", default="number", show_default=True)
@base_url_option
@click.option(
    "--seconds-per-message",
    type=click.FloatRange(min=0, min_open=True),
    default=5.0,
    show_default=True,
    help="how long each phone takes a message",
)
@click.option(
    "--horizon",
    type=click.FloatRange(min=0, min_open=True),
    default=60.0,
    show_default=True,
    help="seconds of work each phone is given at most; the rest waits, free to move",
)
@click.option(
    "--push-limit",
    callback=read_rate_limit,
    default="90/60",
    show_default=True,
    help="each project's push requests in any SECONDS, as the plan allows",
)
@click.option("--priority", type=click.Choice(list(PRIORITIES)), default="low", show_default=True)
@click.option(
    "--application", type=click.Choice(list(APPLICATIONS)), default="whatsapp", show_default=True
)
@click.option("--media", default=None, help="URL of a media sent with every message")
@click.option(
    "--journal",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="record each message's state here; rerunning with it resumes",
)
@click.option("--dry-run", is_flag=True, help="check and show what would be sent; send nothing")
@click.option(
    "--resend-uncertain", is_flag=True, help="resend pushes that got no answer (may duplicate)"
)
@safety_options
def campaign(
    file: Path,
    template: str,
    tokens: str,
    number_column: str,
    base_url: str | None,
    seconds_per_message: float,
    horizon: float,
    push_limit: RateLimit,
    priority: str,
    application: str,
    media: str | None,
    journal: Path | None,
    dry_run: bool,
    resend_uncertain: bool,
    opt_outs: Path | None,
    quiet_hours: tuple[time, time] | None,
    timezone: str,
    daily_cap: int | None,
    warm_up: tuple[int, ...],
    when_capped: WhenCapped,
    cold_limit: int | None,
) -> None:
    """Send one message per row of FILE (a CSV with a header), TEMPLATE filled from its columns.

    Every row is checked before any request; a file with bad rows is refused
    whole, each listed by its line (the header is line 1). Ctrl-C withdraws
    what is not yet pushed, waits for the pushes in flight and prints what was
    accepted; a second Ctrl-C aborts.

    With --opt-outs, numbers that opted out and rows sent within the last day
    (same number and text) are refused; the summary counts them by reason.
    """
    safety = Safety(opt_outs, quiet_hours, timezone, daily_cap, warm_up, when_capped, cold_limit)
    safety.check()
    try:
        rows = Rows(file, template, number_column, media)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--template") from None
    total, bad = rows.check()
    if bad:
        for problem in bad:
            click.echo(str(problem), err=True)
        click.echo(f"{len(bad)} problems in {file}: nothing sent", err=True)
        raise SystemExit(Exit.BAD_INPUT)
    projects = _projects(tokens, seconds_per_message, push_limit, safety)
    store = open_opt_outs(safety.opt_outs)
    with store if store is not None else contextlib.nullcontext():
        if dry_run:
            _show_plan(rows, total, projects, store)
            return
        sending = _Sending(
            projects,
            base_url,
            horizon,
            PRIORITIES[priority],
            APPLICATIONS[application],
            resend_uncertain,
            safety,
            store,
        )
        journaled = None if journal is None else Journal(journal)
        done = asyncio.run(_send(rows, total, sending, journaled))
    raise SystemExit(Exit.ACCEPTED if done else Exit.NOT_ALL_ACCEPTED)


def _show_plan(rows: Rows, total: int, projects: list[Project], store: OptOuts | None) -> None:
    opted_out = [] if store is None else _opted_out(rows, store)
    sent = total - len(opted_out)
    click.echo(f"{sent} messages would be sent through {len(projects)} projects, such as:")
    for message in _first(rows, _SHOWN):
        click.echo(f"  {message.number}: {message.text}")
    click.echo(f"the phones would take about {_duration(phone_seconds(sent, projects))}")
    if opted_out:
        click.echo(f"{len(opted_out)} would be refused: their number opted out")
        for row, number in opted_out[:_LISTED]:
            click.echo(f"  row {row}: {number}")
        if len(opted_out) > _LISTED:
            click.echo(f"  and {len(opted_out) - _LISTED} more")


def _opted_out(rows: Rows, store: OptOuts) -> list[tuple[int, str]]:
    """Each row (counting from 1, as the summary does) whose number is in ``store``."""
    return [(row, m.number) for row, m in enumerate(rows.messages(), 1) if m.number in store]


def _duration(seconds: float) -> str:
    """``seconds`` in the unit a person reads best: 50 s, 12 min, 3.4 h."""
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def _first(rows: Rows, count: int) -> list[Message]:
    return list(itertools.islice(rows.messages(), count))


async def _send(rows: Rows, total: int, sending: _Sending, journal: Journal | None) -> bool:
    """Send the rows; whether every one was accepted (per the journal, with one)."""
    console = Console(stderr=True)
    if journal is None:
        return await _stream(console, rows, total, sending, None)
    async with journal:
        streamed = await _stream(console, rows, total, sending, journal)
        return await _journal_summary(console, journal) and streamed


async def _stream(
    console: Console, rows: Rows, total: int, sending: _Sending, journal: Journal | None
) -> bool:
    """Stream the rows through a Dispatcher with a progress board; whether all were accepted."""
    tally = Tally(total)
    try:
        dispatcher = Dispatcher(
            sending.projects,
            base_url=sending.base_url,
            horizon=sending.horizon,
            resend_uncertain=sending.resend_uncertain,
            application=sending.application,
            opt_outs=sending.opt_outs,
            quiet_hours=sending.safety.quiet_hours,
            default_timezone=sending.safety.timezone,
            cold_limit=sending.safety.cold_limit,
            when_capped=sending.safety.when_capped,
        )
    except ValueError as error:  # its checks, before any request: a base URL, one token twice
        raise click.UsageError(str(error)) from None

    async def stop() -> None:
        console.print("stopping: withdrawing what is not pushed, waiting for pushes in flight")
        await dispatcher.close(drain=False)

    outcomes = dispatcher.stream(
        rows.messages(),
        priority=sending.priority,
        journal=journal,
        resend_uncertain=sending.resend_uncertain and journal is not None,
    )
    async with (
        dispatcher,
        Board(dispatcher, sending.projects, total, console) as board,
        on_interrupt(stop),
        contextlib.aclosing(outcomes),
    ):
        async for outcome in outcomes:
            board.settled(outcome)
            tally.add(outcome)
    tally.show(console, [str(p.name) for p in sending.projects])
    return tally.all_accepted


async def _journal_summary(console: Console, journal: Journal) -> bool:
    summary = await journal.summary()
    console.print(
        f"journal: {summary.accepted} accepted, {summary.failed} failed,"
        f" {summary.uncertain} uncertain, {summary.pending} pending"
    )
    for entry in await journal.uncertain():
        console.print(f"  uncertain: {entry.number} (push {entry.push_id}, {entry.project})")
    return bool(summary.failed == summary.uncertain == summary.pending == 0)
