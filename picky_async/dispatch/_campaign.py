"""What ``send_many`` keeps for one campaign: its progress, and its close.

A campaign is queued as several runs, one per chunk read from its iterable,
but it has one caller: whatever the dispatcher's close leaves unsent is
reported to that caller as one error.
"""

from __future__ import annotations

from collections.abc import Callable

from ..core import Message
from ._errors import DispatcherClosed
from ._runs import Run

__all__ = ["Progress", "ProgressReport", "closed_campaign"]

Progress = Callable[[int, int], None]


class ProgressReport:
    """Reports a campaign's settled messages to the caller's ``progress``."""

    __slots__ = ("done", "queued", "report", "total")

    def __init__(self, report: Progress, total: int | None) -> None:
        self.report = report
        self.total = total
        self.queued = 0  # grows as the campaign is queued
        self.done = 0

    def settled(self, count: int) -> None:
        """Called by each run of the campaign as some of its messages settle."""
        self.done += count
        self.report(self.done, self.queued if self.total is None else self.total)


def closed_campaign(runs: list[Run], refused: list[Message]) -> DispatcherClosed | None:
    """One error for every message of the campaign the close left unsent, if any.

    Those are the messages of ``runs`` abandoned with a
    :class:`DispatcherClosed` of their own, and the chunk the dispatcher
    ``refused`` to queue once closing; in the campaign's order.
    """
    unsent: list[Message] = []
    cause: BaseException | None = None
    for run in runs:
        if not run.failed:
            continue  # the usual case: no outcome to look at
        for message, outcome in zip(run.messages, run.outcomes, strict=True):
            if isinstance(outcome, DispatcherClosed):
                unsent.append(message)
                cause = cause or outcome.__cause__
    unsent += refused
    if not unsent:
        return None
    error = DispatcherClosed(
        f"closed with {len(unsent)} of the campaign's messages unsent", messages=unsent
    )
    error.__cause__ = cause
    return error
