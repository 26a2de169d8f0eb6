"""The dispatch layer: queue -> route -> fold -> pace -> push, across projects."""

from __future__ import annotations

from ._dispatcher import Dispatcher
from ._ledger import Health, Ledger, MemoryLedger
from ._project import Project
from ._queue import MemoryQueue, PendingQueue
from ._receipt import Receipt
from ._sender import Pusher
from ._stats import DispatcherStats, ProjectStats

__all__ = [
    "Dispatcher",
    "DispatcherStats",
    "Health",
    "Ledger",
    "MemoryLedger",
    "MemoryQueue",
    "PendingQueue",
    "Project",
    "ProjectStats",
    "Pusher",
    "Receipt",
]
