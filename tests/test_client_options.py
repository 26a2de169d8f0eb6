"""PickyClient's options: refused before any request, and never with the token in the text."""

from __future__ import annotations

import math
from typing import Any

import pytest

import picky_async as pa

TOKEN = "tok-3f9a-SECRET"


def texts(error: BaseException) -> str:
    """Everything a traceback may show of an error and the errors behind it."""
    shown = []
    current: BaseException | None = error
    while current is not None:
        shown += [str(current), repr(current), *map(str, current.args)]
        current = current.__cause__ or current.__context__
    return "\n".join(shown)


@pytest.mark.parametrize("token", ["t", "a", "ap", "pi/v", "v", "pickyassist.com", "https"])
def test_a_token_that_is_only_part_of_the_url_is_accepted(token: str) -> None:
    client = pa.PickyClient(token)  # the default URL is https://pickyassist.com/app/api/v2
    assert repr(client).startswith("PickyClient(base_url='https://pickyassist.com/app/api/v2'")


@pytest.mark.parametrize("token", ["app", "api", "v2"])
def test_a_token_that_is_a_whole_segment_of_the_url_is_refused(token: str) -> None:
    # Every error naming the URL would show it.
    with pytest.raises(ValueError, match="must not contain a token"):
        pa.PickyClient(token)


@pytest.mark.parametrize(
    "base_url",
    [
        f"http://127.0.0.1/{TOKEN}/api",
        f"http://127.0.0.1/api/{TOKEN}",
        f"http://127.0.0.1/api/{TOKEN}/",
        "http://127.0.0.1/api/tok%2D3f9a%2DSECRET",
        f"http://127.0.0.1/api?token={TOKEN}",
        f"http://127.0.0.1/api?{TOKEN}",
        f"http://{TOKEN}@127.0.0.1/api",
        f"http://user:{TOKEN}@127.0.0.1/api",
        f"http://127.0.0.1/api#{TOKEN}",
    ],
)
def test_a_token_in_the_url_is_refused_without_showing_it(base_url: str) -> None:
    with pytest.raises(ValueError, match="must not contain a token") as caught:
        pa.PickyClient(TOKEN, base_url=base_url)
    assert TOKEN not in texts(caught.value)


@pytest.mark.parametrize(
    ("base_url", "reason"),
    [
        (f"ftp://127.0.0.1/{TOKEN}", "http"),
        (f"127.0.0.1/{TOKEN}", "http"),
        (TOKEN, "http"),
        (f"{TOKEN}://127.0.0.1/api", "http"),
        (f"http:///{TOKEN}", "host"),
        (f"http://[{TOKEN}/api", "URL"),
        (f"http://127.0.0.1:99999/{TOKEN}", "URL"),
        ("ftp://127.0.0.1/tok%2D3f9a%2DSECRET", "http"),
    ],
)
def test_a_bad_url_holding_the_token_is_refused_without_showing_it(
    base_url: str, reason: str
) -> None:
    with pytest.raises(ValueError, match=reason) as caught:
        pa.PickyClient(TOKEN, base_url=base_url)
    assert TOKEN not in texts(caught.value)
    assert "%2DSECRET" not in texts(caught.value)


def test_a_bad_url_without_a_token_is_quoted() -> None:
    with pytest.raises(ValueError, match="http") as caught:
        pa.PickyClient(TOKEN, base_url="ftp://127.0.0.1/api")
    assert str(caught.value).endswith(", got 'ftp://127.0.0.1/api'")


@pytest.mark.parametrize(
    ("options", "reason"),
    [
        ({"base_url": "ftp://127.0.0.1"}, "http"),
        ({"base_url": "http://"}, "host"),
        ({"timeout": 0}, "timeout"),
        ({"timeout": -1.0}, "timeout"),
        ({"timeout": math.nan}, "timeout"),
        ({"timeout": math.inf}, "timeout"),
        ({"encoding": "xml"}, "encoding"),
    ],
)
def test_bad_options_are_refused(options: Any, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        pa.PickyClient(TOKEN, **options)


def test_the_base_url_loses_its_trailing_slash() -> None:
    client = pa.PickyClient(TOKEN, base_url="http://127.0.0.1:9/api/v2/")
    assert repr(client) == "PickyClient(base_url='http://127.0.0.1:9/api/v2', encoding='json')"
