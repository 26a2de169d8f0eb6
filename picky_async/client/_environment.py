"""Options the environment supplies when the code gives none: ``PICKY_TOKEN``, ``PICKY_BASE_URL``.

So a deployment can keep its token out of the source, and point every client
and Dispatcher at a stand-in (such as the Simulator) without a code change.
An explicit argument always wins over the environment; an empty variable
counts as unset.
"""

from __future__ import annotations

import os
from collections.abc import Iterable

from ._options import check_base_url

__all__ = [
    "BASE_URL_VARIABLE",
    "DEFAULT_BASE_URL",
    "TOKEN_VARIABLE",
    "base_url_or_environment",
    "token_or_environment",
]

DEFAULT_BASE_URL = "https://pickyassist.com/app/api/v2"
TOKEN_VARIABLE = "PICKY_TOKEN"
BASE_URL_VARIABLE = "PICKY_BASE_URL"


def token_or_environment(token: str | None) -> str:
    """``token``, or when it is ``None`` the value of ``PICKY_TOKEN``.

    Raises:
        ValueError: for an empty token, or for none while ``PICKY_TOKEN`` is
            unset or empty; the message never holds a token.
    """
    if token is None:
        token = os.environ.get(TOKEN_VARIABLE, "")
        if not token:
            message = f"no token given: pass one or set the {TOKEN_VARIABLE} environment variable"
            raise ValueError(message)
    elif not token:
        raise ValueError("token must not be empty")
    return token


def base_url_or_environment(base_url: str | None, *, tokens: Iterable[str]) -> str:
    """``base_url``, else the value of ``PICKY_BASE_URL``, else :data:`DEFAULT_BASE_URL`.

    The URL chosen is checked by :func:`check_base_url`, which returns it
    without its trailing slash.

    Raises:
        ValueError: as :func:`check_base_url` does, naming ``PICKY_BASE_URL``
            when the URL came from it.
    """
    if base_url is not None:
        return check_base_url(base_url, tokens=tokens)
    from_environment = os.environ.get(BASE_URL_VARIABLE, "")
    if not from_environment:
        return check_base_url(DEFAULT_BASE_URL, tokens=tokens)
    try:
        return check_base_url(from_environment, tokens=tokens)
    except ValueError as exc:
        raise ValueError(f"{BASE_URL_VARIABLE}: {exc}") from exc
