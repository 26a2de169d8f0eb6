"""The sender-safety soak: 100,000 messages over simulated days, while recipients opt out.

Ten Simulator phones at a realistic speed send a campaign to recipients in
India, the UK, four US zones and Australia, with quiet hours, keys (some
repeated on purpose), a trickle of high-priority messages, and three
projects capped (one warming up, one counting days in New York). Meanwhile 5 %
of the recipients send STOP, at random moments, through the real inbound
path: the Simulator posts it to an aiohttp webhook that records it in the
opt-out store. Under looptime the days pass in seconds of real time.

The checks are made afterwards from the Simulator's records, with time zones
worked out here from phonenumbers' own data (not the library's lookup), so
that a bug in the dispatcher shows: nothing pushed to a number after its
opt-out was recorded, no low-priority message pushed in its recipient's
night, every message accounted for once, and no project over its daily cap
(or its ramp's) on any day of its own zone.
"""

from __future__ import annotations

import asyncio
import collections
import dataclasses
import functools
import math
import random
import time
from collections.abc import AsyncIterable, AsyncIterator, Iterable, Iterator, Sequence
from datetime import date, datetime, timezone
from datetime import time as clock_time
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp
import attrs
import phonenumbers
import pytest
from loop_clock import LoopClock
from phonenumbers.timezone import time_zones_for_number
from test_dispatch_safety import webhook

import picky_async as pa
from picky_async.testing import MessageRecord, Simulator

pytestmark = pytest.mark.looptime

NIGHT = (clock_time(21), clock_time(9))
# 12:00 UTC: afternoon in India, noon in London, night on the US west coast.
START = datetime(2026, 12, 1, 12, 0, tzinfo=timezone.utc)
PROJECTS = 10
SECONDS_PER_MESSAGE = 10.0  # a phone's realistic pace: the campaign takes simulated days
HORIZON = 300.0  # five minutes of work per phone: fewer, larger pushes (less real time)
RECIPIENTS = 20_000
ROUNDS = 5  # each recipient gets up to one low-priority message a round
HIGH = 5_000  # high-priority messages (codes, alerts), one every HIGH_EVERY seconds
HIGH_EVERY = 30.0
MESSAGES = RECIPIENTS * ROUNDS  # the last low round leaves out HIGH recipients
REPEAT_EVERY = 499  # every so many low messages reuses an earlier message's key
STOPPING = 0.05  # the share of recipients who send STOP
STOPS_WITHIN = 72 * 3600.0  # STOPs come at random moments of the first 72 simulated hours
SEED = 14
# Each country's numbers, by prefix and length: one zone (India, UK, each US
# area code) or several (Australian mobiles, quiet while it is night in any).
PREFIXES = (
    ("91985", 12),
    ("4474001", 12),
    ("12125", 11),
    ("13125", 11),
    ("13035", 11),
    ("14155", 11),
    ("61415", 11),
)


@dataclasses.dataclass(frozen=True)
class Cap:
    """A project's daily cap and warm-up ramp, counted per day of its own zone."""

    daily_cap: int | None
    warm_up: tuple[int, ...] = ()
    zone: str = "Asia/Kolkata"  # the dispatcher's default_timezone

    def on(self, day: date, first: date) -> int | None:
        """The cap on ``day``, the ramp starting on ``first``."""
        used = (day - first).days
        return self.warm_up[used] if used < len(self.warm_up) else self.daily_cap


# Three of the ten projects are capped, below what their phones could send a
# day (8,640 messages at 10 s each), so the caps bind and the others take the rest.
CAPS = {
    0: Cap(1_000),
    1: Cap(2_400, warm_up=(300, 600, 1_200)),
    2: Cap(1_500, zone="America/New_York"),
}


def recipient(n: int) -> str:
    """The ``n``-th recipient's number: the countries take turns."""
    prefix, length = PREFIXES[n % len(PREFIXES)]
    return f"{prefix}{n:0{length - len(prefix)}d}"


def key_of(text: str) -> str:
    """The key a message's text starts with (texts are ``key|what``)."""
    return text.partition("|")[0]


def low_messages() -> Iterator[pa.Message]:
    """The low-priority campaign, read lazily: round after round of every recipient.

    Every ``REPEAT_EVERY``-th message of a later round repeats the key of the
    same recipient's message of the round before, as a script run twice would.
    """
    for at in range(MESSAGES - HIGH):
        round_, n = divmod(at, RECIPIENTS)
        repeat = round_ > 0 and at % REPEAT_EVERY == 0
        key = f"r{round_ - 1 if repeat else round_}-{n}"
        yield pa.Message(recipient(n), f"{key}|{'again' if repeat else 'sale'}", key=key)


