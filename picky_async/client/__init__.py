"""The client: one method per V2 endpoint, each request checked before it leaves."""

from __future__ import annotations

from ._client import DEFAULT_BASE_URL, PickyClient
from ._options import check_application, check_base_url, check_timeout
from ._retry import RetryPolicy

__all__ = [
    "DEFAULT_BASE_URL",
    "PickyClient",
    "RetryPolicy",
    "check_application",
    "check_base_url",
    "check_timeout",
]
