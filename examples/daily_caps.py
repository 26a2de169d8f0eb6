"""Daily caps and a warm-up ramp, offline: a new number sends only its first day's share.

Run ``python examples/daily_caps.py``. Two simulated phones: a new number on
the first day of its warm-up (50 messages today, then 100, 200, 400, and
1,000 a day), and a seasoned one capped at 500 a day. Of a 300-message
campaign the new number, though the faster phone, sends its 50 and the
seasoned one the rest. The counts live in the opt-out store: in memory here,
a file in production, so that they survive restarts.
"""

from __future__ import annotations

import asyncio

import picky_async as pa
from picky_async.testing import Simulator

MESSAGES = 300


async def main() -> None:
    async with Simulator() as sim:
        new = sim.add_project(name="new", seconds_per_message=0.001)
        seasoned = sim.add_project(name="seasoned", seconds_per_message=0.002)
        projects = [
            pa.Project(
                new.token,
                name="new",
                seconds_per_message=0.001,
                daily_cap=1000,
                warm_up=(50, 100, 200, 400),
            ),
            pa.Project(seasoned.token, name="seasoned", seconds_per_message=0.002, daily_cap=500),
        ]
        campaign = [pa.Message(f"91980{n:07d}", "The sale starts today") for n in range(MESSAGES)]
        with pa.OptOuts() as store:  # pa.OptOuts("safety.db") in production
            async with pa.Dispatcher(projects, base_url=sim.base_url, opt_outs=store) as d:
                receipts = await d.send_many(campaign)
                stats = d.stats()
        print(f"{len(receipts)} messages sent; today, in each project's local day:")
        for project in stats.projects:
            print(f"  {project.name:9} {project.sent_today:4} of {project.cap_today}")


if __name__ == "__main__":
    asyncio.run(main())
