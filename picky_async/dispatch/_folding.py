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

from .._models import Message
from ._queue import Entry, Stage

__all__ = ["Accumulator", "Batch", "fold"]


class Batch:
    """Entries of one project that fold into one push, in arrival order."""

    __slots__ = ("application", "entries", "high", "key", "media", "priority", "started_at")

    def __init__(self, key: Hashable, first: Entry, now: float) -> None:
        self.key = key
        self.application = first.application
        self.priority = first.priority
        self.media = first.message.media
        self.high = first.high
        self.started_at = now
        self.entries: list[Entry] = []

    def live(self) -> list[Entry]:
        """The entries whose callers still wait (not cancelled meanwhile)."""
        return [entry for entry in self.entries if not entry.done()]


def fold(entries: list[Entry]) -> tuple[list[Message], str | None]:
    """The push's per-number messages and global message for these entries.

    When every text is the same it goes once as the global message and the
    per-number texts stay empty, which is the service's bulk form. The media
    is the same for the whole batch (it is part of the fold key).
    """
    first = entries[0].message.text
    if first and len(entries) > 1 and all(entry.message.text == first for entry in entries):
        return [Message(entry.message.number) for entry in entries], first
    return [entry.message for entry in entries], None


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

    def add(self, entry: Entry, now: float) -> None:
        """Fold ``entry`` into its batch; a batch that fills up is ready at once."""
        key = (entry.application, entry.priority, entry.message.media)
        batch = self._open.get(key)
        if batch is None:
            batch = self._open[key] = Batch(key, entry, now)
        batch.entries.append(entry)
        entry.stage = Stage.ASSIGNED
        if entry.high:
            self.high_count += 1
        else:
            self.low_count += 1
        if len(batch.entries) >= self.max_batch:
            self._ready.append(self._open.pop(key))

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
        self._forget(best)
        return best

    def _forget(self, batch: Batch) -> None:
        if batch.high:
            self.high_count -= len(batch.entries)
        else:
            self.low_count -= len(batch.entries)

    def take_all(self) -> list[Entry]:
        """Remove and return every entry not yet pushed, oldest batch first."""
        batches = sorted([*self._ready, *self._open.values()], key=lambda b: b.started_at)
        self._ready.clear()
        self._open.clear()
        self.low_count = self.high_count = 0
        return [entry for batch in batches for entry in batch.entries]
