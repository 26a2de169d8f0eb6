"""Redis URLs as every class of this package takes them: checked, and shown without a password."""

from __future__ import annotations

import yarl

__all__ = ["check_url", "shown"]

_SCHEMES = ("redis", "rediss", "unix")


def check_url(url: str) -> None:
    """Refuse what redis-py would misread, before any connection.

    Raises:
        ValueError: for a URL that is not ``redis://``, ``rediss://`` or ``unix://``.
    """
    if yarl.URL(url).scheme not in _SCHEMES:
        raise ValueError(f"expected a redis://, rediss:// or unix:// URL, got {shown(url)!r}")


def shown(url: str) -> str:
    """``url`` without its password, for reprs and errors."""
    parsed = yarl.URL(url)
    return str(parsed.with_password("***")) if parsed.password else url
