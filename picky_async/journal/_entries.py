"""What a journal says of each message, and of the campaign as a whole."""

from __future__ import annotations

from typing import Literal, NamedTuple

__all__ = ["JournalEntry", "JournalSummary", "State"]

State = Literal["pending", "accepted", "failed", "uncertain"]
"""Where a journaled message stands; see :class:`~picky_async.Journal`."""


class JournalEntry(NamedTuple):
    """One message as the journal last recorded it.

    ``project``, ``push_id`` and ``msg_id`` are set once a push carried it
    (``msg_id`` only when the service listed recipients); ``reason`` says why
    it failed or is uncertain.
    """

    key: str
    number: str
    text: str
    media: str | None
    state: State
    project: str | None
    push_id: str | None
    msg_id: str | None
    reason: str | None


class JournalSummary(NamedTuple):
    """How many of a journal's messages are in each state.

    ``pending`` ones were pushed and have no answer recorded: in flight
    during a run, or cut off by a crash (a rerun treats them as uncertain).
    """

    accepted: int
    failed: int
    uncertain: int
    pending: int