async def high_messages(rng: random.Random) -> AsyncIterator[pa.Message]:
    """High-priority messages to random recipients, one every ``HIGH_EVERY`` seconds."""
    for at in range(HIGH):
        await asyncio.sleep(HIGH_EVERY)
        key = f"code-{at}"
        yield pa.Message(recipient(rng.randrange(RECIPIENTS)), f"{key}|code", key=key)


class Witness:
    """A project's client that notes when each message's push left (its text: when).

    The dispatcher screens a batch for opt-outs just before it calls this, in
    the same step of the loop, so this is the moment of its last check.
    """

    def __init__(self, client: pa.PickyClient, left_at: dict[str, float]) -> None:
        self._client = client
        self._left_at = left_at

    async def push_msg_ids(
        self, messages: Sequence[pa.Message], **options: Any
    ) -> tuple[str, list[str | None]]:
        now = asyncio.get_running_loop().time()
        self._left_at.update((m.text, now) for m in messages)
        return await self._client.push_msg_ids(messages, **options)

    async def device_status(self) -> pa.DeviceStatus:
        return await self._client.device_status()


class StopWatch:
    """The webhook's callback: notes the loop time each STOP was recorded at.

    The handler records the opt-out before it calls back, so this time is
    just after the store has it.
    """

    def __init__(self) -> None:
        self.stopped_at: dict[str, float] = {}

    async def __call__(self, message: pa.InboundMessage) -> pa.InstantReply | None:
        if message.message == "STOP":
            self.stopped_at[message.number] = asyncio.get_running_loop().time()
        return None


async def send_stops(sim: Simulator, rng: random.Random) -> int:
    """Post STOP from 5 % of the recipients, at random moments, to random projects."""
    loop = asyncio.get_running_loop()
    start = loop.time()
    stopping = rng.sample(range(RECIPIENTS), int(RECIPIENTS * STOPPING))
    moments = sorted((rng.uniform(0, STOPS_WITHIN), recipient(n)) for n in stopping)
    for at, number in moments:
        await asyncio.sleep(max(start + at - loop.time(), 0.0))
        result = await sim.inbound(rng.choice(sim.projects), number, "STOP")
        assert result.status == 200
    return len(moments)


async def campaign(d: pa.Dispatcher, rng: random.Random) -> collections.Counter[str]:
    """Run the low and the high campaign together; count their outcomes by kind."""
    outcomes: collections.Counter[str] = collections.Counter()

    async def drain(
        messages: Iterable[pa.Message] | AsyncIterable[pa.Message], priority: pa.Priority
    ) -> None:
        async for outcome in d.stream(messages, priority=priority):
            outcomes[kind(outcome)] += 1

    await asyncio.gather(
        drain(low_messages(), pa.Priority.LOW), drain(high_messages(rng), pa.Priority.HIGH)
    )
    return outcomes


def kind(outcome: pa.Outcome) -> str:
    """``receipt``, or the error's class name."""
    return "receipt" if outcome.error is None else type(outcome.error).__name__


@functools.cache
def zones(number: str) -> tuple[ZoneInfo, ...]:
    """The number's time zones, straight from phonenumbers' data."""
    names = time_zones_for_number(phonenumbers.parse(f"+{number}"))
    return tuple(ZoneInfo(name) for name in names)


def at_night(number: str, moment: datetime) -> bool:
    """Whether it is night (21:00 to 09:00) for ``number`` in any of its zones."""
    start, end = NIGHT
    return any(not end <= moment.astimezone(z).time() < start for z in zones(number))


def over_caps(
    records: Sequence[MessageRecord], left_at: dict[str, float], clock: LoopClock, names: list[str]
) -> tuple[dict[tuple[str, date], int], int]:
    """The (project, local day) counts over their cap, counted by when each push left (the
    moment its count was taken); and how many such days were filled to the cap exactly."""
    counts = collections.Counter(
        (r.project, clock.wall(left_at[r.text]).astimezone(ZoneInfo(cap.zone)).date())
        for r in records
        for at, cap in CAPS.items()
        if r.project == names[at]
    )
    over, full = {}, 0
    for at, cap in CAPS.items():
        first = START.astimezone(ZoneInfo(cap.zone)).date()
        for (project, day), count in counts.items():
            if project != names[at]:
                continue
            limit = cap.on(day, first)
            if limit is not None and count > limit:
                over[project, day] = count
            full += count == limit
    return over, full


@dataclasses.dataclass
class Soak:
    """What the soak left to check: the records, and the figures to report."""

    sim: Simulator
    clock: LoopClock
    outcomes: collections.Counter[str]
    stats: pa.DispatcherStats
    stopped_at: dict[str, float]  # number: loop time its opt-out was recorded
    left_at: dict[str, float]  # message text: loop time its push left

    def pushed(self) -> list[MessageRecord]:
        """The campaign's messages the phones accepted (not the STOPs' confirmations)."""
        return [r for r in self.sim.messages if r.push_id is not None]

    def after_stop(self, record: MessageRecord, moment: float | None) -> bool:
        """Whether ``moment`` came once the record's number had opted out."""
        return moment is not None and moment >= self.stopped_at.get(record.number, math.inf)


