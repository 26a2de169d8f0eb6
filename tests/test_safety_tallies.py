"""The safety store's daily tallies and inbound history: what caps and cold-contact limits count."""

from __future__ import annotations

import subprocess
import sys

import pytest
from safety_stores import SafetyStores, Store

import picky_async as pa

NUMBER = "919876543210"
DAY = "2026-12-01"


@pytest.fixture
def store(safety_store: Store) -> Store:
    """Each test runs on OptOuts (SQLite), then on RedisOptOuts."""
    return safety_store


def inbound(number: str, text: str = "hello") -> pa.InboundMessage:
    return pa.InboundMessage(number, text, unique_id="7")


def test_a_tally_takes_up_to_its_limit_and_gives_back(store: Store) -> None:
    assert store.daily_count("p", DAY) == 0
    assert store.take_daily("p", DAY, 30, 50) == 30
    assert store.take_daily("p", DAY, 30, 50) == 20  # only what is left
    assert store.take_daily("p", DAY, 1, 50) == 0
    assert store.daily_count("p", DAY) == 50
    assert store.daily_count("p", "2026-12-02") == 0  # each day its own
    assert store.daily_count("other", DAY) == 0  # each tally its own
    store.give_back_daily("p", DAY, 5)
    assert store.take_daily("p", DAY, 10, 50) == 5
    store.give_back_daily("fresh", DAY, 5)  # a day with no count stays at none
    assert store.take_daily("fresh", DAY, 10, 10) == 10
    store.give_back_daily("p", DAY, 500)
    assert store.daily_count("p", DAY) == 0  # never below zero


def test_a_lowered_limit_takes_nothing(store: Store) -> None:
    store.take_daily("p", DAY, 80, 100)
    assert store.take_daily("p", DAY, 10, 50) == 0


def test_processes_sharing_the_store_never_pass_the_limit_together(
    store: Store, safety_stores: SafetyStores
) -> None:
    code = (
        f"s = {safety_stores.code}\n"
        f"print(sum(s.take_daily('p', {DAY!r}, 3, 500) for _ in range(200)))\n"
    )
    workers = [
        subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
        for _ in range(3)
    ]
    taken = [int(worker.communicate(timeout=60)[0]) for worker in workers]
    assert sum(taken) == 500
    assert store.daily_count("p", DAY) == 500


def test_the_first_day_is_kept(store: Store, safety_stores: SafetyStores) -> None:
    assert store.first_day("p", DAY) == DAY
    assert store.first_day("p", "2026-12-05") == DAY
    with safety_stores.open() as again:
        assert again.first_day("p", "2026-12-09") == DAY
        assert again.first_day("q", "2026-12-09") == "2026-12-09"


def test_any_inbound_message_records_that_its_sender_wrote(store: Store) -> None:
    assert not store.wrote(NUMBER)
    assert store.record(inbound("+91 98765 43210")) is None  # no keyword
    assert store.wrote(NUMBER)
    assert NUMBER not in store
    assert store.record(inbound("919876543211", " Stop ")) == "stop"
    assert store.wrote("919876543211")
    assert "919876543211" in store


def test_a_group_or_a_contact_name_records_nothing(store: Store) -> None:
    assert store.record(inbound(f"Family @{NUMBER}")) is None  # said to the group
    assert not store.wrote(NUMBER)
    assert store.record(inbound("Mum")) is None
    with pytest.raises(pa.InvalidNumber):
        store.wrote("Mum")
