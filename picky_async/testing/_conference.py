"""Call conferences: their life on the phone and their rows in the report."""

from __future__ import annotations

import attrs

from ..core import CallStatus

__all__ = ["Conference", "advance_conference"]


@attrs.define(eq=False)
class Conference:
    """One conference request: its calls share a status as the phone works on it.

    It waits as NOT_STARTED, is SCHEDULED while the phone dials, IN_PROGRESS
    while the parties talk and COMPLETED after; CANCELLED when a device command
    deleted it first. Times are loop times; ``changed_at`` is the last change.
    """

    push_id: str
    call_ids: tuple[str, ...]
    numbers: tuple[str, ...]
    dial_seconds: float
    call_seconds: float
    accepted_at: float
    status: CallStatus = CallStatus.NOT_STARTED
    changed_at: float = 0.0
    talk_started_at: float | None = None

    def __attrs_post_init__(self) -> None:
        self.changed_at = self.accepted_at

    def duration(self, now: float) -> int:
        """Seconds talked so far, as the report's ``duration`` gives it."""
        if self.talk_started_at is None:
            return 0
        end = now if self.status is CallStatus.IN_PROGRESS else self.changed_at
        return int(end - self.talk_started_at)

    def move(self, status: CallStatus, now: float) -> None:
        """Change status at ``now``."""
        self.status = status
        self.changed_at = now

    def requeue(self, now: float) -> None:
        """Back to the queue, as if never started (the app restarted mid-call)."""
        self.move(CallStatus.NOT_STARTED, now)
        self.talk_started_at = None


def advance_conference(conference: Conference, step: int, now: float) -> float | None:
    """The call lane's steps: dial, talk, done (see ``Lane``)."""
    if step == 0:
        conference.move(CallStatus.SCHEDULED, now)
        return conference.dial_seconds
    if step == 1:
        conference.move(CallStatus.IN_PROGRESS, now)
        conference.talk_started_at = now
        return conference.call_seconds
    conference.move(CallStatus.COMPLETED, now)
    return None
