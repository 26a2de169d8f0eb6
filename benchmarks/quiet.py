"""Quiet hours: what judging a message's recipient costs, per message.

A campaign of ``messages`` valid numbers spread over India, Great Britain
and the USA (random digits after each country's mobile or area prefix) is judged by
``QuietHours.releases`` as the holding area does when it is queued: first
with an empty zone cache (``cold``), then again (``warm``). The baseline asks
phonenumbers for each number's zones (``parse`` then ``time_zones_for_number``),
which is what the cache saves. Without ``quiet_hours`` the dispatcher uses
its plain queue, so nothing is measured for that case: it costs nothing.
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Callable
from datetime import datetime, timezone
from datetime import time as clock_time

import phonenumbers
from phonenumbers.timezone import time_zones_for_number

from picky_async.dispatch._quiet import QuietHours

from ._table import Row, at_most, render, runs

__all__ = ["QUICK", "configure", "run"]

QUICK = {"messages": 1_000, "repeat": 1}
"""Sizes for the smoke test."""

_PREFIXES = ("919", "918", "917", "4471", "4475", "1212", "1310", "1415", "1312")


def configure(parser: argparse.ArgumentParser) -> None:
    """Add this benchmark's options."""
    parser.add_argument("--messages", type=int, default=100_000, help="numbers judged per run")
    parser.add_argument("--repeat", type=int, default=5, help="runs per figure (median)")


def _campaign(count: int) -> list[str]:
    chance = random.Random(14)
    campaign: list[str] = []
    while len(campaign) < count:
        prefix = chance.choice(_PREFIXES)
        length = 11 if prefix.startswith("1") else 12
        number = prefix + "".join(chance.choices("0123456789", k=length - len(prefix)))
        if phonenumbers.is_valid_number(phonenumbers.parse(f"+{number}")):
            campaign.append(number)  # as a campaign's numbers are
    return campaign


def _per_message(campaign: list[str], judge: Callable[[list[str]], object]) -> float:
    started = time.perf_counter()
    judge(campaign)
    return (time.perf_counter() - started) / len(campaign)


def _phonenumbers(campaign: list[str]) -> None:
    for number in campaign:
        time_zones_for_number(phonenumbers.parse(f"+{number}"))


def run(args: argparse.Namespace) -> str:
    """Measure and return the table."""
    campaign = _campaign(args.messages)
    night = datetime(2026, 12, 1, 20, 0, tzinfo=timezone.utc)
    figures: dict[str, list[float]] = {}
    for _ in range(args.repeat):
        quiet = QuietHours(
            (clock_time(21), clock_time(9)),
            default_timezone="Asia/Kolkata",
            apply_to_high=False,
            clock=lambda: night,
        )
        figures.setdefault("cold", []).append(_per_message(campaign, quiet.releases))
        figures.setdefault("warm", []).append(_per_message(campaign, quiet.releases))
        figures.setdefault("baseline", []).append(_per_message(campaign, _phonenumbers))
    baseline, _ = runs(figures["baseline"], 1e6)
    cold, cold_spread = runs(figures["cold"], 1e6)
    warm, warm_spread = runs(figures["warm"], 1e6)
    rows = [
        Row("judged, empty zone cache", cold, "µs", baseline, spread=cold_spread),
        Row("judged, warm zone cache", warm, "µs", baseline, at_most(2), spread=warm_spread),
    ]
    notes = [
        f"{args.messages:,} numbers of India, Great Britain and the USA per run, median of "
        f"{args.repeat} runs; baseline: phonenumbers' time_zones_for_number for each.",
        "Without quiet_hours nothing is judged: the dispatcher keeps its plain queue.",
    ]
    return render("quiet: judging a recipient's quiet hours, per message", rows, notes)
