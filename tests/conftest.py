"""Fixtures shared by the tests."""

from __future__ import annotations

import pathlib
from collections.abc import Callable, Iterator

import pytest
from aioresponses import aioresponses
from redis_servers import flush_all, require_redis_server
from safety_stores import KINDS, SafetyStores, Store

from picky_async.core import _numbers, _regional
from picky_async.testing import RedisServer


@pytest.fixture(autouse=True)
def no_picky_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests see no PICKY_TOKEN, PICKY_BASE_URL or PICKY_OPT_OUTS of the shell that runs them."""
    for name in ("PICKY_TOKEN", "PICKY_BASE_URL", "PICKY_OPT_OUTS"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def mock() -> Iterator[aioresponses]:
    """Answers the client's requests without a server; see ``aioresponses``."""
    with aioresponses() as m:
        yield m


class _Refused:
    """Stands in for the number check's patterns, and fails whatever reads one."""

    def __getattr__(self, name: str) -> object:
        raise AssertionError("normalize_number ran")


@pytest.fixture
def refuse_number_checks(monkeypatch: pytest.MonkeyPatch) -> Callable[[], None]:
    """Call it to make any later run of ``normalize_number`` fail (fast path or slow)."""

    def refuse() -> None:
        monkeypatch.setattr(_numbers, "_CLEAN", _Refused())
        monkeypatch.setattr(_numbers, "_SEPARATORS", _Refused())

    return refuse


@pytest.fixture
def without_phonenumbers(monkeypatch: pytest.MonkeyPatch) -> None:
    """As if the ``numbers`` extra (the phonenumbers library) were not installed."""
    monkeypatch.setattr(_regional, "phonenumbers", None)


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    """One redis-server for the whole suite; a test that stops or kills one uses its own."""
    with require_redis_server() as server:
        yield server


@pytest.fixture
def redis_url(redis_server: RedisServer) -> str:
    """The shared server's URL, its data flushed before each test."""
    flush_all(redis_server.url)
    return redis_server.url


@pytest.fixture
def own_redis_server() -> Iterator[RedisServer]:
    """A running redis-server of the test's own, to stop, kill and start again."""
    with require_redis_server() as server:
        yield server


@pytest.fixture(params=KINDS)
def safety_stores(request: pytest.FixtureRequest, tmp_path: pathlib.Path) -> SafetyStores:
    """Opens safety stores on one backing: a SQLite file, then (a second run) a Redis."""
    if request.param == "redis":
        return SafetyStores("redis", request.getfixturevalue("redis_url"))
    return SafetyStores("sqlite", str(tmp_path / "safety.db"))


@pytest.fixture
def safety_store(safety_stores: SafetyStores) -> Iterator[Store]:
    """An open safety store of each kind, closed after the test."""
    with safety_stores.open() as store:
        yield store
