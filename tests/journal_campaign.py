"""A journaled campaign in a process of its own, for the test that kills it.

``python tests/journal_campaign.py BASE_URL JOURNAL COUNT TOKEN...`` sends
COUNT messages through the tokens' projects with the journal, until done
or killed.
"""

from __future__ import annotations

import asyncio
import sys

import picky_async as pa

UNLIMITED = pa.RateLimit(10**6, 60.0)


def campaign(count: int) -> list[pa.Message]:
    """The campaign both the killed process and its resumption send."""
    return [pa.Message(f"9198{n:08d}", f"order {n} shipped") for n in range(count)]


def projects(tokens: list[str]) -> list[pa.Project]:
    """The Simulator's projects as the dispatcher sees them: fast, limits out of the way."""
    return [
        pa.Project(token, seconds_per_message=0.001, push_limit=UNLIMITED, status_limit=UNLIMITED)
        for token in tokens
    ]


async def send(base_url: str, path: str, count: int, tokens: list[str]) -> None:
    async with pa.Journal(path) as journal:
        dispatcher = pa.Dispatcher(projects(tokens), base_url=base_url, max_batch=10, horizon=0.05)
        async with dispatcher:
            async for _ in dispatcher.stream(campaign(count), journal=journal):
                pass


if __name__ == "__main__":
    base_url, path, count, *tokens = sys.argv[1:]
    asyncio.run(send(base_url, path, int(count), tokens))
