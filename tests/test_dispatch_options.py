"""The Dispatcher refuses bad options when built, before any request, never showing a token."""

from __future__ import annotations

import asyncio
import math
from typing import Any

import pytest

import picky_async as pa

pytestmark = pytest.mark.looptime

TOKENS = ("first-SECRET-token", "second-SECRET-token")
PROJECTS = [pa.Project(token) for token in TOKENS]


@pytest.mark.parametrize(
    ("options", "reason"),
    [
        ({"base_url": "ftp://127.0.0.1/api"}, "http"),
        ({"base_url": "127.0.0.1/api"}, "http"),
        ({"base_url": "http:///api"}, "host"),
        ({"base_url": "http://[::1/api"}, "URL"),
        ({"base_url": f"ftp://127.0.0.1/{TOKENS[1]}"}, "http"),
        ({"base_url": f"http://127.0.0.1/{TOKENS[1]}"}, "token"),
        ({"base_url": f"http://127.0.0.1/api?key={TOKENS[0]}"}, "token"),
        ({"timeout": 0}, "timeout"),
        ({"timeout": math.nan}, "timeout"),
        ({"max_batch": 0}, "max_batch"),
        ({"horizon": 0}, "horizon"),
        ({"horizon": math.nan}, "horizon"),
        ({"linger": -0.1}, "linger"),
        ({"linger": math.nan}, "linger"),
        ({"aging": -1}, "aging"),
        ({"max_pending": 0}, "max_pending"),
    ],
)
def test_bad_options_are_refused_when_built(options: Any, reason: str) -> None:
    with pytest.raises(ValueError, match=reason) as caught:
        pa.Dispatcher(PROJECTS, **options)
    assert "SECRET" not in str(caught.value)
    assert caught.value.__cause__ is None


def test_an_application_that_is_not_an_int_is_refused_when_built() -> None:
    with pytest.raises(TypeError, match="application"):
        pa.Dispatcher(PROJECTS, application="1")  # type: ignore[arg-type]


def test_a_token_that_is_only_part_of_the_url_is_accepted() -> None:
    pa.Dispatcher([pa.Project("t"), pa.Project("pi")], base_url="http://127.0.0.1/api/v2")


async def test_one_unsent_message_is_one_message() -> None:
    d = pa.Dispatcher(PROJECTS, base_url="http://127.0.0.1:9/api")
    waiting = d.submit("919800000001", "hi")
    await d.close(drain=False)
    with pytest.raises(pa.DispatcherClosed) as closed:
        await waiting
    assert str(closed.value) == "closed with 1 message unsent"


async def test_each_closed_error_counts_its_messages_in_words() -> None:
    d = pa.Dispatcher(PROJECTS, base_url="http://127.0.0.1:9/api")
    waiting = [d.submit(f"91980000000{n}", "hi") for n in range(3)]
    await d.close(drain=False)
    errors = await asyncio.gather(*waiting, return_exceptions=True)
    for error in errors:
        assert isinstance(error, pa.DispatcherClosed)
        count = len(error.messages)
        assert str(error) == f"closed with {count} message{'s' * (count > 1)} unsent"
