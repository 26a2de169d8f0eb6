"""How the service reads request values: leniently, and a push's rows in bulk.

Values are read the way the service reads them (numbers as strings or ints,
``None`` as empty text). A push carries up to thousands of rows, so its
numbers and texts are checked in one pass over the list when they have the
usual spelling (strings), and one by one, for the precise refusal, otherwise.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from ..core import Application, StatusCode

__all__ = [
    "Refused",
    "call_number_of",
    "entries_of",
    "int_of",
    "number_of",
    "numbers_of",
    "phone_text",
    "text_of",
    "texts_of",
]

# Strict on purpose: the service wants digits only with the country code, so
# a client that forgot to normalize ("+55 ...", "0...") is caught here.
_DIGITS = r"[1-9][0-9]{4,14}"
_NUMBER = re.compile(_DIGITS)
# The document lets a conference's numbers carry "+" or drop the country code
# (so start with a trunk 0), as the phone's carrier wants them dialled.
_CALL_NUMBER = re.compile(r"\+?[0-9]{5,15}")
# Numbers joined by commas, all valid: one match checks a whole push.
_NUMBERS = re.compile(rf"{_DIGITS}(?:,{_DIGITS})*")


class Refused(Exception):
    """A request the service answers with an error status."""

    def __init__(self, code: int) -> None:
        self.code = code


def text_of(value: object) -> str:
    """A JSON value read as text: ``None`` is empty, numbers are their digits."""
    return value if isinstance(value, str) else "" if value is None else str(value)


def int_of(value: object, default: int) -> int:
    """A JSON value read as an int (digits in a string count), else ``default``."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return default


def phone_text(text: str, media: str | None, application: int) -> tuple[str, str | None]:
    """What the phone sends: SMS carries no media, so its URL ends the text."""
    if media and application == Application.SMS:
        return (f"{text} {media}" if text else media), None
    return text, media


def number_of(value: object) -> str:
    """A recipient number as the service takes it: digits, surrounding spaces dropped.

    Raises:
        Refused: INVALID_NUMBER for anything else.
    """
    return _matching(value, _NUMBER)


def call_number_of(value: object) -> str:
    """A conference number as the service takes it: as :func:`number_of`, or
    with a leading ``+`` or ``0``.

    Raises:
        Refused: INVALID_NUMBER for anything else.
    """
    return _matching(value, _CALL_NUMBER)


def _matching(value: object, pattern: re.Pattern[str]) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise Refused(StatusCode.INVALID_NUMBER)
    text = str(value).strip()
    if not pattern.fullmatch(text):
        raise Refused(StatusCode.INVALID_NUMBER)
    return text


def _types(values: Sequence[object]) -> set[type]:
    return set(map(type, values))


def numbers_of(entries: Sequence[Mapping[str, Any]]) -> list[str]:
    """Every entry's ``number``, read as :func:`number_of` reads one.

    Raises:
        Refused: INVALID_NUMBER when any is not a valid number.
    """
    numbers: list[Any] = [entry.get("number") for entry in entries]
    if _types(numbers) == {str}:
        joined = ",".join(numbers)
        # As many commas as joints: no number brought a comma of its own.
        if joined.count(",") == len(numbers) - 1 and _NUMBERS.fullmatch(joined):
            return numbers
    return [number_of(number) for number in numbers]


def texts_of(entries: Sequence[Mapping[str, Any]], global_text: str) -> list[str]:
    """Every entry's ``message`` read by :func:`text_of`, or ``global_text`` where empty."""
    messages = [entry.get("message") for entry in entries]
    if _types(messages) <= {str, type(None)}:
        return [message or global_text for message in messages]
    return [text_of(message) or global_text for message in messages]


def entries_of(payload: Mapping[str, Any]) -> Sequence[Mapping[str, Any]]:
    """The body's ``{number, message}`` entries: its ``data`` list or, without
    one, the body itself, as the document's table spells a single message.

    Raises:
        Refused: EMPTY_NUMBER_LIST without entries, INVALID_NUMBER when one is
            not an object.
    """
    data = payload.get("data")
    if data in (None, "") and "number" in payload:
        return [payload]
    if not isinstance(data, list) or not data:
        raise Refused(StatusCode.EMPTY_NUMBER_LIST)
    if set(map(type, data)) != {dict} and not all(isinstance(e, Mapping) for e in data):
        raise Refused(StatusCode.INVALID_NUMBER)
    return data
