"""One project as the dispatcher drives it: its client, ledger and batches.

Also the table that decides what a failed request means for the project and
for the messages it carried, so the scheduler reads as a sequence of steps.
"""

from __future__ import annotations

import asyncio
import enum
from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

from ..core import (
    Application,
    DeviceStatus,
    Message,
    PickyError,
    Priority,
    RateLimited,
)
from ._folding import Accumulator, Batch, fold
from ._ledger import Health, Ledger, MemoryLedger
from ._project import Project

if TYPE_CHECKING:
    from ._caps import DailyCap

__all__ = ["Pusher", "Sender", "Verdict", "verdict_for"]


class Pusher(Protocol):
    """The two calls the dispatcher makes; :class:`~picky_async.PickyClient` has them."""

    async def push_msg_ids(
        self,
        messages: Sequence[Message],
        *,
        application: Application | int = ...,
        priority: Priority | int = ...,
        global_message: str | None = ...,
        global_media: str | None = ...,
    ) -> tuple[str, list[str | None]]: ...

    async def device_status(self) -> DeviceStatus: ...


class Verdict(enum.Enum):
    """What a failed push means: for the project, and for its messages."""

    SUSPEND = "suspend"  # phone unreachable: probe it later; messages go elsewhere
    DISABLE = "disable"  # account cannot send: never again; messages go elsewhere
    HOLD = "hold"  # too fast: pause this project; messages go elsewhere
    UNCERTAIN = "uncertain"  # may have been accepted: suspend; messages fail
    REJECT = "reject"  # the batch itself is bad: messages fail with the error


def verdict_for(error: BaseException) -> Verdict:
    """Classify an error from a push or device-status request by what its class means.

    A retriable error that neither disables nor pauses the project says the
    project could not take the request now, so it is suspended until a probe
    answers. Errors from outside the library reject their batch.
    """
    if not isinstance(error, PickyError):
        return Verdict.REJECT
    if error.uncertain:
        return Verdict.UNCERTAIN
    if not error.retriable:
        return Verdict.REJECT
    if error.disables_project:
        return Verdict.DISABLE
    if error.pauses_project:
        return Verdict.HOLD
    return Verdict.SUSPEND


class Sender:
    """The dispatcher's working state for one project."""

    __slots__ = (
        "accumulator",
        "asking",
        "cap",
        "failed",
        "ledger",
        "name",
        "polled_at",
        "project",
        "push_seq",
        "pusher",
        "pushes",
        "pushing",
        "reserving",
        "sent",
        "sent_after_cancel",
    )

    def __init__(
        self,
        project: Project,
        name: str,
        *,
        max_batch: int,
        linger: float,
        ledger: Ledger | None = None,
    ) -> None:
        self.project = project
        self.name = name
        self.ledger: Ledger = MemoryLedger(project) if ledger is None else ledger
        self.accumulator = Accumulator(max_batch=max_batch, linger=linger)
        self.pusher: Pusher | None = None
        self.pushing: Batch | None = None
        self.reserving: asyncio.Task[None] | None = None  # its push waits for the ledger
        self.asking = False  # a device-status request is in flight
        self.polled_at = float("-inf")
        self.push_seq = 0
        self.pushes = 0
        self.sent = 0
        self.sent_after_cancel = 0  # among sent: its caller cancelled once it was pushed
        self.failed = 0
        self.cap: DailyCap | None = None  # its daily cap, if it has one

    def __repr__(self) -> str:
        return f"<Sender {self.name} {self.ledger.health.value}>"

    @property
    def seconds_per_message(self) -> float:
        """How long its phone takes per message."""
        return self.project.seconds_per_message

    async def push(self, batch: Batch) -> tuple[str, list[str | None]]:
        """Push a batch; return the push id and each message's ``msg_id``."""
        assert self.pusher is not None
        messages, global_message = fold(batch.messages())
        push_id, msg_ids = await self.pusher.push_msg_ids(
            messages,
            application=batch.application,
            priority=batch.priority,
            global_message=global_message,
            global_media=batch.media,
        )
        if len(msg_ids) != len(messages):  # a custom pusher's bug; fails this batch
            raise ValueError(f"the pusher answered {len(msg_ids)} ids for {len(messages)} messages")
        return push_id, msg_ids

    def deliver(self, batch: Batch, push_id: str, msg_ids: list[str | None]) -> None:
        """Hand each caller of an accepted batch its receipts, and count them."""
        done = 0
        for span in batch.spans:
            size = span.stop - span.start
            if not span.run.done():
                span.deliver(push_id, msg_ids, self.name, done)
            else:  # cancelled too late to withdraw: no one takes its receipts
                self.sent_after_cancel += size
            done += size
        self.pushes += 1
        self.sent += batch.count

    def fault(self, verdict: Verdict, error: PickyError, now: float) -> None:
        """Apply what a failed request means to the project's health."""
        if verdict is Verdict.HOLD:
            self.ledger.hold(now + self._pause_for(error))
        elif verdict is Verdict.DISABLE:
            self.ledger.disable(error)
        else:
            self.ledger.suspend(now, error)

    def _pause_for(self, error: PickyError) -> float:
        """As long as the service asked for, or else a whole period of the push limit."""
        if isinstance(error, RateLimited) and error.retry_after is not None:
            return error.retry_after
        return self.project.push_limit.period

    def status_failed(self, error: Exception, now: float) -> bool:
        """Judge a failed device-status request; say whether the project just went down.

        An unreachable phone or an account that cannot send counts; so does
        any failure of a probe. Other hiccups of a routine poll do not.
        """
        verdict = verdict_for(error)
        was_suspended = self.ledger.health is Health.SUSPENDED
        if verdict not in (Verdict.DISABLE, Verdict.SUSPEND) and not was_suspended:
            return False
        if not isinstance(error, PickyError):
            error = PickyError(f"device status failed: {error!r}")
        self.fault(Verdict.DISABLE if verdict is Verdict.DISABLE else Verdict.SUSPEND, error, now)
        return not was_suspended

    def status_answered(self, status: DeviceStatus, push_seq: int, now: float) -> bool:
        """Take a device-status answer; say whether the project just came back.

        The phone's queue length replaces the backlog estimate, unless a push
        started or was in flight meanwhile (the count may or may not hold it).
        """
        came_back = self.ledger.health is Health.SUSPENDED
        if came_back:
            self.ledger.recover()
        queued = status.message_queue_count
        if queued is not None and push_seq == self.push_seq and self.pushing is None:
            self.ledger.correct(now, queued)
        return came_back
