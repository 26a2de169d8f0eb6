"""The opt-out store: numbers that asked for no more messages, kept in SQLite."""

from __future__ import annotations

import contextlib
import datetime
import logging
import math
import os
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from types import TracebackType

from ..core import InboundMessage, normalize_number
from ._csv import CsvSource, read_rows, timestamp, write_rows
from ._database import MEMORY, open_database
from ._inbound import record_inbound
from ._keywords import KeywordAction, Keywords
from ._store import KEEP_KEYS, keep_seconds

__all__ = ["OptOuts"]

_log = logging.getLogger("picky_async.safety")

_LOOKUP = "SELECT 1 FROM opt_outs WHERE number = ?"
_ADD = "INSERT OR IGNORE INTO opt_outs (number, opted_out_at, reason) VALUES (?, ?, ?)"
_REMOVE = "DELETE FROM opt_outs WHERE number = ?"
_SENT_AT = "SELECT sent_at FROM sent_keys WHERE key = ?"
_RECORD_SENT = "INSERT OR REPLACE INTO sent_keys (key, sent_at) VALUES (?, ?)"
_FORGET_SENT = "DELETE FROM sent_keys WHERE sent_at < ?"
_PRUNE_EVERY = 3600.0
"""Seconds between two prunings of old sent keys by one store."""
_WROTE = "SELECT 1 FROM contacts WHERE number = ?"
_RECORD_WROTE = "INSERT OR REPLACE INTO contacts (number, wrote_at) VALUES (?, ?)"
_DAILY = "SELECT count FROM daily_counts WHERE tally = ? AND day = ?"
_ADD_DAILY = (
    "INSERT INTO daily_counts (tally, day, count) VALUES (?, ?, ?)"
    " ON CONFLICT (tally, day) DO UPDATE SET count = count + excluded.count"
)
# Never below zero, and nothing for a day without a count.
_GIVE_BACK_DAILY = "UPDATE daily_counts SET count = max(count - ?, 0) WHERE tally = ? AND day = ?"
_FIRST_DAY = "INSERT OR IGNORE INTO first_days (tally, day) VALUES (?, ?)"
_READ_FIRST_DAY = "SELECT day FROM first_days WHERE tally = ?"


