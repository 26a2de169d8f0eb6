"""The benchmarks keep working: each runs with tiny sizes and prints its table.

Timings and targets are not asserted (benchmarks are not timed tests); only
that every benchmark completes, prints its rows, and that the table and the
helpers it rests on say what they should.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from redis_servers import require_redis_server

from benchmarks._harness import Job, percentile, phone_jobs
from benchmarks._table import Row, at_least, at_most, render
from picky_async.testing import MessageRecord

ROOT = Path(__file__).resolve().parent.parent

HEADER = ["metric", "measured", "baseline", "ratio", "target", "met"]

EXPECTED_ROWS = {
    "throughput: Dispatcher vs raw aiohttp and naive": [
        "1 project: Dispatcher vs raw aiohttp",
        "1 project: Dispatcher vs naive",
        "1 project: client CPU per message",
        "4 projects: Dispatcher vs raw aiohttp",
        "4 projects: CPU per message, submit()",
        "4 projects: CPU per message, send()",
    ],
    "pacing: Dispatcher vs equal shares pushed at once": [
        "makespan / ideal",
        "phone idle while messages wait",
        "largest phone backlog",
        "push calls per message",
        "batch fill, of the room the phone had",
        "requests over the service's limits",
    ],
    "priority: urgent sends through a backlog": [
        "high priority p50, until its phone takes it",
        "high priority p99, until its phone has sent it",
        "high priority p99, until the Receipt",
    ],
    "memory: Dispatcher bytes per pending message": ["memory per pending message"],
    "simulator: the Simulator's own CPU per message": ["Simulator CPU per message"],
    "stream: peak memory of a campaign": [
        "peak RSS, 2,000-message stream()",
        "peak RSS, 2,000-message send_many()",
    ],
    "scaling: Dispatcher CPU as projects grow": [
        "single send CPU, 1 project",
        "single send, scheduler turns, 20 projects",
        "campaign message CPU, 20 projects",
        "campaign message, scheduler turns, 20 projects",
        "share of a core, campaign on 20 projects",
    ],
    "ledger: cost per push of the shared ledger": [
        "client CPU per push",
        "Redis round trips per push",
        "Redis script calls per push",
        "redis-server CPU per push",
    ],
    "fleet: worker processes sharing the same tokens": [
        f"{fleet}, {ledger} ledger: {figure}"
        for fleet in ("1 process", "2 processes")
        for ledger in ("in-process", "Redis")
        for figure in (
            "makespan / ideal",
            "push requests per message",
            "requests over the limits",
            "peak queue / (horizon + batch)",
        )
    ],
    "journal: cost per message, and resuming": [
        "CPU per message, journaled",
        "wall per message, journaled",
        "worst event-loop stall, journaled",
        "resume: stream through an all-accepted journal",
        "resume: per message",
    ],
    "optouts: lookup and write costs of the opt-out store": [
        "lookup, number in opt_outs",
        "cached set: reload after a change elsewhere",
        "add, committed to disk",
        "add through asyncio.to_thread, from the loop",
        "take_daily (a cold send's or a capped push's count), committed",
        "Dispatcher CPU per message, with opt_outs",
        "Dispatcher CPU per message, with opt_outs and cold_limit",
        "Dispatcher CPU per message, with opt_outs and a daily cap",
    ],
    "quiet: judging a recipient's quiet hours, per message": [
        "judged, empty zone cache",
        "judged, warm zone cache",
    ],
}


def _benchmarks(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "benchmarks", *argv],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _table_rows(output: str, title: str) -> list[str]:
    """The metric cells of the table under ``title``."""
    lines = output.splitlines()
    start = lines.index(title)
    assert lines[start + 2].split() == HEADER
    end = next(n for n in range(start + 4, len(lines)) if lines[n].startswith("---"))
    return [line.split("  ")[0].strip() for line in lines[start + 4 : end]]


def test_every_benchmark_runs_and_prints_its_rows() -> None:
    require_redis_server()  # the shared ledger's benchmarks start their own
    run = _benchmarks("all", "--quick")
    assert run.returncode == 0, run.stderr
    for title, expected in EXPECTED_ROWS.items():
        rows = _table_rows(run.stdout, title)
        assert set(expected) <= set(rows), (title, rows)
        for line in run.stdout.splitlines():
            if line.split("  ")[0].strip() in expected:
                assert "nan" not in line.split()


def test_one_benchmark_takes_its_own_sizes() -> None:
    run = _benchmarks("memory", "--pending", "500")
    assert run.returncode == 0, run.stderr
    assert "500 messages submitted" in run.stdout
    assert _table_rows(run.stdout, "memory: Dispatcher bytes per pending message") == [
        "memory per pending message"
    ]


def test_all_refuses_options_meant_for_one_benchmark() -> None:
    run = _benchmarks("all", "--messages", "10")
    assert run.returncode == 2
    assert "`all` takes only --quick" in run.stderr


def test_targets_on_values_and_on_ratios() -> None:
    of_raw, cpu = at_least(0.8, ratio=True), at_most(10)
    fast = Row("rate", 90.0, "msg/s", 100.0, of_raw)
    slow = Row("rate", 70.0, "msg/s", 100.0, of_raw)
    cheap = Row("cpu", 9.5, "µs", None, cpu)
    assert of_raw.met(fast) is True
    assert of_raw.met(slow) is False
    assert cpu.met(cheap) is True
    assert of_raw.met(cheap) is None  # no baseline, no ratio
    assert Row("x", 1.0, baseline=0.0).ratio is None
    paired = Row("rate", 70.0, "msg/s", 100.0, of_raw, paired_ratio=0.85)
    assert paired.ratio == 0.85  # rounds' own ratios, not the medians' ratio
    assert of_raw.met(paired) is True
    text = render("title", [fast, slow, cheap], ["a note"])
    lines = text.splitlines()
    assert lines[0] == "title"
    assert lines[4].split()[-1] == "met"
    assert lines[5].split()[-2:] == ["NOT", "met"]
    assert ">= 0.8 x baseline" in lines[4]
    assert "<= 10 µs" in lines[6]
    assert lines[-1] == "  a note"
    assert len({len(line) for line in lines[4:7]}) == 1  # aligned columns


def test_percentile_interpolates_between_ranks() -> None:
    assert percentile([3.0, 1.0, 2.0], 50) == 2.0
    assert percentile([0.0, 10.0], 99) == pytest.approx(9.9)
    assert percentile([5.0], 99) == 5.0
    with pytest.raises(ValueError, match="no values"):
        percentile([], 50)


def _record(project: str, accepted: float, sent: float | None) -> MessageRecord:
    return MessageRecord(project, "1", "1", "919000000000", "hi", None, 0, 1, accepted, sent)


def test_phone_jobs_start_when_the_phone_is_free() -> None:
    first, second, late, unsent = (
        _record("a", 0.0, 5.0),
        _record("a", 1.0, 10.0),
        _record("a", 20.0, 25.0),
        _record("a", 21.0, None),
    )
    other = _record("b", 3.0, 4.0)
    jobs = phone_jobs([second, late, first, unsent, other])
    assert jobs["a"] == [Job(first, 0.0, 5.0), Job(second, 5.0, 10.0), Job(late, 20.0, 25.0)]
    assert jobs["b"] == [Job(other, 3.0, 4.0)]
