"""Folding: messages routed to one project become as few push calls as possible.

Messages that share (application, priority, media) fold into one push whose
``data`` array holds up to ``max_batch`` entries. A batch leaves when it is
full, when nothing more can join it (high priority, or its project has no room
left), or when ``linger`` has passed since its first message. Linger only waits
for company when the queue has run dry; it never holds back a full batch, so it
is never a rate limit.
"""

from __future__ import annotations

from collections.abc import Hashable

from ..core import Message
from ..core._models import number_only
from ._runs import Span

__all__ = ["Accumulator", "Batch", "fold"]


class Batch:
    """Spans of one project that fold into one push, in arrival order."""

    __slots__ = ("application", "count", "high", "key", "media", "priority", "spans", "started_at")

    def __init__(self, key: Hashable, first: Span, now: float) -> None:
        self.key = key
        self.application = first.run.application
        self.priority = first.run.priority
        self.media = first.media
        self.high = first.run.high
        self.started_at = now
        self.spans: list[Span] = []
        self.count = 0  # messages in its spans

    def drop_withdrawn(self) -> None:
        """Keep only the spans whose callers still wait (none cancelled meanwhile)."""
        self.spans = [span for span in self.spans if not span.run.done()]
        self.count = sum(span.stop - span.start for span in self.spans)

    def messages(self) -> list[Message]:
        """Every message of its spans, in order."""
        messages: list[Message] = []
        for span in self.spans:
            messages += span.run.messages[span.start : span.stop]
        return messages


def fold(messages: list[Message]) -> tuple[list[Message], str | None]:
    """The push's per-number messages and global message for these messages.

    When every text is the same it goes once as the global message and the
    per-number texts stay empty, which is the service's bulk form. The media
    is the same for the whole batch (it is part of the fold key). The
    numbers are not checked again: they were when their messages were made.
    """
    first = messages[0].text
    if first and len(messages) > 1 and all(message.text == first for message in messages):
        return list(map(number_only, messages)), first
    return messages, None


class Accumulator:
    """The batches building up for one project, and the ones ready to leave."""

    __slots__ = ("_open", "_ready", "high_count", "linger", "low_count", "max_batch")

    def __init__(self, *, max_batch: int, linger: float) -> None:
        self.max_batch = max_batch
        self.linger = linger
        self._open: dict[Hashable, Batch] = {}
        self._ready: list[Batch] = []
        self.low_count = 0
        self.high_count = 0

    def __len__(self) -> int:
        return self.low_count + self.high_count

    def add(self, span: Span, now: float) -> None:
        """Fold ``span`` into its batch, split where batches fill up (they are ready at once)."""
        run, size = span.run, span.stop - span.start
        if run.high:
            self.high_count += size
        else:
            self.low_count += size
        key = (run.application, run.priority, run.messages[span.start].media)
        while True:
            batch = self._open.get(key)
            if batch is None:
                batch = self._open[key] = Batch(key, span, now)
            room = self.max_batch - batch.count
            fits = size <= room
            batch.spans.append(span if fits else span.split(room))
            batch.count += size if fits else room
            if batch.count >= self.max_batch:
                self._ready.append(self._open.pop(key))
            if fits:
                return
            size -= room

    def seal(self, now: float, *, everything: bool = False) -> None:
        """Mark ready the batches whose linger has passed (or all of them)."""
        for key, batch in list(self._open.items()):
            if everything or batch.started_at + self.linger <= now:
                self._ready.append(self._open.pop(key))

    def _urgent(self) -> list[Batch]:
        # High priority is ready at once, yet takes company until it leaves,
        # so a burst of urgent sends still folds into one push.
        return [batch for batch in self._open.values() if batch.high]

    def next_deadline(self) -> float | None:
        """When the oldest open low-priority batch's linger ends, if any is open."""
        starts = [batch.started_at for batch in self._open.values() if not batch.high]
        return min(starts) + self.linger if starts else None

    def has_open(self) -> bool:
        """Whether a batch is still open to more messages."""
        return bool(self._open)

    def has_ready(self) -> bool:
        """Whether a batch is ready to leave."""
        return bool(self._ready) or bool(self._urgent())

    def pop_ready(self, now: float, aging: float) -> Batch | None:
        """The ready batch to push next: high priority first, oldest first within.

        A low-priority batch that has waited ``aging`` seconds goes before high
        ones, so a steady stream of high priority never starves low forever.
        """
        candidates = [*self._ready, *self._urgent()]
        if not candidates:
            return None

        def rank(batch: Batch) -> tuple[bool, float]:
            urgent = batch.high or batch.started_at + aging <= now
            return (not urgent, batch.started_at)

        best = min(candidates, key=rank)
        if self._open.get(best.key) is best:
            del self._open[best.key]
        else:
            self._ready.remove(best)
        if best.high:
            self.high_count -= best.count
        else:
            self.low_count -= best.count
        return best

    def take_all(self) -> list[Span]:
        """Remove and return every span not yet pushed, oldest batch first."""
        batches = sorted([*self._ready, *self._open.values()], key=lambda b: b.started_at)
        self._ready.clear()
        self._open.clear()
        self.low_count = self.high_count = 0
        return [span for batch in batches for span in batch.spans]