class OptOuts:
    """The numbers that opted out, in a SQLite file shared by every process that opens it.

    ``OptOuts("optouts.db")`` creates the file when missing; ``OptOuts()``
    keeps the numbers in memory, for tests. Numbers are normalized as
    :func:`~picky_async.normalize_number` does, so ``"+91 98765 43210"`` and
    ``"919876543210"`` are one person. Every lookup reads the file (an
    indexed lookup of a few microseconds), so a second ``OptOuts`` on the same
    file, in this process or another, sees each change at once. Writes commit
    to disk before they return; lookups never wait for them (WAL mode).

    A sent key is kept for ``keep_keys`` (seconds or a timedelta, default
    seven days), then pruned: a dispatcher's ``repeat_window`` may not be
    longer.

    ``stop_words`` and ``start_words`` add words (other languages, say) to
    :data:`~picky_async.safety.STOP_WORDS` and
    :data:`~picky_async.safety.START_WORDS`, which always apply.

    Beside the opt-outs, the file keeps what the other protections count:
    the keys of messages sent (repeats), daily tallies (caps, cold contacts)
    and the numbers that wrote to us; it is a
    :class:`~picky_async.safety.SafetyStore`.

    Safe to share between threads. Close it (or use ``with``) when done.

    Raises:
        FileNotFoundError: when the file's directory does not exist.
        IsADirectoryError: when ``path`` is a directory.
        ValueError: when the file is not a SQLite database, for a blank
            keyword or one that is both a stop and a start word, or a
            ``keep_keys`` that is not positive.
        TypeError: for keywords given as one string instead of a list.
    """

    def __init__(
        self,
        path: str | os.PathLike[str] | None = None,
        *,
        stop_words: Iterable[str] = (),
        start_words: Iterable[str] = (),
        keep_keys: float | datetime.timedelta = KEEP_KEYS,
    ) -> None:
        self._keywords = Keywords(stop_words, start_words)
        self.keep_keys = keep_seconds(keep_keys)
        """How long a sent key is kept, in seconds."""
        self._pruned_at = -math.inf
        self._path = MEMORY if path is None else os.fspath(path)
        if not self._path:
            raise ValueError("path must not be empty: give a file name, or None for memory")
        self._reader = open_database(self._path)
        self._read_lock = threading.Lock()
        if self._path == MEMORY:  # a second connection would open a second, empty database
            self._writer, self._write_lock = self._reader, self._read_lock
        else:  # its own connection, so a lookup never waits behind a commit's disk sync
            self._writer, self._write_lock = open_database(self._path), threading.Lock()

    def __repr__(self) -> str:
        return f"OptOuts({None if self._path == MEMORY else self._path!r})"

    def __contains__(self, number: object) -> bool:
        """Whether ``number`` opted out.

        Raises:
            InvalidNumber: for a number :func:`~picky_async.normalize_number` refuses.
        """
        key = normalize_number(number)  # type: ignore[arg-type]  # it refuses non-numbers itself
        with self._read_lock:
            return self._reader.execute(_LOOKUP, (key,)).fetchone() is not None

    def __len__(self) -> int:
        with self._read_lock:
            (count,) = self._reader.execute("SELECT count(*) FROM opt_outs").fetchone()
        return int(count)

    def add(self, number: str | int, *, reason: str = "") -> bool:
        """Record that ``number`` opted out; ``False`` when it already had (its first record stays).

        Raises:
            InvalidNumber: for a number :func:`~picky_async.normalize_number` refuses.
        """
        row = (normalize_number(number), timestamp(), reason)
        with self._write_lock:
            return self._writer.execute(_ADD, row).rowcount == 1

    def remove(self, number: str | int) -> bool:
        """Let ``number`` get messages again; ``False`` when it had not opted out.

        Raises:
            InvalidNumber: for a number :func:`~picky_async.normalize_number` refuses.
        """
        key = normalize_number(number)
        with self._write_lock:
            return self._writer.execute(_REMOVE, (key,)).rowcount == 1

    def keyword_action(self, text: str) -> KeywordAction | None:
        """``"stop"`` or ``"start"`` when the whole ``text``, trimmed and case-folded, is
        such a keyword, else ``None``: "stop" opts out, "please stop" does not."""
        return self._keywords.action(text)

    def record(self, inbound: InboundMessage) -> KeywordAction | None:
        """Note that the sender wrote (see :meth:`wrote`), and apply the message's
        keyword to it: add on stop, remove on start.

        Returns the action applied, or ``None`` when the message is no keyword,
        comes from a group (a STOP there is said to the group), or its sender
        is not a number (the phone shows a saved contact's name instead: that
        is logged as a warning when it was a keyword, since the opt-out is
        lost). The webhook calls it for you; call it yourself with
        :func:`~picky_async.parse_webhook`.
        """
        return record_inbound(self, inbound, self._note_wrote)

    def _note_wrote(self, number: str) -> None:
        with self._write_lock:
            self._writer.execute(_RECORD_WROTE, (number, timestamp()))

    def sent_at(self, key: str) -> float | None:
        """When a message with ``key`` was last accepted (POSIX seconds), or ``None``.

        The :class:`~picky_async.Dispatcher` records the keys it sends here, to
        refuse a repeat within its ``repeat_window`` even after a restart.
        """
        with self._read_lock:
            row = self._reader.execute(_SENT_AT, (key,)).fetchone()
        return None if row is None else float(row[0])

    def record_sent(self, keys: Iterable[str], *, at: float | None = None) -> None:
        """Record that messages with ``keys`` were accepted at ``at`` (default: now), at once."""
        moment = time.time() if at is None else at
        self._write_all(_RECORD_SENT, [(key, moment) for key in keys])
        if moment - self._pruned_at >= _PRUNE_EVERY:  # now and then: an indexed range delete
            self._pruned_at = moment
            with self._write_lock:
                self._writer.execute(_FORGET_SENT, (moment - self.keep_keys,))

    def wrote(self, number: str) -> bool:
        """Whether ``number`` ever wrote to us: an inbound message of it was :meth:`record` ed.

        Raises:
            InvalidNumber: for a number :func:`~picky_async.normalize_number` refuses.
        """
        key = normalize_number(number)
        with self._read_lock:
            return self._reader.execute(_WROTE, (key,)).fetchone() is not None

    def take_daily(self, tally: str, day: str, wanted: int, limit: int) -> int:
        """Count up to ``wanted`` more under ``tally`` on ``day`` without passing ``limit``;
        how many were counted. One transaction: processes sharing the file never
        count past the limit together.
        """
        with self._transaction():
            (count,) = self._writer.execute(_DAILY, (tally, day)).fetchone() or (0,)
            taken = max(min(wanted, limit - count), 0)
            if taken:
                self._writer.execute(_ADD_DAILY, (tally, day, taken))
        return int(taken)

    def give_back_daily(self, tally: str, day: str, count: int) -> None:
        """Uncount ``count`` messages taken on ``day`` that were certainly not sent."""
        with self._write_lock:
            self._writer.execute(_GIVE_BACK_DAILY, (count, tally, day))

    def daily_count(self, tally: str, day: str) -> int:
        """How many messages are counted under ``tally`` on ``day``."""
        with self._read_lock:
            row = self._reader.execute(_DAILY, (tally, day)).fetchone()
        return 0 if row is None else int(row[0])

    def first_day(self, tally: str, today: str) -> str:
        """The day ``tally`` was first used; ``today`` is recorded as it when it never was."""
        with self._transaction():
            self._writer.execute(_FIRST_DAY, (tally, today))
            (day,) = self._writer.execute(_READ_FIRST_DAY, (tally,)).fetchone()
        return str(day)

    def import_csv(self, source: CsvSource) -> int:
        """Add the numbers of a CSV with a ``number`` column (``opted_out_at`` and
        ``reason`` optional), all or none; the count of numbers new to the store.

        ``source`` is a path or an open text file.

        Raises:
            ValueError: for a CSV without a ``number`` column, or a time not in ISO 8601.
            InvalidNumber: for a bad number, naming its line; nothing is added then.
        """
        return self._write_all(_ADD, read_rows(source))

    def _write_all(self, statement: str, rows: Sequence[tuple[object, ...]]) -> int:
        """Run ``statement`` for every row in one transaction; the count of rows changed."""
        with self._transaction() as writer:
            before = writer.total_changes
            writer.executemany(statement, rows)
            return writer.total_changes - before

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """The writer inside one transaction that holds the file's write lock throughout."""
        with self._write_lock:
            self._writer.execute("BEGIN IMMEDIATE")
            try:
                yield self._writer
            except BaseException:
                self._writer.execute("ROLLBACK")
                raise
            self._writer.execute("COMMIT")

    def export_csv(self, target: CsvSource) -> int:
        """Write every opt-out as CSV (``number``, ``opted_out_at``, ``reason``),
        oldest first; the count written. ``target`` is a path or an open text file."""
        with self._read_lock:
            rows = self._reader.execute(
                "SELECT number, opted_out_at, reason FROM opt_outs ORDER BY opted_out_at, number"
            ).fetchall()
        return write_rows(target, rows)

    def close(self) -> None:
        """Close the file; the store is unusable after."""
        with self._write_lock:
            self._writer.close()
        with self._read_lock:
            self._reader.close()

    def __enter__(self) -> OptOuts:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
