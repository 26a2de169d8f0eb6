"""Endings: failing messages, and what a failed push means for its own.

A part of the scheduler with one concern: how messages end other than
with a receipt. A failed push may fail its messages, send them back to
the queue for the other projects, or suspend the project; closing gives
up on everything not yet pushed. Each caller gets an error object of its
own, so that one caller's ``error.messages`` never lists another's.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

from ..core import PickyError
from ._errors import DispatcherClosed, own_copy
from ._folding import Batch
from ._health import HealthWatch
from ._ledger import Health
from ._queue import PendingQueue
from ._runs import Span, by_run
from ._sender import Sender, Verdict, verdict_for

__all__ = ["Endings"]

_log = logging.getLogger("picky_async.dispatch")


class Endings:
    """Fails messages for the scheduler and counts those no project is to blame for."""

    def __init__(
        self,
        senders: Sequence[Sender],
        queue: PendingQueue,
        health: HealthWatch,
        *,
        resend_uncertain: bool,
    ) -> None:
        self.senders = senders
        self.queue = queue
        self.health = health
        self.resend_uncertain = resend_uncertain
        self.failed = 0  # failures no project is to blame for

    def push_failed(self, sender: Sender, batch: Batch, error: Exception) -> None:
        """Apply what the failed push means to the project, and to its messages."""
        now = asyncio.get_running_loop().time()
        ledger, spans = sender.ledger, batch.spans
        verdict = verdict_for(error)
        _log.debug(
            "push of %d messages through project %s failed (%s): %r",
            batch.count,
            sender.name,
            verdict.value,
            error,
        )
        if verdict is Verdict.REJECT or not isinstance(error, PickyError):
            ledger.remove_work(now, batch.count, high=batch.high)
            self.fail(spans, error, sender)
        elif verdict is Verdict.UNCERTAIN:
            ledger.suspend(now, error)  # it may have been accepted: keep its work
            if self.resend_uncertain:
                self.queue.requeue(spans)
            else:
                self.fail(spans, error, sender)
        else:
            ledger.remove_work(now, batch.count, high=batch.high)
            sender.fault(verdict, error, now)
            self.queue.requeue(spans)
            if verdict is Verdict.HOLD:
                pause = ledger.push_ready_at(now) - now
                _log.warning("project %s paused for %.1f s: %s", sender.name, pause, error)
        if ledger.health is not Health.HEALTHY:
            self.health.went_down(sender)

    def take_everything(self) -> list[Span]:
        """Every message not pushed: queued, routed, or in a batch waiting for its ledger."""
        spans = self.queue.take_all()
        for sender in self.senders:
            spans += sender.accumulator.take_all()
            if sender.reserving is not None and sender.pushing is not None:
                spans += sender.pushing.spans
                sender.pushing = None
                sender.reserving.cancel()
        return spans

    def abandon(self, *, cause: BaseException | None) -> None:
        """Fail every message not yet pushed with a :class:`DispatcherClosed` per run.

        Each caller's error lists only that caller's unsent messages, so
        resending ``error.messages`` never resends someone else's.
        """
        for spans in by_run(self.take_everything()):
            messages = [message for span in spans for message in span.messages()]
            unsent = f"{len(messages)} message{'' if len(messages) == 1 else 's'} unsent"
            error = DispatcherClosed(f"closed with {unsent}", messages=messages)
            error.__cause__ = cause
            self.fail(spans, error)

    def fail(self, spans: list[Span], error: BaseException, sender: Sender | None = None) -> None:
        """Fail the live ``spans`` with ``error``, each caller with an error object of its own."""
        failed = 0
        for run_spans in by_run(spans):
            own = own_copy(error) if failed else error
            for span in run_spans:
                span.fail(own)
                failed += len(span)
        if sender is None:
            self.failed += failed
        else:
            sender.failed += failed
