"""The simulated Android phone of one project: a message lane and a call lane."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable, Sequence

from ..core import CallStatus, DeviceCommand
from ._conference import Conference, advance_conference
from ._lane import Lane
from ._records import MessageRecord

__all__ = ["Phone"]


class Phone:
    """Sends queued messages one at a time and runs queued conferences.

    Each message takes ``seconds_per_message`` plus a uniform jitter in
    ``[-jitter, +jitter]`` (never below zero), so the mean stays what the
    project says. ``on_sent`` is called with each record as it goes out,
    ``on_deleted`` with the records a device command removed.
    """

    __slots__ = (
        "_on_deleted",
        "_on_sent",
        "_rng",
        "calls",
        "jitter",
        "messages",
        "restart_seconds",
        "seconds_per_message",
    )

    def __init__(
        self,
        *,
        seconds_per_message: float,
        jitter: float,
        restart_seconds: float,
        rng: random.Random,
        on_sent: Callable[[MessageRecord], None],
        on_deleted: Callable[[Sequence[MessageRecord]], None],
    ) -> None:
        self.seconds_per_message = seconds_per_message
        self.jitter = jitter
        self.restart_seconds = restart_seconds
        self._rng = rng
        self._on_sent = on_sent
        self._on_deleted = on_deleted
        self.messages: Lane[MessageRecord] = Lane(self._advance_message)
        self.calls: Lane[Conference] = Lane(advance_conference)

    def _advance_message(self, record: MessageRecord, step: int, now: float) -> float | None:
        if step == 0:
            if not self.jitter:
                return self.seconds_per_message
            spread = self._rng.uniform(-self.jitter, self.jitter)
            return max(0.0, self.seconds_per_message + spread)
        record.sent_at = now
        self._on_sent(record)
        return None

    def set_online(self, online: bool) -> None:
        """Offline phones keep their queues but take no new work until back."""
        self.messages.set_blocked(not online)
        self.calls.set_blocked(not online)

    def power_off(self) -> None:
        """Stop both lanes for good (the Simulator closed); records stay as they are."""
        self.messages.close()
        self.calls.close()

    def queue_messages(self, records: Sequence[MessageRecord], *, high: bool) -> None:
        """Queue messages; like the real app, new messages restart a stopped queue."""
        self.messages.stopped = False
        self.messages.add(records, high=high)

    def queue_conference(self, conference: Conference, *, high: bool) -> None:
        """Queue a conference behind the others of its priority."""
        self.calls.add((conference,), high=high)

    def command(self, command: DeviceCommand) -> None:
        """Carry out a device command, as the document's table describes it."""
        now = asyncio.get_running_loop().time()
        if command is DeviceCommand.RESTART:
            self.messages.interrupt(self.restart_seconds)
            conference = self.calls.interrupt(self.restart_seconds)
            if conference is not None:
                conference.requeue(now)
        elif command is DeviceCommand.RESET:
            self._delete(self.messages.abort())
            self._cancel(self.calls.abort(), now)
            self.messages.set_stopped(False)
            self.calls.set_stopped(False)
        elif command is DeviceCommand.DELETE_MESSAGE_QUEUE:
            self._delete(self.messages.clear())
        elif command is DeviceCommand.DELETE_CALL_QUEUE:
            self._cancel(self.calls.clear(), now)
        else:
            lane = self.messages if command.value.endswith("message-queue") else self.calls
            lane.set_stopped(command.value.startswith("stop"))

    def _delete(self, records: Sequence[MessageRecord]) -> None:
        for record in records:
            record.deleted = True
        if records:
            self._on_deleted(records)

    @staticmethod
    def _cancel(conferences: Sequence[Conference], now: float) -> None:
        for conference in conferences:
            conference.move(CallStatus.CANCELLED, now)
