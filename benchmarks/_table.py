"""Result rows and the plain-text table every benchmark prints.

A row holds the value measured, the baseline measured in the same run, and the
target from issue 5, which applies either to the value itself (CPU per
message, bytes per message) or to the ratio value / baseline (throughput
against raw aiohttp). Ratios are the headline; absolute values are context.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence

import attrs

__all__ = ["Row", "Target", "at_least", "at_most", "render", "runs"]


@attrs.frozen
class Target:
    """A goal: the value (or the ratio to the baseline) at least or at most ``bound``."""

    bound: float
    at_most: bool
    on_ratio: bool = False

    def met(self, row: Row) -> bool | None:
        """Whether ``row`` meets it; ``None`` when it needs a ratio the row lacks."""
        value = row.ratio if self.on_ratio else row.value
        if value is None:
            return None
        return value <= self.bound if self.at_most else value >= self.bound

    def describe(self, unit: str) -> str:
        """The goal as text, such as ``>= 0.8 x baseline`` or ``<= 10 µs``."""
        sign = "<=" if self.at_most else ">="
        scale = "x baseline" if self.on_ratio else unit
        return f"{sign} {number(self.bound)} {scale}".rstrip()


def at_least(bound: float, *, ratio: bool = False) -> Target:
    """A target ``>= bound`` on the value, or on the ratio with ``ratio=True``."""
    return Target(bound, at_most=False, on_ratio=ratio)


def at_most(bound: float, *, ratio: bool = False) -> Target:
    """A target ``<= bound`` on the value, or on the ratio with ``ratio=True``."""
    return Target(bound, at_most=True, on_ratio=ratio)


@attrs.frozen
class Row:
    """One line of a table: what was measured, against what, and the goal."""

    metric: str
    value: float
    unit: str = ""
    baseline: float | None = None
    target: Target | None = None
    paired_ratio: float | None = None
    spread: tuple[float, float] | None = None
    """The lowest and highest of the runs ``value`` is the median of."""

    @property
    def ratio(self) -> float | None:
        """``value / baseline``, when there is a non-zero baseline.

        Or ``paired_ratio`` when given: the median of the ratios of runs made
        side by side, which a slow spell of a shared machine affects less
        than the ratio of two medians does.
        """
        if self.paired_ratio is not None:
            return self.paired_ratio
        if self.baseline is None or self.baseline == 0:
            return None
        return self.value / self.baseline


def runs(values: Sequence[float], scale: float = 1.0) -> tuple[float, tuple[float, float]]:
    """The median of several runs' ``values`` and their spread (lowest, highest), times
    ``scale``: a row's ``value`` and ``spread``."""
    scaled = sorted(value * scale for value in values)
    return statistics.median(scaled), (scaled[0], scaled[-1])


def number(value: float) -> str:
    """A short, readable number: thousands grouped, about three significant digits."""
    size = abs(value)
    if value == int(value) and size < 1e15:
        return f"{int(value):,}"
    if size >= 1000:
        return f"{value:,.0f}"
    if size >= 100:
        return f"{value:.0f}"
    if size >= 10:
        return f"{value:.1f}"
    if size >= 0.01 or size == 0:
        return f"{value:.3g}" if size < 1 else f"{value:.2f}"
    return f"{value:.2e}"


def _cells(row: Row) -> list[str]:
    unit = f" {row.unit}" if row.unit else ""
    baseline = "-" if row.baseline is None else number(row.baseline) + unit
    ratio = "-" if row.ratio is None else f"{number(row.ratio)} x"
    if row.target is None:
        target, met = "-", "-"
    else:
        target = row.target.describe(row.unit)
        verdict = row.target.met(row)
        met = "n/a" if verdict is None else "met" if verdict else "NOT met"
    measured = number(row.value) + unit
    if row.spread is not None:
        low, high = row.spread
        measured += f" [{number(low)}-{number(high)}]"
    return [row.metric, measured, baseline, ratio, target, met]


_HEADER = ["metric", "measured", "baseline", "ratio", "target", "met"]


def render(title: str, rows: Sequence[Row], notes: Sequence[str] = ()) -> str:
    """The table as aligned plain text, the title above and the notes below."""
    lines = [_HEADER, *(_cells(row) for row in rows)]
    widths = [max(len(line[column]) for line in lines) for column in range(len(_HEADER))]

    def join(cells: list[str]) -> str:
        first, *others = cells
        padded = [first.ljust(widths[0])]
        padded += [cell.rjust(width) for cell, width in zip(others, widths[1:], strict=True)]
        return "  ".join(padded).rstrip()

    rule = "-" * len(join(_HEADER))
    body = [join(line) for line in lines]
    text = [title, rule, body[0], rule, *body[1:], rule, *(f"  {note}" for note in notes)]
    return "\n".join(text)
