"""A campaign with a journal: what a rerun sends again, and each push recorded around it.

:class:`Screened` reads the campaign a chunk at a time ahead of the feed
and looks each chunk up in the :class:`~picky_async.Journal`; the feed then
settles at once what is not to be sent (accepted in an earlier run,
uncertain there, or a duplicate key) and queues the rest. Each run's keys
ride on the run (``run.journal``), so the scheduler can write a push's
messages ``pending`` before it leaves (:class:`JournaledPush`) and their
fate after its answer, handing out the receipts once that is written.
"""

from __future__ import annotations

import asyncio
import collections
import logging
from typing import Protocol

from ..core import DeliveryUncertain, Message, PickyError, Priority
from ..journal import Journal, Prior, message_key
from ._folding import Batch
from ._receipt import Receipt
from ._runs import Result, Run, RunJournal
from ._sender import Sender

__all__ = ["JournaledPush", "Screened", "journaled"]

_log = logging.getLogger("picky_async.dispatch")

Verdict = tuple[Result, bool]
"""A message's result settled from the journal (``None``: send it), and whether it is resumed."""


class Source(Protocol):
    """Where a feed reads its messages (the feed's plain and async sources)."""

    def take(self, count: int) -> list[Message] | None: ...
    def close(self) -> None: ...


class Screened:
    """A campaign's source, read a chunk ahead and screened against the journal."""

    def __init__(
        self,
        source: Source,
        journal: Journal,
        *,
        priority: Priority,
        resend_uncertain: bool,
        chunk: int,
    ) -> None:
        self._source = source
        self._journal = journal
        self._campaign = journal.new_campaign()  # raises if the journal is not open
        self._priority = priority
        self._resend_uncertain = resend_uncertain
        self._chunk = chunk
        self._ready: collections.deque[Message] = collections.deque()
        self._verdicts: collections.deque[tuple[str, Verdict]] = collections.deque()
        self._ended = False

    async def fill(self) -> bool:
        """Screen the next chunk if none is ready; whether there is anything new to take.

        Raises:
            Exception: what reading the source raised, or the journal's error.
        """
        if self._ready or self._ended:
            return False
        chunk = self._source.take(self._chunk)
        if chunk is None:
            self._ended = True
            return True
        if not chunk:
            return False  # an async source has nothing for now; it nudges when it has
        keys = [message_key(message) for message in chunk]
        priors = await self._journal.screen(self._campaign, keys)
        uncertain: dict[str, DeliveryUncertain] = {}  # one error per state and chunk
        for message, key, prior in zip(chunk, keys, priors, strict=True):
            self._verdicts.append((key, self._verdict(message, key, prior, uncertain)))
        self._ready.extend(chunk)
        return True

    def _verdict(
        self,
        message: Message,
        key: str,
        prior: Prior | str | None,
        uncertain: dict[str, DeliveryUncertain],
    ) -> Verdict:
        if prior is None:
            return None, False
        if isinstance(prior, str):  # the journal's DUPLICATE
            error = ValueError(f"duplicate key {key!r}: an earlier message of this campaign has it")
            return error, False
        state, project, push_id, msg_id, _ = prior
        if state == "accepted":
            assert project is not None
            assert push_id is not None
            return Receipt(push_id, msg_id, project, message.number, self._priority), True
        if state == "failed" or self._resend_uncertain:
            return None, False
        if state not in uncertain:
            uncertain[state] = DeliveryUncertain(
                f"{state} since an earlier run: its push may have been sent;"
                " not sent again without resend_uncertain=True"
            )
        return uncertain[state], True

    def take(self, count: int) -> list[Message] | None:
        """Up to ``count`` screened messages: ``[]`` while none is ready, ``None`` at the end."""
        ready = self._ready
        if not ready and self._ended:
            return None
        return [ready.popleft() for _ in range(min(count, len(ready)))]

    def close(self) -> None:
        """Read no more."""
        self._source.close()

    def admit(self, run: Run) -> list[tuple[int, int]]:
        """Settle the run's messages not to be sent; return the stretches to send.

        ``run`` holds the messages last taken, in order.
        """
        taken = [self._verdicts.popleft() for _ in run.messages]
        journal = run.journal = RunJournal(self._journal, [key for key, _ in taken])
        sending: list[tuple[int, int]] = []
        start = 0
        for at in range(1, len(taken) + 1):
            kind = _kind(taken[start][1])
            if at < len(taken) and _kind(taken[at][1]) == kind:
                continue
            if kind == "send":
                sending.append((start, at))
            else:
                _settle(run, start, at, [result for _, (result, _) in taken[start:at]])
                if kind == "resumed":
                    journal.resumed.add(start)
            start = at
        return sending


