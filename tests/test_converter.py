"""The scalar quirks of the shared converter (per-endpoint models test their own)."""

from __future__ import annotations

import datetime
import decimal
from typing import Any

import pytest

import picky_async as pa
from picky_async.wire import converter, format_time, parse_time

# Unions are types to cattrs but not to mypy's signature of structure().
OPTIONAL_INT: Any = int | None
APPLICATION_OR_INT: Any = pa.Application | int
OPTIONAL_DECIMAL: Any = decimal.Decimal | None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("0", False), ("false", False), ("1", True), ("True", True), (0, False), (1, True)],
)
def test_bool_reads_the_strings_the_service_writes(raw: object, expected: bool) -> None:
    assert converter.structure(raw, bool) is expected


def test_bool_refuses_garbage() -> None:
    with pytest.raises(ValueError, match="boolean"):
        converter.structure("maybe", bool)


@pytest.mark.parametrize(("raw", "expected"), [("12", 12), (12, 12), ("", None), (None, None)])
def test_optional_int_reads_strings_and_empty(raw: object, expected: int | None) -> None:
    assert converter.structure(raw, OPTIONAL_INT) == expected


def test_int_refuses_text() -> None:
    with pytest.raises(ValueError, match="integer"):
        converter.structure("twelve", int)


def test_unknown_enum_value_is_kept_as_raw_int() -> None:
    assert converter.structure("10", APPLICATION_OR_INT) == 10
    assert type(converter.structure("10", APPLICATION_OR_INT)) is int
    assert converter.structure("8", APPLICATION_OR_INT) is pa.Application.WHATSAPP_OFFICIAL


def test_time_format_round_trips() -> None:
    parsed = parse_time("20-12-2018 02:31 PM")
    assert parsed == datetime.datetime(2018, 12, 20, 14, 31)
    assert format_time(parsed) == "20-12-2018 02:31 PM"
    assert parse_time("") is None


def test_time_refuses_other_formats() -> None:
    with pytest.raises(ValueError, match="does not match"):
        parse_time("2018-12-20T14:31")


def test_decimal_credit() -> None:
    assert converter.structure("0.005", OPTIONAL_DECIMAL) == decimal.Decimal("0.005")
    assert converter.structure("", OPTIONAL_DECIMAL) is None
