"""What a fleet run did to the service, read from the Simulator's records.

Every figure here comes from what the Simulator saw (its requests, the
messages its phones accepted and when each went out), never from what the
workers believe, so a fleet that oversteps shows it however its workers
count.
"""

from __future__ import annotations

import collections
from collections.abc import Collection, Iterable, Sequence

import attrs

from picky_async.testing import MessageRecord, RequestRecord, Simulator

__all__ = [
    "Share",
    "Usage",
    "duplicates",
    "makespan",
    "peak_queue",
    "requests_between",
    "share_of",
    "usage",
]


@attrs.frozen
class Share:
    """Some workers' messages: how many they had to send, the service accepted, phones sent."""

    planned: int
    accepted: int
    sent: int


@attrs.frozen
class Usage:
    """How a run used the service: requests, refusals, messages, queues and time.

    ``peak_queue`` is the most seconds of work any phone held (messages
    accepted and not yet sent, the one in hand included, times its seconds
    per message); ``makespan`` runs from the first push the service received
    to the last message a phone sent.
    """

    push_requests: int
    over_limit: int
    messages: int
    duplicates: int
    peak_queue: float
    makespan: float


def duplicates(records: Iterable[MessageRecord]) -> int:
    """Messages accepted more than once: records beyond the first of each number and text."""
    seen: set[tuple[str, str]] = set()
    repeated = 0
    for record in records:
        key = (record.number, record.text)
        repeated += key in seen
        seen.add(key)
    return repeated


def peak_queue(records: Iterable[MessageRecord], seconds_per_message: float) -> float:
    """The most seconds of work any phone held: accepted and not yet sent, times its speed.

    A message sent at the very moment another arrives has left first.
    """
    events: dict[str, list[tuple[float, int]]] = collections.defaultdict(list)
    for record in records:
        events[record.project].append((record.accepted_at, 1))
        if record.sent_at is not None:
            events[record.project].append((record.sent_at, -1))
    most = 0
    for changes in events.values():
        held = 0
        for _, change in sorted(changes):
            held += change
            most = max(most, held)
    return most * seconds_per_message


def makespan(requests: Iterable[RequestRecord], records: Iterable[MessageRecord]) -> float:
    """Seconds from the first push the service received to the last message sent."""
    first = min(request.arrived_at for request in requests if request.endpoint == "push")
    return max(record.sent_at or first for record in records) - first


def requests_between(requests: Iterable[RequestRecord], start: float, end: float) -> int:
    """Requests of any kind that reached the service after ``start`` and before ``end``."""
    return sum(start < request.arrived_at < end for request in requests)


def share_of(records: Sequence[MessageRecord], recipients: Collection[str], planned: int) -> Share:
    """What became of the messages to ``recipients``, ``planned`` of them."""
    accepted = {record.number for record in records if record.number in recipients}
    sent = {r.number for r in records if r.number in recipients and r.sent_at is not None}
    return Share(planned, len(accepted), len(sent))


def usage(simulator: Simulator, seconds_per_message: float) -> Usage:
    """The Simulator's records of a run, summed up."""
    records = simulator.messages
    return Usage(
        push_requests=sum(request.endpoint == "push" for request in simulator.requests),
        over_limit=sum(simulator.stats.over_limit.values()),
        messages=len({(record.number, record.text) for record in records}),
        duplicates=duplicates(records),
        peak_queue=peak_queue(records, seconds_per_message),
        makespan=makespan(simulator.requests, records),
    )
