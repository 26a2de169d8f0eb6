"""The one cattrs converter and the scalar quirks of the service's JSON.

The service writes numbers as strings or ints, ``""`` for unknown values, and
times as ``DD-MM-YYYY hh:mm AM``. The hooks here read every such spelling; the
per-endpoint modules register their renames on this same converter.
"""

from __future__ import annotations

import datetime
import decimal
import enum
from typing import Any, TypeVar

import cattrs

from ..core import Application, CallStatus, MessageType, Priority

__all__ = ["TIME_FORMAT", "converter", "format_time", "parse_time"]

TIME_FORMAT = "%d-%m-%Y %I:%M %p"

converter = cattrs.Converter()

_E = TypeVar("_E", bound=enum.IntEnum)


def parse_time(value: object) -> datetime.datetime | None:
    """Read ``DD-MM-YYYY hh:mm AM``; ``""`` or ``None`` mean unknown."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime.datetime):
        return value
    if not isinstance(value, str):
        raise ValueError(f"expected a time as DD-MM-YYYY hh:mm AM, got {value!r}")
    return datetime.datetime.strptime(value.strip(), TIME_FORMAT)


def format_time(value: datetime.datetime) -> str:
    """Write a time the way the service does."""
    return value.strftime(TIME_FORMAT)


def _parse_int(value: object) -> int:
    if isinstance(value, bool):
        raise ValueError(f"expected an integer, got {value!r}")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    raise ValueError(f"expected an integer, got {value!r}")


def _parse_optional_int(value: object, _: Any = None) -> int | None:
    if value is None or value == "":
        return None
    return _parse_int(value)


def _parse_bool(value: object, _: Any = None) -> bool:
    # cattrs' default is bool(value), which reads "0" and "false" as True.
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        text = value.strip().lower()
        if text in ("1", "true", "yes"):
            return True
        if text in ("0", "false", "no"):
            return False
    raise ValueError(f"expected a boolean, got {value!r}")


def _parse_str(value: object, _: Any = None) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise ValueError(f"expected text, got {value!r}")
    return str(value)


def _parse_optional_str(value: object, _: Any = None) -> str | None:
    if value is None or value == "":
        return None
    return _parse_str(value)


def _parse_decimal(value: object, _: Any = None) -> decimal.Decimal | None:
    if value is None or value == "":
        return None
    try:
        return decimal.Decimal(str(value))
    except decimal.InvalidOperation:
        raise ValueError(f"expected a decimal number, got {value!r}") from None


def _enum_or_int(enum_type: type[_E]) -> Any:
    """Structure to the enum member, or keep the raw int for values it lacks."""

    def structure(value: object, _: Any = None) -> _E | int:
        number = _parse_int(value)
        try:
            return enum_type(number)
        except ValueError:
            return number

    return structure


converter.register_structure_hook(bool, _parse_bool)
converter.register_structure_hook(str, _parse_str)
converter.register_structure_hook(str | None, _parse_optional_str)
converter.register_structure_hook(int, lambda value, _: _parse_int(value))
converter.register_structure_hook(int | None, _parse_optional_int)
converter.register_structure_hook(decimal.Decimal | None, _parse_decimal)
converter.register_structure_hook(datetime.datetime | None, lambda value, _: parse_time(value))
for _enum in (Application, CallStatus, MessageType, Priority):
    converter.register_structure_hook(_enum | int, _enum_or_int(_enum))
    converter.register_structure_hook(_enum, _enum_or_int(_enum))
converter.register_unstructure_hook(datetime.datetime, format_time)
