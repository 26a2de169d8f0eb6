"""Where a run's time goes: a pyinstrument profile summed by function and by area.

pyinstrument is not a dependency of the project: ``pip install pyinstrument``
to use ``--profile``. Its own flat view counts some time twice, so the self
time of each function is summed here from the call tree, with the time of
synthetic frames (``[self]``) and built-ins given to the function that called them.
"""

from __future__ import annotations

import collections
from typing import Any

__all__ = ["hot_spots", "new_profiler"]

_BUILT_IN = "<built-in>"

# Which part of the stack a file belongs to, first match wins.
_AREAS = (
    ("dispatch", "Dispatcher (picky_async.dispatch)"),
    ("picky_async", "client and wire (picky_async)"),
    ("cattrs", "client and wire (picky_async)"),
    ("tenacity", "client and wire (picky_async)"),
    ("aiohttp", "aiohttp, yarl, multidict"),
    ("yarl", "aiohttp, yarl, multidict"),
    ("multidict", "aiohttp, yarl, multidict"),
    ("asyncio", "event loop and sockets"),
    ("selectors", "event loop and sockets"),
    ("socket", "event loop and sockets"),
    ("json", "json"),
)


def new_profiler() -> Any:
    """A pyinstrument profiler sampling every millisecond, awaits not followed.

    Raises:
        ModuleNotFoundError: when pyinstrument is not installed.
    """
    import pyinstrument  # optional: only --profile needs it

    return pyinstrument.Profiler(interval=0.001, async_mode="disabled")


def _area(path: str) -> str:
    normalized = path.replace(".", "/")
    for marker, area in _AREAS:
        if marker in normalized:
            return area
    return "other"


def hot_spots(profiler: Any, *, top: int = 20) -> str:
    """The ``top`` functions by self time, then the time by area, in % of the run."""
    root = profiler.last_session.root_frame()
    by_function: collections.Counter[tuple[str, str]] = collections.Counter()
    stack = [(root, ("(root)", ""))]
    while stack:
        frame, owner = stack.pop()
        borrowed = frame.is_synthetic or frame.code_position_short() == _BUILT_IN
        key = owner if borrowed else (frame.function, frame.code_position_short() or "")
        by_function[key] += frame.time - sum(child.time for child in frame.children)
        stack += [(child, key) for child in frame.children]
    total = root.time or 1.0
    by_area: collections.Counter[str] = collections.Counter()
    for (_, where), seconds in by_function.items():
        by_area[_area(where)] += seconds
    lines = [f"self time by function ({total:.2f} s sampled):"]
    lines += [
        f"  {100 * seconds / total:5.1f}%  {function}  {where}"
        for (function, where), seconds in by_function.most_common(top)
    ]
    lines.append("self time by area:")
    lines += [f"  {100 * seconds / total:5.1f}%  {area}" for area, seconds in by_area.most_common()]
    return "\n".join(lines)
