"""The dispatch layer: queue -> route -> fold -> pace -> push, across projects.

The queue (``_queue.PendingQueue``) and the per-project ledger
(``_ledger.Ledger``) are interfaces with in-memory implementations, so that
state shared between processes can replace them later.
"""

from __future__ import annotations

from ._dispatcher import Dispatcher
from ._errors import DispatcherClosed
from ._project import Project
from ._receipt import Receipt
from ._sender import Pusher
from ._stats import DispatcherStats, ProjectStats
from ._stream import Outcome
from ._when_capped import WhenCapped

__all__ = [
    "Dispatcher",
    "DispatcherClosed",
    "DispatcherStats",
    "Outcome",
    "Project",
    "ProjectStats",
    "Pusher",
    "Receipt",
    "WhenCapped",
]
