"""The call conference endpoints: the request, and the report of its calls.

We send ``mute_gateway``/``record`` as 0/1 and ``data: [{number}]``; report rows
come with every value as a string and times as ``DD-MM-YYYY hh:mm AM``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

import attrs
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override

from ..core import Application, ConferenceCall, Priority
from ._body import stringify
from ._converter import _parse_optional_int, converter

__all__ = ["ConferenceReportRequest", "ConferenceRequest"]


@attrs.frozen
class ConferenceRequest:
    """The body of ``POST /conference-request``; the token is kept out of its repr."""

    path: ClassVar[str] = "conference-request"

    token: str = attrs.field(repr=False)
    application: Application | int = Application.CALL
    priority: Priority | int = Priority.LOW
    mute_gateway: bool = False
    record: bool = False
    numbers: tuple[str, ...] = ()


@attrs.frozen
class ConferenceReportRequest:
    """The body of ``POST /conference-report``; the token is kept out of its repr."""

    path: ClassVar[str] = "conference-report"

    token: str = attrs.field(repr=False)
    push_id: str


def _unstructure_numbers(numbers: Iterable[str]) -> list[dict[str, str]]:
    return [{"number": number} for number in numbers]


def _structure_numbers(rows: object, _: Any) -> tuple[str, ...]:
    if not isinstance(rows, list):
        raise ValueError(f"expected a list of {{number}} objects, got {rows!r}")
    return tuple(converter.structure(row["number"], str) for row in rows)


def _unstructure_push_id(push_id: str) -> int | str:
    # The document's sample sends the push id as a number.
    return int(push_id) if push_id.isdigit() else push_id


def _parse_duration(value: object, _: Any) -> int:
    return _parse_optional_int(value) or 0


def _unstructure_report_row(call: ConferenceCall) -> dict[str, str]:
    return stringify(_unstructure_call(call))


converter.register_structure_hook(
    ConferenceRequest,
    make_dict_structure_fn(
        ConferenceRequest,
        converter,
        numbers=override(rename="data", struct_hook=_structure_numbers),
    ),
)
converter.register_unstructure_hook(
    ConferenceRequest,
    make_dict_unstructure_fn(
        ConferenceRequest,
        converter,
        mute_gateway=override(unstruct_hook=int),
        record=override(unstruct_hook=int),
        numbers=override(rename="data", unstruct_hook=_unstructure_numbers),
    ),
)
converter.register_unstructure_hook(
    ConferenceReportRequest,
    make_dict_unstructure_fn(
        ConferenceReportRequest,
        converter,
        push_id=override(unstruct_hook=_unstructure_push_id),
    ),
)
converter.register_structure_hook(
    ConferenceCall,
    make_dict_structure_fn(
        ConferenceCall, converter, duration=override(struct_hook=_parse_duration)
    ),
)
_unstructure_call = make_dict_unstructure_fn(ConferenceCall, converter)
converter.register_unstructure_hook(ConferenceCall, _unstructure_report_row)
