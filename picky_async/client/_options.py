"""Checks of the options a PickyClient and a Dispatcher share, made before any request.

A token may hide anywhere in a base URL, so no message here quotes the URL
unless no token appears anywhere in it.
"""

from __future__ import annotations

import math
import urllib.parse
from collections.abc import Iterable

import yarl

from ..core import Application

__all__ = ["check_application", "check_base_url", "check_timeout"]


def check_base_url(base_url: str, *, tokens: Iterable[str]) -> str:
    """Return ``base_url`` without its trailing slash, once it is fit to post to.

    The token travels only in the body, so a URL that holds one would put it
    in every error and log line naming the URL. A token is looked for as a
    whole path segment, query key or value, user, password or fragment: a
    short token that is only part of one (such as ``"app"`` in ``/app/api``)
    is no leak.

    Raises:
        ValueError: for a URL that is not http(s) with a host, or that holds a token.
    """
    tokens = set(tokens)
    texts = (base_url, urllib.parse.unquote(base_url))
    shown = "" if any(t in text for t in tokens for text in texts) else f", got {base_url!r}"
    try:
        url = yarl.URL(base_url)
        parts: set[str | None] = {*url.parts, *url.query.keys(), *url.query.values()}
        parts |= {url.user, url.password, url.fragment}
    except (TypeError, ValueError):
        raise ValueError(f"base_url must be a URL{shown}") from None
    if url.scheme not in ("http", "https") or not url.host:
        raise ValueError(f"base_url must be an http(s) URL with a host{shown}")
    if tokens & parts:
        raise ValueError("base_url must not contain a token")
    return base_url.rstrip("/")


def check_timeout(timeout: float) -> None:
    """Refuse a timeout that is not a positive, finite number of seconds.

    Raises:
        ValueError: for zero, a negative number, NaN or infinity.
    """
    if not 0 < timeout < math.inf:
        raise ValueError(f"timeout must be a positive number of seconds, got {timeout!r}")


def check_application(application: Application | int) -> Application | int:
    """Return the :class:`Application` for a known value; pass unknown ints on.

    Newer accounts use values the document lacks (such as 10).

    Raises:
        TypeError: for anything but an int (a bool included).
    """
    if isinstance(application, bool) or not isinstance(application, int):
        raise TypeError(f"application must be an int, not {type(application).__name__}")
    try:
        return Application(application)
    except ValueError:
        return application
