"""The opt-out store: numbers that asked for no more messages, kept in SQLite."""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Iterable, Sequence
from types import TracebackType

from ..core import InboundMessage, InvalidNumber, normalize_number
from ._csv import CsvSource, read_rows, timestamp, write_rows
from ._database import MEMORY, open_database
from ._keywords import KeywordAction, Keywords

__all__ = ["OptOuts"]

_log = logging.getLogger("picky_async.safety")

_LOOKUP = "SELECT 1 FROM opt_outs WHERE number = ?"
_ADD = "INSERT OR IGNORE INTO opt_outs (number, opted_out_at, reason) VALUES (?, ?, ?)"
_REMOVE = "DELETE FROM opt_outs WHERE number = ?"
_SENT_AT = "SELECT sent_at FROM sent_keys WHERE key = ?"
_RECORD_SENT = "INSERT OR REPLACE INTO sent_keys (key, sent_at) VALUES (?, ?)"


class OptOuts:
    """The numbers that opted out, in a SQLite file shared by every process that opens it.

    ``OptOuts("optouts.db")`` creates the file when missing; ``OptOuts()``
    keeps the numbers in memory, for tests. Numbers are normalized as
    :func:`~picky_async.normalize_number` does, so ``"+91 98765 43210"`` and
    ``"919876543210"`` are one person. Every lookup reads the file (an
    indexed lookup of a few microseconds), so a second ``OptOuts`` on the same
    file, in this process or another, sees each change at once. Writes commit
    to disk before they return; lookups never wait for them (WAL mode).

    ``stop_words`` and ``start_words`` add words (other languages, say) to
    :data:`~picky_async.safety.STOP_WORDS` and
    :data:`~picky_async.safety.START_WORDS`, which always apply.

    Safe to share between threads. Close it (or use ``with``) when done.

    Raises:
        FileNotFoundError: when the file's directory does not exist.
        IsADirectoryError: when ``path`` is a directory.
        ValueError: when the file is not a SQLite database, or for a blank
            keyword or one that is both a stop and a start word.
        TypeError: for keywords given as one string instead of a list.
    """

    def __init__(
        self,
        path: str | os.PathLike[str] | None = None,
        *,
        stop_words: Iterable[str] = (),
        start_words: Iterable[str] = (),
    ) -> None:
        self._keywords = Keywords(stop_words, start_words)
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
        """Apply an inbound message's keyword to its sender: add on stop, remove on start.

        Returns the action applied, or ``None`` when the message is no keyword,
        comes from a group (a STOP there is said to the group), or its sender
        is not a number (the phone shows a saved contact's name instead: that
        is logged as a warning, since the opt-out is lost). The webhook calls
        it for you; call it yourself with :func:`~picky_async.parse_webhook`.
        """
        action = self.keyword_action(inbound.message)
        if action is None or inbound.is_group:
            return None
        try:
            number = normalize_number(inbound.number)
        except InvalidNumber:
            _log.warning(
                "cannot apply the %s keyword of inbound message %s: the sender is not a number"
                " (a saved contact?)",
                action,
                inbound.unique_id,
            )
            return None
        if action == "stop":
            self.add(number, reason=inbound.message.strip())
        else:
            self.remove(number)
        _log.info("inbound message %s: %s keyword applied", inbound.unique_id, action)
        return action

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
        with self._write_lock:
            before = self._writer.total_changes
            self._writer.execute("BEGIN IMMEDIATE")
            try:
                self._writer.executemany(statement, rows)
            except BaseException:
                self._writer.execute("ROLLBACK")
                raise
            self._writer.execute("COMMIT")
            return self._writer.total_changes - before

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
