"""Three workers sending through the same two phones, within the limits, through Redis.

Run ``python examples/several_workers.py`` (it needs ``redis-server`` on PATH
and the ``redis`` extra). Each Dispatcher here stands in for one worker
process of a web service: all three have the same projects (tokens) and send
their own campaigns at once. Alone, each would push as fast as the limits
allow *it*, and together they would go three times over. Sharing one
``RedisLedger``, they stay within every limit all together. The phones are
simulated, with millisecond messages and limits scaled down to match, so the
demo takes a few seconds.
"""

from __future__ import annotations

import asyncio
import collections

import picky_async as pa
from picky_async.redis import RedisLedger
from picky_async.testing import RedisServer, Simulator

WORKERS = 3
MESSAGES = 150  # per worker
PHONES = ("phone-a", "phone-b")
SECONDS_PER_MESSAGE = 0.002
# The service's 90 pushes and 3 status requests a minute, scaled to fast phones.
PUSH_LIMIT = pa.RateLimit(10, 1.0)
STATUS_LIMIT = pa.RateLimit(3, 1.0)


def campaign(worker: int) -> list[pa.Message]:
    """The messages one worker has to send, to numbers no other worker uses."""
    return [
        pa.Message(f"91980{worker}{n:06d}", f"Hi #{n}, from worker {worker}")
        for n in range(MESSAGES)
    ]


async def work(
    worker: int, projects: list[pa.Project], base_url: str, ledger: RedisLedger
) -> tuple[int, int]:
    """One worker: its own Dispatcher on the shared ledger; its receipts and pushes."""
    async with pa.Dispatcher(
        projects, base_url=base_url, ledger=ledger, max_batch=10, horizon=0.1
    ) as d:
        receipts = await d.send_many(campaign(worker))
        return len(receipts), d.stats().pushes


async def main() -> None:
    with RedisServer() as redis:  # a throwaway redis-server; in production, your Redis
        async with Simulator() as sim:
            projects = []
            for name in PHONES:
                phone = sim.add_project(
                    name=name,
                    seconds_per_message=SECONDS_PER_MESSAGE,
                    push_limit=PUSH_LIMIT,
                    status_limit=STATUS_LIMIT,
                )
                projects.append(
                    pa.Project(
                        phone.token,
                        name=name,
                        seconds_per_message=SECONDS_PER_MESSAGE,
                        push_limit=PUSH_LIMIT,
                        status_limit=STATUS_LIMIT,
                    )
                )
            ledger = RedisLedger(redis.url, namespace="example")
            print(f"{WORKERS} workers send {MESSAGES} messages each through {len(PHONES)} phones")
            results = await asyncio.gather(
                *(work(n, projects, sim.base_url, ledger) for n in range(1, WORKERS + 1))
            )
            for n, (sent, pushes) in enumerate(results, start=1):
                print(f"  worker {n}  {sent:4d} messages in {pushes:3d} pushes")
            accepted = collections.Counter(record.number for record in sim.messages)
            print("per phone:", ", ".join(f"{p} {sim.stats.accepted[p]}" for p in PHONES))
            print(
                f"{len(accepted)} numbers accepted, "
                f"{sum(accepted.values()) - len(accepted)} twice, "
                f"{sum(sim.stats.over_limit.values())} requests over the limit"
            )


if __name__ == "__main__":
    asyncio.run(main())
