"""The suite's redis-server: skipped where Redis is missing, unless CI requires it."""

from __future__ import annotations

import os

import pytest
import redis

from picky_async.testing import RedisServer

REQUIRE = "PICKY_REQUIRE_REDIS"  # "1" in CI: a missing redis-server fails the Redis tests


def require_redis_server() -> RedisServer:
    """A server, not started yet; without redis-server, skip the test (or fail it in CI)."""
    try:
        return RedisServer()
    except FileNotFoundError as exc:
        if os.environ.get(REQUIRE) == "1":
            pytest.fail(f"{exc} ({REQUIRE}=1 requires it)", pytrace=False)
        pytest.skip(str(exc))


def flush_all(url: str) -> None:
    """Empty every database of the server at ``url``."""
    with redis.Redis.from_url(url) as client:
        client.flushall()
