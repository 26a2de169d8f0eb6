"""The library's version, read from the installed metadata so pyproject.toml is its one source."""

from __future__ import annotations

from importlib import metadata

__all__ = ["VERSION", "installed_version"]

# A source tree used without being installed has no metadata to read.
_NOT_INSTALLED = "0+unknown"


def installed_version(distribution: str = "picky_async") -> str:
    """The installed version of ``distribution``, or ``"0+unknown"`` when it is not installed."""
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return _NOT_INSTALLED


VERSION = installed_version()
