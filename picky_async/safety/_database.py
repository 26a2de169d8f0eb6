"""The opt-out store's SQLite file: opened with clear errors, in WAL mode, with its tables."""

from __future__ import annotations

import os
import pathlib
import sqlite3

__all__ = ["MEMORY", "open_database"]

MEMORY = ":memory:"

_SCHEMA = (
    """
CREATE TABLE IF NOT EXISTS opt_outs (
    number TEXT PRIMARY KEY,
    opted_out_at TEXT NOT NULL,
    reason TEXT NOT NULL DEFAULT ''
) WITHOUT ROWID
""",
    # The keys of messages a dispatcher had accepted, and when (POSIX seconds):
    # what refuses a repeat across restarts.
    """
CREATE TABLE IF NOT EXISTS sent_keys (
    key TEXT PRIMARY KEY,
    sent_at REAL NOT NULL
) WITHOUT ROWID
""",
    "CREATE INDEX IF NOT EXISTS sent_keys_by_time ON sent_keys (sent_at)",  # for pruning
    # Messages counted per tally (a project's cap, the cold-contact limit) and day.
    """
CREATE TABLE IF NOT EXISTS daily_counts (
    tally TEXT NOT NULL,
    day TEXT NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (tally, day)
) WITHOUT ROWID
""",
    # The day each tally was first used: where a warm-up ramp starts.
    """
CREATE TABLE IF NOT EXISTS first_days (
    tally TEXT PRIMARY KEY,
    day TEXT NOT NULL
) WITHOUT ROWID
""",
    # Numbers that wrote to us, and when last (ISO 8601 UTC).
    """
CREATE TABLE IF NOT EXISTS contacts (
    number TEXT PRIMARY KEY,
    wrote_at TEXT NOT NULL
) WITHOUT ROWID
""",
)
_BUSY_SECONDS = 10.0
"""How long a write waits for another process's write to finish before failing."""


def open_database(path: str) -> sqlite3.Connection:
    """A connection in autocommit mode, usable from any thread, with the tables created.

    A file is switched to WAL mode, so lookups never wait for a write, and to
    ``synchronous=FULL``, so a recorded opt-out survives a power cut.

    Raises:
        FileNotFoundError: when the file's directory does not exist.
        IsADirectoryError: when ``path`` is a directory.
        ValueError: when the file is not a SQLite database.
    """
    if path != MEMORY:
        _check_path(pathlib.Path(path))
    connection = sqlite3.connect(
        path, timeout=_BUSY_SECONDS, isolation_level=None, check_same_thread=False
    )
    try:
        if path != MEMORY:
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=FULL")
        for table in _SCHEMA:
            connection.execute(table)
    except sqlite3.DatabaseError as exc:
        connection.close()
        if "not a database" in str(exc):
            raise ValueError(f"{path!r} is not a SQLite database: {exc}") from exc
        raise
    return connection


def _check_path(path: pathlib.Path) -> None:
    if path.is_dir():
        raise IsADirectoryError(f"the opt-out store {os.fspath(path)!r} is a directory")
    if not path.parent.is_dir():
        raise FileNotFoundError(
            f"cannot create the opt-out store {os.fspath(path)!r}:"
            f" directory {os.fspath(path.parent)!r} does not exist"
        )
