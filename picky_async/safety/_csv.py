"""Opt-outs as CSV: one row per number, with when and why it opted out."""

from __future__ import annotations

import contextlib
import csv
import datetime
import os
from collections.abc import Iterator, Sequence
from typing import Literal, TextIO

from ..core import InvalidNumber, normalize_number

__all__ = ["COLUMNS", "CsvSource", "Row", "read_rows", "timestamp", "write_rows"]

COLUMNS = ("number", "opted_out_at", "reason")
Row = tuple[str, str, str]
"""A stored opt-out: normalized number, ISO 8601 UTC time, reason."""
CsvSource = str | os.PathLike[str] | TextIO


def timestamp(moment: datetime.datetime | None = None) -> str:
    """``moment`` (default: now) as stored: ISO 8601 in UTC, to the second."""
    moment = moment or datetime.datetime.now(datetime.timezone.utc)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.timezone.utc)  # a bare time reads as UTC
    return moment.astimezone(datetime.timezone.utc).isoformat(timespec="seconds")


def read_rows(source: CsvSource) -> list[Row]:
    """Every row of a CSV with a ``number`` column; ``opted_out_at`` and ``reason`` may be absent.

    A missing or empty time reads as now. All rows are read before any is
    stored, so a bad one leaves the store as it was.

    Raises:
        ValueError: when there is no ``number`` column, or a time is not ISO 8601.
        InvalidNumber: for a number refused, naming its line.
    """
    with _opened(source, "r") as file:
        reader = csv.DictReader(file)
        if "number" not in (reader.fieldnames or ()):
            raise ValueError(f"the CSV needs a 'number' column, it has {reader.fieldnames}")
        now = timestamp()
        return [_row(fields, reader.line_num, now) for fields in reader]


def write_rows(target: CsvSource, rows: Sequence[Row]) -> int:
    """Write a header and ``rows``; the number of rows written."""
    with _opened(target, "w") as file:
        writer = csv.writer(file)
        writer.writerow(COLUMNS)
        writer.writerows(rows)
    return len(rows)


def _row(fields: dict[str | None, str | None], line: int, now: str) -> Row:
    try:
        number = normalize_number((fields["number"] or "").strip())
    except InvalidNumber as exc:
        raise InvalidNumber(f"line {line}: {exc.message}") from exc
    return number, _time(fields.get("opted_out_at") or "", line) or now, fields.get("reason") or ""


def _time(text: str, line: int) -> str:
    if not text.strip():
        return ""
    try:  # Python 3.10 reads no "Z" suffix
        return timestamp(datetime.datetime.fromisoformat(text.strip().replace("Z", "+00:00")))
    except ValueError as exc:
        raise ValueError(f"line {line}: opted_out_at {text!r} is not an ISO 8601 time") from exc


@contextlib.contextmanager
def _opened(source: CsvSource, mode: Literal["r", "w"]) -> Iterator[TextIO]:
    """A path opened for ``mode`` (and closed after), or an open file as is."""
    if not isinstance(source, (str, os.PathLike)):
        yield source
        return
    encoding = "utf-8-sig" if mode == "r" else "utf-8"  # spreadsheets start with a BOM
    with open(source, mode, encoding=encoding, newline="") as file:
        yield file
