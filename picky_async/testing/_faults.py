"""Faults a test can inject: slow answers, 5xx, dropped connections, lost answers."""

from __future__ import annotations

import enum
import random
from collections.abc import Iterator

import attrs

from ._project import ENDPOINTS, SimProject

__all__ = ["Fault", "FaultKind", "Faults"]


class FaultKind(str, enum.Enum):
    """What goes wrong with a request a fault hits.

    LATENCY delays processing and answer by ``seconds``. SERVER_ERROR answers
    HTTP ``status`` (a 5xx, with a non-JSON body, as a proxy would) without
    processing. RESET drops the connection before processing. LOST_ANSWER is
    the ambiguous one: the request is processed (messages are queued), then
    the connection drops without an answer.
    """

    LATENCY = "latency"
    SERVER_ERROR = "server-error"
    RESET = "reset"
    LOST_ANSWER = "lost-answer"


@attrs.define(eq=False)
class Fault:
    """One fault rule; ``hits`` counts the requests it struck so far.

    ``project`` (a name) and ``endpoint`` narrow which requests it may hit;
    ``None`` means any. ``times`` is how many more it may hit (``None``: no
    end); each matching request is hit with ``probability``.
    """

    kind: FaultKind
    project: str | None
    endpoint: str | None
    times: int | None
    probability: float
    seconds: float
    status: int
    hits: int = 0

    def matches(self, endpoint: str, project: str | None) -> bool:
        """Whether this rule applies to a request, before its probability."""
        return (self.endpoint is None or self.endpoint == endpoint) and (
            self.project is None or self.project == project
        )


class Faults:
    """The Simulator's fault rules, global or per project, changeable at run time.

    Chance comes from the Simulator's seeded RNG, so a run can be replayed.
    """

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._rules: list[Fault] = []

    def __iter__(self) -> Iterator[Fault]:
        return iter(self._rules)

    def __len__(self) -> int:
        return len(self._rules)

    def add(
        self,
        kind: FaultKind,
        *,
        project: SimProject | str | None = None,
        endpoint: str | None = None,
        times: int | None = None,
        probability: float = 1.0,
        seconds: float = 0.0,
        status: int = 503,
    ) -> Fault:
        """Add a rule and return it (to :meth:`remove` it or read its ``hits``).

        ``endpoint`` is a path without the base URL, such as ``"push"``.

        Raises:
            ValueError: for an unknown endpoint, a LATENCY without ``seconds``,
                a SERVER_ERROR status outside 500-599, ``times`` below 1 or
                a ``probability`` outside (0, 1].
        """
        if endpoint is not None and endpoint not in ENDPOINTS:
            raise ValueError(f"unknown endpoint {endpoint!r}; expected one of {ENDPOINTS}")
        if kind is FaultKind.LATENCY and seconds <= 0:
            raise ValueError("a LATENCY fault needs seconds > 0")
        if kind is FaultKind.SERVER_ERROR and not 500 <= status <= 599:
            raise ValueError(f"a SERVER_ERROR status must be 5xx, not {status}")
        if times is not None and times < 1:
            raise ValueError(f"times must be at least 1, not {times}")
        if not 0 < probability <= 1:
            raise ValueError(f"probability must be in (0, 1], not {probability}")
        name = project if project is None or isinstance(project, str) else project.name
        fault = Fault(kind, name, endpoint, times, probability, seconds, status)
        self._rules.append(fault)
        return fault

    def remove(self, fault: Fault) -> None:
        """Remove a rule; removing one already gone (or used up) is fine."""
        if fault in self._rules:
            self._rules.remove(fault)

    def clear(self) -> None:
        """Remove every rule."""
        self._rules.clear()

    def strike(self, endpoint: str, project: str | None) -> list[Fault]:
        """The rules that hit this request: every LATENCY, then at most one other, last.

        Rules that have used up their ``times`` are removed.
        """
        if not self._rules:
            return []
        struck: list[Fault] = []
        terminal = False
        for fault in list(self._rules):
            if not fault.matches(endpoint, project):
                continue
            if terminal and fault.kind is not FaultKind.LATENCY:
                continue
            if fault.probability < 1 and self._rng.random() >= fault.probability:
                continue
            fault.hits += 1
            if fault.times is not None:
                fault.times -= 1
                if fault.times == 0:
                    self._rules.remove(fault)
            terminal = terminal or fault.kind is not FaultKind.LATENCY
            struck.append(fault)
        struck.sort(key=lambda fault: fault.kind is not FaultKind.LATENCY)  # stable
        return struck
