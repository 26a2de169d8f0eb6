"""The User-Agent every request carries, so the service's and proxies' logs can tell who sent it."""

from __future__ import annotations

import sys

import aiohttp

from ..core import VERSION

__all__ = ["USER_AGENT"]

_PYTHON = "{}.{}.{}".format(*sys.version_info[:3])

USER_AGENT = f"picky_async/{VERSION} (aiohttp/{aiohttp.__version__}; python/{_PYTHON})"
