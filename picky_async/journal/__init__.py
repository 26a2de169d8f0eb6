"""The campaign journal: a SQLite record of each message's fate, for resuming after a crash.

:class:`Journal` is what :meth:`~picky_async.Dispatcher.stream` and
:meth:`~picky_async.Dispatcher.send_many` write to with ``journal=``; it
knows nothing of the dispatcher, which decides from it what to send again.
"""

from __future__ import annotations

from ._entries import JournalEntry, JournalSummary, State
from ._journal import Journal
from ._keys import message_key
from ._store import Prior

__all__ = [
    "DUPLICATE",
    "Journal",
    "JournalEntry",
    "JournalSummary",
    "Prior",
    "State",
    "message_key",
]
