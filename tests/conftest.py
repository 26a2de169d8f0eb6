"""Fixtures shared by the client's tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from aioresponses import aioresponses


@pytest.fixture
def mock() -> Iterator[aioresponses]:
    """Answers the client's requests without a server; see ``aioresponses``."""
    with aioresponses() as m:
        yield m
