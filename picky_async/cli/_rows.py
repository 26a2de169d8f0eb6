"""A campaign's CSV file: every row checked before any request, then read as messages."""

from __future__ import annotations

import csv
import string
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

from ..core import InvalidNumber, Message
from ..journal import message_key

__all__ = ["BadRow", "Rows", "template_fields"]


class BadRow(NamedTuple):
    """Why one row cannot be sent: its first line in the file (the header is 1), its column."""

    line: int
    column: str
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}, column {self.column!r}: {self.reason}"


def template_fields(template: str) -> list[str]:
    """The columns ``template`` names, such as ``['name']`` for ``'Hi {name}'``.

    Raises:
        ValueError: for a blank template, one that does not parse, or a positional
            field (``{}``, ``{0}``).
    """
    if not template.strip():
        raise ValueError("the template is blank")
    fields = []
    for _, field, _, _ in string.Formatter().parse(template):
        if field is None:
            continue
        if not field or field.isdigit():
            raise ValueError(f"the template's fields need column names, got {{{field}}}")
        fields.append(field)
    return fields


class Rows:
    """The campaign a CSV file holds: one message per row, ``template`` filled from its columns.

    The file is read as a stream, twice: :meth:`check` checks every row,
    :meth:`messages` reads them again to send, so memory does not grow with the file.
    """

    def __init__(self, path: Path, template: str, number_column: str, media: str | None) -> None:
        self.path = path
        self.template = template
        self.fields = template_fields(template)
        self.number_column = number_column
        self.media = media

    def _records(self) -> Iterator[tuple[int, dict[str, str]]]:
        """Each non-blank row with its first line; a row shorter than the header lacks columns."""
        with self.path.open(newline="", encoding="utf-8-sig") as file:
            reader = csv.reader(file)
            header = next(reader, [])
            after = reader.line_num
            for row in reader:
                line, after = after + 1, reader.line_num
                if row:
                    yield (
                        line,
                        dict(zip(header, row, strict=False)),
                    )  # a short row lacks the last columns

    def header(self) -> list[str]:
        """The first row's column names."""
        with self.path.open(newline="", encoding="utf-8-sig") as file:
            return next(csv.reader(file), [])

    def check(self) -> tuple[int, list[BadRow]]:
        """How many rows the file holds, and each that cannot be sent.

        A column the header lacks is reported once, on line 1, and the rows are not read.
        """
        header = set(self.header())
        missing = [c for c in (self.number_column, *self.fields) if c not in header]
        if missing:
            return 0, [
                BadRow(1, c, "the header has no such column") for c in dict.fromkeys(missing)
            ]
        count, bad = 0, list[BadRow]()
        for line, record in self._records():
            count += 1
            bad.extend(self._problems(line, record))
        return count, bad

    def _problems(self, line: int, record: dict[str, str]) -> Iterator[BadRow]:
        empty = [f for f in dict.fromkeys(self.fields) if not record.get(f, "").strip()]
        for field in empty:
            yield BadRow(line, field, "empty, and the template needs it")
        try:
            if empty:  # the text cannot be filled in; the number can still be checked
                Message(record.get(self.number_column, ""), "-")
            else:
                self._message(record)
        except InvalidNumber as error:
            yield BadRow(line, self.number_column, str(error))

    def messages(self) -> Iterator[Message]:
        """The rows as messages, in the file's order (:meth:`check` them first), each
        with a key hashed from its number, text and media, as a journal would make."""
        for _, record in self._records():
            yield self._message(record)

    def _message(self, record: dict[str, str]) -> Message:
        """The row's message, keyed by what it says: a rerun within the opt-out
        store's repeat window is refused instead of sent twice."""
        text = self.template.format_map(record)
        said = Message(record.get(self.number_column, ""), text, self.media)
        return Message(said.number, text, self.media, key=message_key(said))
