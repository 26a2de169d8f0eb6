"""pa.Journal: each message's fate written around its push; a rerun never sends one twice.

The phones take a millisecond a message and the limits are out of the way,
so these run in real time (the journal's worker thread and looptime's
virtual clock do not mix).
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import pathlib
import sqlite3
import sys
from collections.abc import AsyncIterator, Sequence
from typing import Any

import pytest
from journal_campaign import UNLIMITED, campaign, projects

import picky_async as pa
from picky_async.journal import message_key
from picky_async.journal._store import Store
from picky_async.testing import FaultKind, Simulator

CHILD = pathlib.Path(__file__).with_name("journal_campaign.py")


@pytest.fixture
async def sim() -> AsyncIterator[Simulator]:
    async with Simulator() as simulator:
        for _ in range(2):
            simulator.add_project(
                seconds_per_message=0.001, push_limit=UNLIMITED, status_limit=UNLIMITED
            )
        yield simulator


@pytest.fixture
async def journal(tmp_path: pathlib.Path) -> AsyncIterator[pa.Journal]:
    async with pa.Journal(tmp_path / "campaign.db") as opened:
        yield opened


def dispatcher(sim: Simulator, **options: Any) -> pa.Dispatcher:
    tokens = [project.token for project in sim.projects]
    options = {"max_batch": 10, **options}
    return pa.Dispatcher(projects(tokens), base_url=sim.base_url, **options)


def accepted_counts(sim: Simulator) -> collections.Counter[str]:
    return collections.Counter(record.number for record in sim.messages)


async def stream(
    sim: Simulator, messages: Sequence[pa.Message], journal: pa.Journal, **options: Any
) -> list[pa.Outcome]:
    async with dispatcher(sim) as d:
        return [outcome async for outcome in d.stream(messages, journal=journal, **options)]


async def test_a_run_records_every_message_accepted_with_its_receipt(
    sim: Simulator, journal: pa.Journal, tmp_path: pathlib.Path
) -> None:
    outcomes = await stream(sim, campaign(120), journal)
    assert all(outcome.ok and not outcome.resumed for outcome in outcomes)
    assert await journal.summary() == pa.JournalSummary(
        accepted=120, failed=0, uncertain=0, pending=0
    )
    assert await journal.uncertain() == []
    with contextlib.closing(sqlite3.connect(tmp_path / "campaign.db")) as db:
        rows = db.execute("SELECT key, number, state, project, push_id, msg_id FROM messages")
        journaled = {row[0]: row[1:] for row in rows}
    for outcome in outcomes:
        receipt = outcome.receipt
        assert receipt is not None
        key = message_key(outcome.message)
        assert journaled[key] == (
            receipt.number,
            "accepted",
            receipt.project,
            receipt.push_id,
            receipt.msg_id,
        )


async def test_a_rerun_skips_the_accepted_and_sends_the_rest(
    sim: Simulator, journal: pa.Journal
) -> None:
    messages = campaign(300)
    d = dispatcher(sim)
    async with d, contextlib.aclosing(d.stream(messages, journal=journal)) as first:
        async for outcome in first:
            if outcome.index >= 50:
                break  # the rest withdrawn, or pushed and recorded
    summary = await journal.summary()
    assert summary.pending == summary.failed == summary.uncertain == 0  # never pushed: absent
    assert summary.accepted == len(sim.messages) < 300
    before = {r.number: (r.push_id, r.msg_id, r.project) for r in sim.messages}
    outcomes = await stream(sim, messages, journal)
    assert accepted_counts(sim) == collections.Counter(m.number for m in messages)
    assert all(outcome.ok for outcome in outcomes)
    resumed = [outcome for outcome in outcomes if outcome.resumed]
    assert len(resumed) == len(before)
    for outcome in resumed:  # the receipt rebuilt from the journal
        receipt = outcome.receipt
        assert receipt is not None
        assert (receipt.push_id, receipt.msg_id, receipt.project) == before[receipt.number]
    assert (await journal.summary()).accepted == 300


class Refusing:
    """A Pusher refusing its first push as the service refuses a bad batch, then accepting."""

    def __init__(self) -> None:
        self.pushed: list[str] = []
        self.refused = False

    async def push_msg_ids(
        self, messages: Sequence[pa.Message], **options: Any
    ) -> tuple[str, list[str | None]]:
        await asyncio.sleep(0)
        if not self.refused:
            self.refused = True
            raise pa.TooManyContacts("too many contacts in one push")
        self.pushed += [m.number for m in messages]
        return f"push-{len(self.pushed)}", [f"id-{m.number}" for m in messages]

    async def device_status(self) -> pa.DeviceStatus:
        return pa.DeviceStatus(message_queue_count=0)


async def test_failed_messages_are_recorded_and_sent_again(journal: pa.Journal) -> None:
    pusher = Refusing()
    project = pa.Project("token", seconds_per_message=0.001, push_limit=UNLIMITED)
    messages = campaign(25)

    def make() -> pa.Dispatcher:
        return pa.Dispatcher([project], client_factory=lambda p: pusher, max_batch=10)

    async with make() as d:
        results = await d.send_many(messages, journal=journal, return_exceptions=True)
    failed = [r for r in results if isinstance(r, pa.TooManyContacts)]
    assert len(failed) == 10
    assert await journal.summary() == pa.JournalSummary(
        accepted=15, failed=10, uncertain=0, pending=0
    )
    async with make() as d:
        receipts = await d.send_many(messages, journal=journal)
    assert sorted(pusher.pushed) == sorted(m.number for m in messages)  # each once
    assert [r.number for r in receipts] == [m.number for m in messages]
    assert (await journal.summary()).accepted == 25


async def test_uncertain_messages_are_reported_not_resent_unless_asked(
    sim: Simulator, journal: pa.Journal
) -> None:
    sim.faults.add(FaultKind.LOST_ANSWER, endpoint="push", times=1)
    messages = campaign(40)
    first = await stream(sim, messages, journal)
    lost = {o.message.number for o in first if isinstance(o.error, pa.DeliveryUncertain)}
    assert len(lost) == 10  # one push's worth
    entries = await journal.uncertain()
    assert {entry.number for entry in entries} == lost
    assert {entry.state for entry in entries} == {"uncertain"}
    assert all("DeliveryUncertain" in (entry.reason or "") for entry in entries)

    again = await stream(sim, messages, journal)
    reported = [o for o in again if o.error is not None]
    assert {o.message.number for o in reported} == lost
    assert all(o.resumed and isinstance(o.error, pa.DeliveryUncertain) for o in reported)
    assert "earlier run" in str(reported[0].error)
    assert max(accepted_counts(sim).values()) == 1  # the lost answer's push was accepted once

    resent = await stream(sim, messages, journal, resend_uncertain=True)
    assert all(outcome.ok for outcome in resent)
    assert sum(not outcome.resumed for outcome in resent) == len(lost)
    assert {n for n, count in accepted_counts(sim).items() if count == 2} == lost
    assert await journal.uncertain() == []


async def test_a_second_message_with_the_same_key_is_refused(
    sim: Simulator, journal: pa.Journal
) -> None:
    messages = [
        pa.Message("919800000001", "hi"),
        pa.Message("919800000002", "hello", key="row-2"),
        pa.Message("919800000001", "hi"),  # derives the same key
        pa.Message("919800000003", "other", key="row-2"),
    ]
    outcomes = sorted(await stream(sim, messages, journal), key=lambda o: o.index)
    assert [o.ok for o in outcomes] == [True, True, False, False]
    for outcome in outcomes[2:]:
        assert isinstance(outcome.error, ValueError)
        assert "duplicate key" in str(outcome.error)
    assert accepted_counts(sim) == {"919800000001": 1, "919800000002": 1}


async def test_a_journal_must_be_open_and_resend_uncertain_needs_one(
    sim: Simulator, tmp_path: pathlib.Path
) -> None:
    async with dispatcher(sim) as d:
        with pytest.raises(RuntimeError, match="not open"):
            await anext(d.stream(campaign(1), journal=pa.Journal(tmp_path / "closed.db")))
        with pytest.raises(ValueError, match="needs a journal"):
            await d.send_many(campaign(1), resend_uncertain=True)
    assert sim.requests == []


async def test_send_many_returns_the_rebuilt_receipts_in_order(
    sim: Simulator, journal: pa.Journal
) -> None:
    messages = campaign(30)
    async with dispatcher(sim) as d:
        first = await d.send_many(messages, journal=journal)
        second = await d.send_many(messages, journal=journal)
    assert second == first
    assert len(sim.messages) == 30


async def test_a_campaign_killed_mid_run_resumes_without_sending_anyone_twice(
    sim: Simulator, tmp_path: pathlib.Path
) -> None:
    path, count = tmp_path / "killed.db", 2000
    tokens = [project.token for project in sim.projects]
    child = await asyncio.create_subprocess_exec(
        sys.executable, str(CHILD), sim.base_url, str(path), str(count), *tokens
    )

    async def under_way() -> None:
        while len(sim.messages) < 300:
            assert child.returncode is None, "the campaign ended before it was killed"
            await asyncio.sleep(0.001)

    await asyncio.wait_for(under_way(), timeout=30)
    child.kill()
    await child.wait()
    killed_at = len(sim.messages)
    assert killed_at < count

    async with pa.Journal(path) as journal:
        outcomes = await stream(sim, campaign(count), journal)
        uncertain = {entry.number for entry in await journal.uncertain()}
    accepted = {o.message.number for o in outcomes if o.ok}
    reported = {o.message.number for o in outcomes if isinstance(o.error, pa.DeliveryUncertain)}
    assert reported == uncertain
    assert accepted | uncertain == {m.number for m in campaign(count)}
    assert not accepted & uncertain
    counts = accepted_counts(sim)
    assert max(counts.values()) == 1  # nobody messaged twice
    assert all(counts[number] == 1 for number in accepted)
    assert sum(o.resumed and o.ok for o in outcomes) > 0  # accepted before the kill: skipped


async def test_a_journal_closed_mid_campaign_ends_it_without_hanging(
    sim: Simulator, tmp_path: pathlib.Path
) -> None:
    journal = pa.Journal(tmp_path / "closed.db")
    await journal.open()
    errors = []
    async with dispatcher(sim) as d:
        async for outcome in d.stream(campaign(3000), journal=journal):
            if outcome.index == 0:
                await journal.close()
            if outcome.error is not None:
                errors.append(outcome.error)
    assert errors  # the pushes after it were refused: nothing leaves unjournaled
    assert all(isinstance(e, RuntimeError) and "not open" in str(e) for e in errors)
    assert len(sim.messages) + len(errors) == 3000


def disk_error(*args: object) -> None:
    raise sqlite3.OperationalError("disk I/O error")


async def test_a_push_whose_pending_write_fails_never_leaves(
    sim: Simulator, journal: pa.Journal, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(Store, "pending", disk_error)
    outcomes = await stream(sim, campaign(20), journal)
    assert all(isinstance(o.error, sqlite3.OperationalError) for o in outcomes)
    assert len(outcomes) == 20
    assert sim.messages == []
    assert await journal.summary() == pa.JournalSummary(0, 0, 0, 0)


@pytest.mark.parametrize("write", ["accepted", "unsent"])
async def test_an_answer_the_journal_cannot_write_is_logged_and_stays_pending(
    journal: pa.Journal,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    write: str,
) -> None:
    monkeypatch.setattr(Store, write, disk_error)
    project = pa.Project("token", seconds_per_message=0.001, push_limit=UNLIMITED)
    pusher = Refusing()
    async with pa.Dispatcher([project], client_factory=lambda p: pusher, max_batch=10) as d:
        results = await d.send_many(campaign(20), journal=journal, return_exceptions=True)
    assert sum(isinstance(r, pa.Receipt) for r in results) == 10  # handed out all the same
    assert (await journal.summary()).pending == 10
    assert "could not record a push's answer" in caplog.text


async def test_an_async_campaign_is_journaled_too(sim: Simulator, tmp_path: pathlib.Path) -> None:
    async def rows() -> AsyncIterator[pa.Message]:
        for message in campaign(30):
            await asyncio.sleep(0)
            yield message

    journal = pa.Journal(tmp_path / "async.db")
    assert "closed" in repr(journal)
    async with journal:
        assert "open" in repr(journal)
        with pytest.raises(RuntimeError, match="open already"):
            await journal.open()
        first = await stream(sim, [m async for m in rows()], journal)
        async with dispatcher(sim) as d:
            again = [o async for o in d.stream(rows(), journal=journal)]
    assert all(o.ok for o in first)
    assert sorted(o.index for o in again if o.resumed) == list(range(30))
    assert len(sim.messages) == 30