async def soak(sim: Simulator) -> Soak:
    """Run the campaign and the STOPs on ``sim``'s phones, until every phone is done."""
    rng, watch = random.Random(SEED), StopWatch()
    left_at: dict[str, float] = {}
    clock = LoopClock(START)
    with pa.OptOuts() as opt_outs:
        async with (
            webhook(opt_outs, watch, confirm_stop="No more messages.") as url,
            aiohttp.ClientSession() as session,
        ):
            phones = [
                sim.add_project(seconds_per_message=SECONDS_PER_MESSAGE, webhook_url=url)
                for _ in range(PROJECTS)
            ]
            projects = [
                pa.Project(p.token, name=p.name, seconds_per_message=SECONDS_PER_MESSAGE)
                for p in phones
            ]
            for at, cap in CAPS.items():
                projects[at] = attrs.evolve(
                    projects[at], daily_cap=cap.daily_cap, warm_up=cap.warm_up, timezone=cap.zone
                )

            def witness(project: pa.Project) -> Witness:
                client = pa.PickyClient(
                    project.token, base_url=sim.base_url, session=session, retry=None
                )
                return Witness(client, left_at)

            async with pa.Dispatcher(
                projects,
                base_url=sim.base_url,
                horizon=HORIZON,
                max_pending=10_000,
                opt_outs=opt_outs,
                quiet_hours=NIGHT,
                clock=clock,
                client_factory=witness,
            ) as d:
                stopping = asyncio.create_task(send_stops(sim, rng))
                outcomes = await campaign(d, rng)
                assert await stopping == len(watch.stopped_at)
            await sim.wait_sent()
    return Soak(sim, clock, outcomes, d.stats(), watch.stopped_at, left_at)


@pytest.mark.picky_simulator(projects=0)
async def test_a_100k_campaign_never_reaches_an_opted_out_or_sleeping_recipient(
    picky_simulator: Simulator,
) -> None:
    began = time.perf_counter()
    run = await soak(picky_simulator)
    real = time.perf_counter() - began
    pushed = run.pushed()

    # (a) No push left for a number after its opt-out was recorded. One that
    # left before may reach the Simulator, and leave the phone, after it: the
    # dispatcher cannot recall it (figures, not failures).
    assert [r for r in pushed if run.after_stop(r, run.left_at[r.text])] == []
    arrived_after_stop = sum(run.after_stop(r, r.accepted_at) for r in pushed)
    delivered_after_stop = sum(run.after_stop(r, r.sent_at) for r in pushed)
    assert len(run.stopped_at) == int(RECIPIENTS * STOPPING)
    replies = sorted(r.number for r in run.sim.messages if r.push_id is None)
    assert replies == sorted(run.stopped_at)  # each STOP confirmed by the webhook's reply

    # (b) No low-priority message pushed while it was night for its recipient;
    # high priority goes at any hour.
    at_night_by_priority = collections.Counter(
        r.priority for r in pushed if at_night(r.number, run.clock.wall(r.accepted_at))
    )
    assert at_night_by_priority[pa.Priority.LOW] == 0
    assert at_night_by_priority[pa.Priority.HIGH] > 0

    # (c) Every message settled once, and no key was sent twice.
    outcomes = run.outcomes
    assert sum(outcomes.values()) == MESSAGES
    assert set(outcomes) == {"receipt", "OptedOut", "Duplicate"}
    assert outcomes["receipt"] == len(pushed) == run.stats.sent
    assert (outcomes["OptedOut"], outcomes["Duplicate"]) == (
        run.stats.opted_out,
        run.stats.duplicates,
    )
    assert collections.Counter(key_of(r.text) for r in pushed).most_common(1)[0][1] == 1

    # (d) No capped project pushed more than its cap (or its ramp's) on any local
    # day of its own zone, and the caps did bind: some days were filled to the cap.
    names = [project.name for project in run.sim.projects]
    over, full_days = over_caps(pushed, run.left_at, run.clock, names)
    assert over == {}
    assert full_days >= len(CAPS)

    simulated = (run.clock() - START).total_seconds() / 3600
    print(  # seen with pytest -s
        f"\nsoak: {MESSAGES} messages, {len(pushed)} sent in {run.stats.pushes} pushes, "
        f"{len(run.stopped_at)} STOPs, {outcomes['OptedOut']} refused as opted out, "
        f"{outcomes['Duplicate']} repeated keys refused, "
        f"{at_night_by_priority[pa.Priority.HIGH]} high priority sent at night, "
        f"{full_days} project days filled to their cap; "
        f"after a STOP, of pushes that "
        f"left before it, {arrived_after_stop} arrived and {delivered_after_stop} were "
        f"delivered; {simulated:.1f} simulated hours in {real:.1f} s"
    )
