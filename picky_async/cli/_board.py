"""The live progress of a campaign: a bar overall and one per project, with an ETA."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from types import TracebackType

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from ..dispatch import Dispatcher, DispatcherStats, Outcome, Project, ProjectStats
from ._tally import refusal

__all__ = ["Board", "phone_seconds", "project_note"]

_REFRESH = 0.1  # seconds between two looks at the dispatcher's stats


def phone_seconds(messages: float, projects: Sequence[Project]) -> float:
    """How long the phones take to send ``messages`` together, each at its own pace."""
    return messages / sum(1 / p.seconds_per_message for p in projects)


class Board:
    """Draws the campaign's progress while it runs (``async with Board(...)``).

    The overall bar counts settled messages (from :meth:`settled`); each
    project's bar counts what the service accepted through it (from the
    dispatcher's stats) against the whole campaign, so the bars show how the
    work was shared. The ETA divides what is left by the pace of the phones
    still healthy. Messages held for quiet hours and projects at their daily
    cap are shown as waiting, so a bar that stops moving says why.
    """

    def __init__(
        self,
        dispatcher: Dispatcher,
        projects: Sequence[Project],
        total: int,
        console: Console | None = None,
    ) -> None:
        self._dispatcher = dispatcher
        self._projects = {p.name: p for p in projects}
        self.total = total
        self.accepted = 0
        self.refused = 0
        self.failed = 0
        self._progress = Progress(
            TextColumn("{task.description:<14}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[note]}"),
            TimeElapsedColumn(),
            console=console,
        )
        self._overall = self._progress.add_task("all", total=total, note="")
        self._bars = {
            name: self._progress.add_task(str(name), total=total, note="")
            for name in self._projects
        }
        self._refresher: asyncio.Task[None] | None = None

    async def __aenter__(self) -> Board:
        self._progress.start()
        self._refresher = asyncio.get_running_loop().create_task(self._refresh_often())
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._refresher is not None:
            self._refresher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._refresher
        self.refresh()
        self._progress.stop()

    def settled(self, outcome: Outcome) -> None:
        """Count one message's outcome."""
        if outcome.ok:
            self.accepted += 1
        elif refusal(outcome.error) is not None:
            self.refused += 1
        else:
            self.failed += 1

    def refresh(self) -> None:
        """Redraw from the counts and the dispatcher's stats."""
        stats = self._dispatcher.stats()
        healthy = []
        for project in stats.projects:
            note = project_note(project)
            self._progress.update(self._bars[project.name], completed=project.sent, note=note)
            if not note:
                healthy.append(self._projects[project.name])
        settled = self.accepted + self.refused + self.failed
        self._progress.update(self._overall, completed=settled, note=self.note(stats, healthy))

    def note(self, stats: DispatcherStats, healthy: Sequence[Project]) -> str:
        """The overall bar's note: refusals, failures, held messages and the ETA."""
        left = self.total - self.accepted - self.refused - self.failed - stats.held
        notes = [
            f"{self.refused} refused" if self.refused else "",
            f"{self.failed} failed" if self.failed else "",
            f"{stats.held} waiting for quiet hours to end" if stats.held else "",
            f"ETA {phone_seconds(left, healthy):.0f} s" if healthy and left > 0 else "",
        ]
        return "  ".join(note for note in notes if note)

    async def _refresh_often(self) -> None:
        while True:
            self.refresh()
            await asyncio.sleep(_REFRESH)


def project_note(project: ProjectStats) -> str:
    """Why a project's bar may not move: its health, or its cap reached today; "" when it sends."""
    if project.health != "healthy":
        return project.health
    if project.cap_today is not None and (project.sent_today or 0) >= project.cap_today:
        return "waiting: daily cap reached"
    return ""
