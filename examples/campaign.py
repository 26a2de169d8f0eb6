"""A 1,000-message campaign over three phones of different speeds, offline.

Run ``python examples/campaign.py``. The phones are simulated (millisecond
phones, so the demo takes about a second); one of them drops off mid-campaign
and the Dispatcher moves its work to the others. It prints progress, how the
work was shared, and the checks that matter: nothing lost, nothing sent twice,
no request over the service's limits.
"""

from __future__ import annotations

import asyncio
import collections
import logging
import sys
import time

import picky_async as pa
from picky_async.testing import ProjectState, Simulator

MESSAGES = 1000
SPEEDS = {"fast": 0.002, "medium": 0.003, "slow": 0.005}  # seconds per message
OUTAGE_AT = 400  # the "medium" phone goes offline once this many are accepted
REPORT_EVERY = 200  # a progress line each time another 200 are accepted


async def main() -> None:
    async with Simulator() as sim:
        projects = []
        for name, speed in SPEEDS.items():
            phone = sim.add_project(name=name, seconds_per_message=speed)
            projects.append(pa.Project(phone.token, name=name, seconds_per_message=speed))
        campaign = [
            pa.Message(f"91980{n:07d}", f"Hi #{n}, the sale starts today") for n in range(MESSAGES)
        ]
        started = time.perf_counter()

        # A horizon of 0.25 s keeps a quarter second of work on each phone; the
        # rest waits in the client, where it can still move when a phone drops.
        async with pa.Dispatcher(projects, base_url=sim.base_url, horizon=0.25) as d:
            # Progress comes once per push's share of the campaign, so `done`
            # jumps by a push at a time: act when it crosses a mark, not on an
            # exact count it may skip.
            next_report = REPORT_EVERY

            def progress(done: int, total: int) -> None:
                nonlocal next_report
                medium = sim.project("medium")
                if done >= OUTAGE_AT and medium.state is ProjectState.ONLINE:
                    medium.state = ProjectState.OFFLINE
                    print(f"  -- the 'medium' phone went offline after {done} messages")
                if done >= next_report or done == total:
                    next_report = (done // REPORT_EVERY + 1) * REPORT_EVERY
                    backlogs = "  ".join(
                        f"{p.name}={p.backlog * 1000:4.0f}ms/{p.health}" for p in d.stats().projects
                    )
                    print(f"  {done:5d}/{total} accepted   phone backlogs: {backlogs}")

            print(f"sending {MESSAGES} messages through {len(projects)} simulated phones")
            code = d.submit("919876543210", "Your login code is 4321", priority=pa.Priority.HIGH)
            receipts = await d.send_many(campaign, progress=progress)
            print(f"  the high-priority code went out with push {(await code).push_id}")
            stats = d.stats()

        elapsed = time.perf_counter() - started
        shares = collections.Counter(receipt.project for receipt in receipts)
        accepted = collections.Counter(record.number for record in sim.messages)
        print("\nper project          messages  pushes  phone speed")
        for project, summary in zip(projects, stats.projects, strict=True):
            speed = 1 / project.seconds_per_message
            count = shares[summary.name]
            print(f"  {summary.name:<18} {count:8d}  {summary.pushes:6d}  {speed:5.0f}/s")
        duplicates = sum(count - 1 for count in accepted.values())
        lost = sum(1 for message in campaign if message.number not in accepted)
        print(
            f"\n{len(receipts)} receipts in {elapsed:.2f} s: {stats.pushes} pushes "
            f"({stats.sent / stats.pushes:.0f} messages per push), {lost} lost, "
            f"{duplicates} duplicated, {sum(sim.stats.over_limit.values())} requests over the limit"
        )


if __name__ == "__main__":
    # The Dispatcher logs projects going down and coming back.
    logging.basicConfig(level=logging.INFO, format="  -- %(message)s", stream=sys.stdout)
    asyncio.run(main())
