"""The fleet harness's arithmetic, on records made by hand (no processes, no server)."""

from __future__ import annotations

import pytest

import picky_async as pa
from benchmarks._fleet import Fleet
from benchmarks._fleet_measure import (
    duplicates,
    makespan,
    peak_queue,
    requests_between,
    share_of,
)
from benchmarks.fleet_worker import WorkerPlan, decode, encode, share
from picky_async.testing import MessageRecord, RequestRecord


def _record(project: str, number: str, accepted: float, sent: float | None) -> MessageRecord:
    return MessageRecord(project, "1", "1", number, "hi", None, 0, 1, accepted, sent)


def _request(endpoint: str, at: float) -> RequestRecord:
    return RequestRecord(endpoint, "project-1", at, 200)


def test_duplicates_count_every_acceptance_after_the_first() -> None:
    once, twice, thrice = "919000000001", "919000000002", "919000000003"
    records = [_record("a", number, 0.0, None) for number in (once, twice, twice)]
    records += [_record("b", thrice, 0.0, None) for _ in range(3)]
    assert duplicates(records) == 3
    assert duplicates(records[:2]) == 0


def test_peak_queue_is_the_most_a_phone_held_at_once() -> None:
    records = [
        _record("a", "1", 0.0, 1.0),
        _record("a", "2", 0.5, 2.0),
        _record("a", "3", 1.0, 3.0),  # arrives as the first leaves: two held, not three
        _record("a", "4", 2.5, None),  # never sent: held to the end
        _record("b", "5", 0.0, 0.1),
    ]
    assert peak_queue(records, 0.5) == 2 * 0.5
    assert peak_queue([*records, _record("a", "6", 2.6, None)], 0.5) == 3 * 0.5


def test_makespan_runs_from_the_first_push_to_the_last_message_sent() -> None:
    requests = [_request("device-status", 1.0), _request("push", 2.0), _request("push", 3.0)]
    records = [_record("a", "1", 2.0, 4.0), _record("b", "2", 3.0, 7.5), _record("b", "3", 3, None)]
    assert makespan(requests, records) == 5.5


def test_requests_between_count_only_those_strictly_inside() -> None:
    requests = [_request("push", at) for at in (1.0, 1.5, 2.0, 2.5)]
    assert requests_between(requests, 1.0, 2.5) == 2
    assert requests_between(requests, 3.0, 4.0) == 0


def test_a_share_counts_its_recipients_accepted_and_sent() -> None:
    records = [
        _record("a", "1", 0.0, 1.0),
        _record("a", "2", 0.0, None),
        _record("b", "2", 0.0, 1.0),  # a duplicate counts once
        _record("b", "9", 0.0, 1.0),  # someone else's
    ]
    found = share_of(records, {"1", "2", "3"}, planned=3)
    assert (found.planned, found.accepted, found.sent) == (3, 2, 2)


def test_ideal_is_the_slower_of_the_phones_and_the_push_limits() -> None:
    fleet = Fleet(projects=10, seconds_per_message=0.02, max_batch=20)
    assert fleet.ideal(2_500) == pytest.approx(5.0)  # 2,500 x 20 ms over 10 phones
    pushes_bound = Fleet(seconds_per_message=0.001, push_limit=pa.RateLimit(1, 2.0))
    assert pushes_bound.ideal(2_000) == pytest.approx(20.0)  # 100 pushes of 20, 10 in 2 s
    assert fleet.queue_bound == pytest.approx(0.5 + 20 * 0.02)


def test_the_campaign_splits_into_shares_without_gaps() -> None:
    shares = Fleet(processes=3, messages=10).shares()
    assert shares == [(0, 3), (3, 3), (6, 4)]
    numbers = [m.number for first, count in shares for m in share(first, count)]
    assert len(set(numbers)) == 10


def test_a_plan_travels_as_json_and_its_repr_hides_the_tokens() -> None:
    plan = WorkerPlan(
        "http://127.0.0.1:1/app/api/v2",
        ("secret-token-1", "secret-token-2"),
        0.02,
        pa.RateLimit(6, 1.0),
        pa.RateLimit(3, 1.0),
        0.5,
        20,
        0.005,
        0,
        100,
        redis_url="redis://127.0.0.1:2/0",
    )
    assert decode(encode(plan), WorkerPlan) == plan
    assert "secret-token" not in repr(plan)
