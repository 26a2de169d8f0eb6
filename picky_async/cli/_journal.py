"""The campaign's journal (``pa.Journal``), when this version of the library has one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

import picky_async

__all__ = ["open_journal"]


def open_journal(path: Path | None) -> Any:
    """A ``pa.Journal`` on ``path`` (``None`` without one), to use as ``async with``.

    Raises:
        click.UsageError: for a path when the library has no journal.
    """
    if path is None:
        return None
    journal_type = getattr(picky_async, "Journal", None)
    if journal_type is None:
        raise click.UsageError("--journal: the journal is not available in this version")
    return journal_type(path)
