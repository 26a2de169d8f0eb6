"""The client: one method per V2 endpoint, each request checked before it leaves."""

from __future__ import annotations

from ._client import PickyClient
from ._environment import (
    BASE_URL_VARIABLE,
    DEFAULT_BASE_URL,
    TOKEN_VARIABLE,
    base_url_or_environment,
)
from ._options import check_application, check_base_url, check_timeout
from ._retry import RetryPolicy

__all__ = [
    "BASE_URL_VARIABLE",
    "DEFAULT_BASE_URL",
    "TOKEN_VARIABLE",
    "PickyClient",
    "RetryPolicy",
    "base_url_or_environment",
    "check_application",
    "check_base_url",
    "check_timeout",
]
