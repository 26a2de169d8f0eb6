"""Safety stores of both kinds on one backing, so one test proves both behave alike."""

from __future__ import annotations

from typing import Any

import picky_async as pa
from picky_async.redis import RedisOptOuts

Store = pa.OptOuts | RedisOptOuts
KINDS = ["sqlite", "redis"]


class SafetyStores:
    """Opens stores on one SQLite file, or one Redis namespace: each sees the others' data."""

    def __init__(self, kind: str, target: str) -> None:
        self.kind = kind
        self.target = target  # a file path, or a redis:// URL

    def open(self, **options: Any) -> Store:
        """A store of this kind; ``options`` are the keyword options both take."""
        if self.kind == "sqlite":
            return pa.OptOuts(self.target, **options)
        return RedisOptOuts(self.target, **options)

    @property
    def code(self) -> str:
        """A Python expression that opens one in another process."""
        if self.kind == "sqlite":
            return f"__import__('picky_async').OptOuts({self.target!r})"
        return f"__import__('picky_async.redis').redis.RedisOptOuts({self.target!r})"
