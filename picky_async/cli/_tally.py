"""What became of a campaign's messages, counted as their outcomes come, and its summary."""

from __future__ import annotations

import collections

from rich.console import Console
from rich.table import Table

from ..core import CapReached, ColdLimitReached, DeliveryUncertain, Duplicate, OptedOut
from ..dispatch import DispatcherClosed, Outcome

__all__ = ["Tally", "refusal"]

# What the sender-safety options refuse, by the reason the summary gives.
_REFUSALS = (
    (OptedOut, "opted out"),
    (Duplicate, "repeat"),
    (ColdLimitReached, "over the cold limit"),  # a CapReached: looked up first
    (CapReached, "over a daily cap"),
)


def refusal(error: BaseException | None) -> str | None:
    """Why a safety option refused the message that got ``error``; ``None`` for another error."""
    for kind, reason in _REFUSALS:
        if isinstance(error, kind):
            return reason
    return None


class Tally:
    """Counts of accepted, refused, failed, uncertain and withdrawn messages, per project and
    reason. Refused messages (opted out, a repeat, over a cap) were not sent: like failed
    ones, they are not accepted."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.accepted: collections.Counter[str] = collections.Counter()
        self.refused: collections.Counter[str] = collections.Counter()  # by reason
        self.failed: collections.Counter[str] = collections.Counter()  # by reason
        self.uncertain: list[Outcome] = []
        self.withdrawn = 0

    def add(self, outcome: Outcome) -> None:
        """Count one outcome."""
        if outcome.receipt is not None:
            self.accepted[outcome.receipt.project] += 1
        elif isinstance(outcome.error, DeliveryUncertain):
            self.uncertain.append(outcome)
        elif isinstance(outcome.error, DispatcherClosed):
            self.withdrawn += 1
        elif (reason := refusal(outcome.error)) is not None:
            self.refused[reason] += 1
        else:
            self.failed[type(outcome.error).__name__] += 1

    @property
    def all_accepted(self) -> bool:
        """Whether the service accepted every message of the campaign."""
        return sum(self.accepted.values()) == self.total

    def show(self, console: Console, projects: list[str]) -> None:
        """The per-project table and a line for each kind of message not accepted."""
        table = Table("project", "accepted", title="accepted per project")
        for name in projects:
            table.add_row(name, str(self.accepted[name]))
        console.print(table)
        accepted = sum(self.accepted.values())
        console.print(f"accepted {accepted} of {self.total}")
        for label, counts in (("refused", self.refused), ("failed", self.failed)):
            if counts:
                reasons = ", ".join(f"{count} {reason}" for reason, count in counts.most_common())
                console.print(f"{label} {sum(counts.values())}: {reasons}")
        if self.uncertain:
            console.print(
                f"uncertain {len(self.uncertain)} (their push got no answer: they may have been"
                " sent, and were not resent):"
            )
            for outcome in self.uncertain:
                console.print(f"  row {outcome.index + 1}: {outcome.message.number}")
        if self.withdrawn:
            console.print(f"withdrawn {self.withdrawn} (never sent)")
        settled = sum(self.refused.values()) + sum(self.failed.values()) + len(self.uncertain)
        unread = self.total - accepted - settled
        if unread - self.withdrawn > 0:
            console.print(f"not read {unread - self.withdrawn} (never sent)")