def _kind(verdict: Verdict) -> str:
    result, resumed = verdict
    return "send" if result is None else "resumed" if resumed else "refused"


def _settle(run: Run, start: int, stop: int, results: list[Result]) -> None:
    """Record the results of messages ``start`` to ``stop`` of ``run``, settled now."""
    run.results[start:stop] = results
    run.failed += sum(isinstance(result, BaseException) for result in results)
    run.settled(start, stop)


def journaled(sender: Sender, batch: Batch) -> JournaledPush | None:
    """The journal's part in pushing ``batch``; ``None`` when none of its runs has one."""
    for span in batch.spans:
        if span.run.journal is not None:
            return JournaledPush(sender, batch)
    return None


class JournaledPush:
    """One push's messages in their journals: pending before it leaves, their fate after."""

    def __init__(self, sender: Sender, batch: Batch) -> None:
        self._sender = sender
        self._batch = batch
        self._written = False
        # Each journal's messages: (their place in the push, key, message).
        self._parts: dict[Journal, list[tuple[int, str, Message]]] = {}
        place = 0
        for span in batch.spans:
            journal = span.run.journal
            if journal is not None:
                rows = self._parts.setdefault(journal.journal, [])
                messages = span.run.messages
                rows += [
                    (place + at - span.start, journal.keys[at], messages[at])
                    for at in range(span.start, span.stop)
                ]
            place += span.stop - span.start

    async def pending(self) -> None:
        """Write every journaled message ``pending``; return once that is committed."""
        name = self._sender.name
        await asyncio.gather(
            *(
                journal.pending(name, [(key, m.number, m.text, m.media) for _, key, m in rows])
                for journal, rows in self._parts.items()
            )
        )
        self._written = True

    def failed(self, error: Exception) -> None:
        """Write the messages failed, or uncertain if the push may have been taken.

        Queued before the messages can be pushed again, so it lands first.
        """
        if not self._written:
            return  # the pending write failed: nothing of this push was written
        uncertain = not isinstance(error, PickyError) or error.uncertain
        reason = f"{error.__class__.__name__}: {error}"
        for journal, rows in self._parts.items():
            try:
                written = journal.unsent(
                    "uncertain" if uncertain else "failed", reason, [key for _, key, _ in rows]
                )
            except RuntimeError as closed:  # closed meanwhile: the messages stay pending
                _log_error(closed)
            else:
                written.add_done_callback(_log_failure)

    async def accepted(self, push_id: str, msg_ids: list[str | None]) -> None:
        """Write the messages accepted, then hand their callers the receipts.

        The receipts are handed out even if the journal fails them (the
        service took the messages); the journal then says ``pending``.
        """
        try:
            await asyncio.gather(
                *(
                    journal.accepted(push_id, [(msg_ids[place], key) for place, key, _ in rows])
                    for journal, rows in self._parts.items()
                )
            )
        except Exception as error:  # logged: the callers still get their receipts
            _log_error(error)
        finally:
            self._sender.deliver(self._batch, push_id, msg_ids)


def _log_failure(written: asyncio.Future[None]) -> None:
    if not written.cancelled() and (error := written.exception()) is not None:
        _log_error(error)


def _log_error(error: BaseException) -> None:
    # The messages stay pending there, which a rerun treats as uncertain.
    _log.error("the journal could not record a push's answer: %r", error)
