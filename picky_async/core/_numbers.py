"""Recipient numbers: the one place that decides what a valid number is."""

from __future__ import annotations

import re

from ._errors import InvalidNumber
from ._regional import installed, known_region, parse_number

__all__ = ["check_region", "normalize_number"]

_SEPARATORS = re.compile(r"[\s\-.()]")
_DIGITS = re.compile(r"[0-9]{5,15}")
_CLEAN = re.compile(r"[1-9][0-9]{4,14}")  # already what the service wants
_DIALLED = re.compile(r"\+?[0-9]*")  # what is left of a number once its separators are gone


def check_region(region: str | None) -> str | None:
    """``default_region`` checked and upper-cased, or ``None``.

    Raises:
        TypeError: for a region that is not a str.
        ImportError: when a region is given without the ``numbers`` extra.
        ValueError: for a region that is not an ISO 3166 two-letter code.
    """
    return None if region is None else known_region(region)


def normalize_number(number: str | int, *, default_region: str | None = None) -> str:
    """Return ``number`` as the service wants it: digits with country code.

    Spaces, dashes, dots and parentheses are ignored. With the ``numbers``
    extra (the phonenumbers library) installed, a number starting with ``+``,
    and any number when ``default_region`` (such as ``"IN"``) is given, is
    read as people write it there: ``"98765 43210"`` in ``"IN"`` becomes
    ``"919876543210"``, ``"+44 (0)20 7946 0958"`` becomes ``"442079460958"``,
    and a number that cannot exist is refused. Otherwise the hand-written
    rule applies: 5-15 digits after one optional leading ``+``, not starting
    with ``0``, taken as already holding their country code.

    Raises:
        InvalidNumber: (also a ``ValueError``) for a number refused, saying why.
        TypeError, ValueError: for a ``default_region`` that is not a two-letter
            region phonenumbers knows.
        ImportError: for a ``default_region`` without the ``numbers`` extra.
    """
    if default_region is None and number.__class__ is str and _CLEAN.fullmatch(number):
        return number  # the usual case, and what every Message holds: no copy to make
    if isinstance(number, bool) or not isinstance(number, (str, int)):
        raise InvalidNumber(f"number must be a str or int, not {type(number).__name__}")
    typed = str(number)
    text = _SEPARATORS.sub("", typed)
    if default_region is not None or (text.startswith("+") and installed()):
        region = check_region(default_region)
        if not _DIALLED.fullmatch(text):
            raise InvalidNumber(
                f"{number!r} holds more than digits, spaces, dashes, dots, "
                "parentheses and a leading +"
            )
        return parse_number(typed, region)
    if text.startswith("+"):
        text = text[1:]
    if not _DIGITS.fullmatch(text):
        raise InvalidNumber(f"{number!r} is not 5-15 digits with country code")
    if text.startswith("0"):
        raise InvalidNumber(f"{number!r} starts with 0; give the full country code instead")
    return text
