"""Checks of the Dispatcher's own options and of its calls', made before any request."""

from __future__ import annotations

from collections.abc import Sequence

from ..journal import Journal
from ._project import Project

__all__ = ["check_journal", "check_pacing", "project_names"]


def project_names(projects: Sequence[Project]) -> list[str]:
    """Each project's name, ``project-<n>`` when it has none.

    Raises:
        ValueError: for no projects, two with one name, or two with one token
            (the service counts one token's limits once, however many use it).
    """
    if not projects:
        raise ValueError("a dispatcher needs at least one project")
    names = [p.name or f"project-{n}" for n, p in enumerate(projects, 1)]
    if len(set(names)) < len(names):
        raise ValueError("project names must be unique")
    if len({p.token for p in projects}) < len(projects):
        raise ValueError("each project needs its own token")
    return names


def check_pacing(*, max_batch: int, horizon: float, linger: float, aging: float) -> None:
    """Refuse pacing options out of range; NaN fails every check.

    Raises:
        ValueError: for ``max_batch`` under 1, ``horizon`` not above 0, or
            ``linger`` or ``aging`` below 0.
    """
    if not max_batch >= 1:
        raise ValueError(f"max_batch must be at least 1, got {max_batch!r}")
    if not horizon > 0:
        raise ValueError(f"horizon must be more than 0 seconds, got {horizon!r}")
    if not linger >= 0:
        raise ValueError(f"linger must be at least 0 seconds, got {linger!r}")
    if not aging >= 0:
        raise ValueError(f"aging must be at least 0 seconds, got {aging!r}")


def check_journal(journal: Journal | None, resend_uncertain: bool) -> None:
    """Refuse ``resend_uncertain`` without a journal, which alone knows what was uncertain."""
    if resend_uncertain and journal is None:
        raise ValueError("resend_uncertain=True needs a journal to know what was uncertain")
