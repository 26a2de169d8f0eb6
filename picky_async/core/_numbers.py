"""Recipient numbers: the one place that decides what a valid number is."""

from __future__ import annotations

import re

from ._errors import InvalidNumber

__all__ = ["normalize_number"]

_SEPARATORS = re.compile(r"[\s\-.()]")
_DIGITS = re.compile(r"[0-9]{5,15}")
_CLEAN = re.compile(r"[1-9][0-9]{4,14}")  # already what the service wants


def normalize_number(number: str | int) -> str:
    """Return ``number`` as the service wants it: 5-15 digits with country code.

    Spaces, dashes, dots, parentheses and one leading ``+`` are removed, so
    ``"+55 (12) 3456-789"`` becomes ``"55123456789"``.
    A leading ``0`` is refused: the service needs the full country code.

    Raises:
        InvalidNumber: (also a ``ValueError``) for anything else.
    """
    if number.__class__ is str and _CLEAN.fullmatch(number):
        return number  # the usual case, and what every Message holds: no copy to make
    if isinstance(number, bool) or not isinstance(number, (str, int)):
        raise InvalidNumber(f"number must be a str or int, not {type(number).__name__}")
    text = _SEPARATORS.sub("", str(number))
    if text.startswith("+"):
        text = text[1:]
    if not _DIGITS.fullmatch(text):
        raise InvalidNumber(f"{number!r} is not 5-15 digits with country code")
    if text.startswith("0"):
        raise InvalidNumber(f"{number!r} starts with 0; give the full country code instead")
    return text
