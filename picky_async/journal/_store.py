"""The journal's SQLite file: blocking calls, made one at a time in a worker thread.

Every write is one transaction. The file is in WAL mode with
``synchronous=FULL``: each commit reaches the disk before the push it
guards leaves, so neither a killed process nor a power cut forgets a
``pending`` row (``NORMAL`` would survive the first only). A commit then
costs one fsync, and a project pushes at most a few times a second.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence

from ._entries import JournalEntry, State

__all__ = ["DUPLICATE", "Prior", "Store"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS messages (
    key TEXT PRIMARY KEY,
    number TEXT NOT NULL,
    text TEXT NOT NULL,
    media TEXT,
    state TEXT NOT NULL,
    project TEXT,
    push_id TEXT,
    msg_id TEXT,
    reason TEXT
) WITHOUT ROWID;
CREATE TEMP TABLE IF NOT EXISTS seen (
    campaign INTEGER NOT NULL,
    key TEXT NOT NULL,
    PRIMARY KEY (campaign, key)
) WITHOUT ROWID;
"""

Prior = tuple[State, str | None, str | None, str | None, str | None]
"""A key's row from an earlier run: state, project, push_id, msg_id, reason."""

DUPLICATE = "duplicate"
"""What :meth:`Store.screen` says of a key this campaign already had."""

_FIELDS = "key, number, text, media, state, project, push_id, msg_id, reason"


class Store:
    """One connection to a journal file; not safe to call from two threads at once."""

    def __init__(self, path: str) -> None:
        self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript(_SCHEMA)
        self._db.execute("PRAGMA temp.journal_mode=OFF")  # the keys seen die with the connection

    def close(self) -> None:
        """Close the connection (the WAL is checkpointed into the file)."""
        self._db.close()

    def screen(self, campaign: int, keys: Sequence[str]) -> list[Prior | str | None]:
        """Each key's row from earlier runs (``None``: never pushed), or :data:`DUPLICATE`.

        A key counts as seen by ``campaign`` from here on.
        """
        db = self._db
        marks = ",".join("?" * len(keys))
        rows = db.execute(
            f"SELECT key, state, project, push_id, msg_id, reason FROM messages"
            f" WHERE key IN ({marks})",
            keys,
        )
        prior: dict[str, Prior] = {row[0]: row[1:] for row in rows}
        seen = {
            key
            for (key,) in db.execute(
                f"SELECT key FROM seen WHERE campaign = ? AND key IN ({marks})",
                [campaign, *keys],
            )
        }
        screened: list[Prior | str | None] = []
        for key in keys:
            if key in seen:
                screened.append(DUPLICATE)
            else:
                seen.add(key)
                screened.append(prior.get(key))
        with self._transaction():
            db.executemany(
                "INSERT OR IGNORE INTO seen VALUES (?, ?)", [(campaign, key) for key in keys]
            )
        return screened

    def pending(self, project: str, rows: Iterable[tuple[str, str, str, str | None]]) -> None:
        """Record (key, number, text, media) rows as pushed through ``project``, in one commit."""
        with self._transaction():
            self._db.executemany(
                "INSERT INTO messages (key, number, text, media, state, project)"
                " VALUES (?, ?, ?, ?, 'pending', ?) ON CONFLICT (key) DO UPDATE SET"
                " number = excluded.number, text = excluded.text, media = excluded.media,"
                " state = 'pending', project = excluded.project,"
                " push_id = NULL, msg_id = NULL, reason = NULL",
                [(*row, project) for row in rows],
            )

    def accepted(self, push_id: str, rows: Iterable[tuple[str | None, str]]) -> None:
        """Record (msg_id, key) rows as accepted in push ``push_id``, in one commit."""
        with self._transaction():
            self._db.executemany(
                "UPDATE messages SET state = 'accepted', push_id = ?, msg_id = ? WHERE key = ?",
                [(push_id, *row) for row in rows],
            )

    def unsent(self, state: State, reason: str, keys: Iterable[str]) -> None:
        """Record ``keys`` as failed or uncertain, for ``reason``, in one commit."""
        with self._transaction():
            self._db.executemany(
                "UPDATE messages SET state = ?, reason = ? WHERE key = ?",
                [(state, reason, key) for key in keys],
            )

    def counts(self) -> dict[str, int]:
        """How many rows are in each state."""
        rows = self._db.execute("SELECT state, count(*) FROM messages GROUP BY state")
        return dict(rows.fetchall())

    def entries(self, states: Sequence[State]) -> list[JournalEntry]:
        """Every row in one of ``states``, by key."""
        marks = ",".join("?" * len(states))
        rows = self._db.execute(
            f"SELECT {_FIELDS} FROM messages WHERE state IN ({marks}) ORDER BY key",
            states,
        )
        return [JournalEntry(*row) for row in rows]

    def _transaction(self) -> sqlite3.Connection:
        self._db.execute("BEGIN IMMEDIATE")
        return self._db
