"""The wire layer: the only place that knows the service's JSON spellings."""

from __future__ import annotations

from ._converter import TIME_FORMAT, converter, format_time, parse_time

__all__ = ["TIME_FORMAT", "converter", "format_time", "parse_time"]
