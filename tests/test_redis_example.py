"""examples/several_workers.py: three Dispatchers on one RedisLedger stay within the limits.

It runs in real time (Redis keeps its own clock), a few seconds, with its own
redis-server; without one the test skips, or fails where CI requires Redis.
"""

from __future__ import annotations

import asyncio
import bisect
import re
from typing import Any

import pytest
from example_modules import load_example
from redis_servers import require_redis_server

from picky_async.testing import Simulator


def most_in_any_period(times: list[float], period: float) -> int:
    """The most of ``times`` that fall within any ``period`` seconds."""
    times = sorted(times)
    return max(bisect.bisect_left(times, t + period) - n for n, t in enumerate(times))


def test_most_in_any_period_counts_a_sliding_window() -> None:
    assert most_in_any_period([0.0, 0.5, 0.9, 1.0, 2.5], 1.0) == 3
    assert most_in_any_period([3.0, 0.0, 0.1], 1.0) == 2


async def test_the_workers_share_the_phones_at_the_limit_and_never_over(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    require_redis_server()
    example = load_example("several_workers")
    simulators: list[Simulator] = []

    class KeptSimulator(Simulator):
        def __init__(self, **options: Any) -> None:
            super().__init__(**options)
            simulators.append(self)

    monkeypatch.setattr(example, "Simulator", KeptSimulator)
    await asyncio.wait_for(example.main(), timeout=30)

    out = capsys.readouterr().out
    workers = re.findall(r"^  worker (\d) +(\d+) messages in +(\d+) pushes$", out, re.MULTILINE)
    assert [(n, int(sent)) for n, sent, _ in workers] == [
        (str(n), example.MESSAGES) for n in range(1, example.WORKERS + 1)
    ]
    total = example.WORKERS * example.MESSAGES
    assert f"{total} numbers accepted, 0 twice, 0 requests over the limit" in out

    # The service's view: every phone had more pushes than one window allows,
    # from three workers at once, and no window ever held more than the limit.
    (sim,) = simulators
    limit = example.PUSH_LIMIT
    for phone in example.PHONES:
        pushes = [r.arrived_at for r in sim.requests if r.project == phone and r.endpoint == "push"]
        assert len(pushes) > limit.count
        assert most_in_any_period(pushes, limit.period) <= limit.count
    assert sum(int(p) for _, _, p in workers) == sim.stats.requests["push"]
