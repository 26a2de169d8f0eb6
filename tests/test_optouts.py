"""The opt-out store: numbers, persistence across connections and processes, CSV."""

from __future__ import annotations

import datetime
import io
import pathlib
import sqlite3
import subprocess
import sys
from collections.abc import Iterator

import pytest
from safety_stores import SafetyStores, Store

import picky_async as pa

NUMBER = "919876543210"


@pytest.fixture
def path(tmp_path: pathlib.Path) -> pathlib.Path:
    return tmp_path / "optouts.db"


@pytest.fixture
def file_store(path: pathlib.Path) -> Iterator[pa.OptOuts]:
    with pa.OptOuts(path) as store:
        yield store


@pytest.fixture
def opt_outs(safety_store: Store) -> Store:
    """Each test of what both stores promise runs on OptOuts, then on RedisOptOuts."""
    return safety_store


def test_add_remove_and_in(opt_outs: Store) -> None:
    assert NUMBER not in opt_outs
    assert opt_outs.add(NUMBER, reason="asked by phone") is True
    assert NUMBER in opt_outs
    assert "919876543211" not in opt_outs
    assert opt_outs.add(NUMBER) is False  # already there
    assert len(opt_outs) == 1
    assert opt_outs.remove(NUMBER) is True
    assert opt_outs.remove(NUMBER) is False
    assert NUMBER not in opt_outs
    assert len(opt_outs) == 0


def test_spellings_of_one_number_are_one_person(opt_outs: Store) -> None:
    opt_outs.add("+91 98765 43210")
    assert NUMBER in opt_outs
    assert int(NUMBER) in opt_outs
    assert "+91 (98765) 43210" in opt_outs
    assert opt_outs.add(NUMBER) is False
    opt_outs.remove("+91-98765-43210")
    assert len(opt_outs) == 0


@pytest.mark.parametrize("bad", ["0987654321", "12", "hello", "", None, 1.5])
def test_a_bad_number_is_refused_everywhere(opt_outs: Store, bad: object) -> None:
    with pytest.raises(pa.InvalidNumber):
        bad in opt_outs  # noqa: B015 - the lookup itself raises
    with pytest.raises(pa.InvalidNumber):
        opt_outs.add(bad)  # type: ignore[arg-type]
    with pytest.raises(pa.InvalidNumber):
        opt_outs.remove(bad)  # type: ignore[arg-type]


def test_in_memory_by_default() -> None:
    with pa.OptOuts() as first, pa.OptOuts() as second:
        first.add(NUMBER)
        assert NUMBER in first
        assert NUMBER not in second  # each in-memory store is its own
        assert repr(first) == "OptOuts(None)"


def test_a_second_store_on_the_file_sees_every_change_at_once(
    file_store: pa.OptOuts, path: pathlib.Path
) -> None:
    with pa.OptOuts(str(path)) as other:
        file_store.add(NUMBER)
        assert NUMBER in other
        other.remove(NUMBER)
        assert NUMBER not in file_store
        other.add("442079460958")
        assert len(file_store) == 1


def test_another_process_changes_are_seen_at_once(
    file_store: pa.OptOuts, path: pathlib.Path
) -> None:
    assert NUMBER not in file_store  # a lookup before the change must not be kept
    code = f"import picky_async as pa; pa.OptOuts({str(path)!r}).add('+91 98765 43210')"
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
    assert NUMBER in file_store


def test_sent_keys_are_shared_through_the_store(
    opt_outs: Store, safety_stores: SafetyStores
) -> None:
    assert opt_outs.sent_at("invoice-1") is None
    opt_outs.record_sent(["invoice-1", "invoice-2"], at=1000.0)
    with safety_stores.open() as other:
        assert other.sent_at("invoice-2") == 1000.0
        other.record_sent(["invoice-2"], at=2000.0)  # the latest send counts
    assert opt_outs.sent_at("invoice-2") == 2000.0
    assert len(opt_outs) == 0  # keys are no opt-outs


def test_opt_outs_survive_reopening(path: pathlib.Path) -> None:
    with pa.OptOuts(path) as store:
        store.add(NUMBER, reason="stop")
    with pa.OptOuts(path) as store:
        assert NUMBER in store
    assert sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_clear_errors_for_bad_paths(tmp_path: pathlib.Path) -> None:
    with pytest.raises(FileNotFoundError, match="does not exist"):
        pa.OptOuts(tmp_path / "missing" / "optouts.db")
    with pytest.raises(IsADirectoryError):
        pa.OptOuts(tmp_path)
    (tmp_path / "notes.txt").write_text("not a database, only some text " * 100)
    with pytest.raises(ValueError, match="not a SQLite database"):
        pa.OptOuts(tmp_path / "notes.txt")
    with pytest.raises(ValueError, match="must not be empty"):
        pa.OptOuts("")


def test_the_repr_shows_no_numbers(file_store: pa.OptOuts, path: pathlib.Path) -> None:
    file_store.add(NUMBER)
    assert repr(file_store) == f"OptOuts({str(path)!r})"


def test_a_closed_store_is_unusable(path: pathlib.Path) -> None:
    store = pa.OptOuts(path)
    store.close()
    with pytest.raises(sqlite3.ProgrammingError):
        NUMBER in store  # noqa: B015


def test_csv_round_trip(opt_outs: Store, tmp_path: pathlib.Path) -> None:
    opt_outs.add(NUMBER, reason="STOP")
    opt_outs.add("442079460958")
    exported = tmp_path / "out.csv"
    assert opt_outs.export_csv(exported) == 2
    with pa.OptOuts() as copy:
        assert copy.import_csv(exported) == 2
        again = io.StringIO()
        copy.export_csv(again)
    assert again.getvalue().encode() == exported.read_bytes()
    header, *rows = exported.read_text().splitlines()
    assert header == "number,opted_out_at,reason"
    assert sorted(row.split(",")[::2] for row in rows) == [["442079460958", ""], [NUMBER, "STOP"]]


def test_import_reads_a_number_column_alone_and_keeps_known_records(
    opt_outs: Store,
) -> None:
    opt_outs.add(NUMBER, reason="first")
    source = io.StringIO("\ufeffname,number\nAsha,+91 98765 43210\nBen,+44 20 7946 0958\n\n")
    assert opt_outs.import_csv(source) == 1  # the known number keeps its first record
    out = io.StringIO()
    opt_outs.export_csv(out)
    assert {tuple(row.split(",")[::2]) for row in out.getvalue().splitlines()[1:]} == {
        (NUMBER, "first"),
        ("442079460958", ""),
    }


def test_import_takes_the_given_times_as_utc(opt_outs: Store) -> None:
    source = io.StringIO(
        "number,opted_out_at,reason\n"
        "919876543210,2026-01-02T03:04:05Z,web form\n"
        "442079460958,2026-01-02T10:00:00+05:30,\n"
        "442079460959,2026-01-02 03:04:05,\n"
    )
    assert opt_outs.import_csv(source) == 3
    out = io.StringIO()
    opt_outs.export_csv(out)
    assert out.getvalue().splitlines()[1:] == [
        "442079460959,2026-01-02T03:04:05+00:00,",
        "919876543210,2026-01-02T03:04:05+00:00,web form",
        "442079460958,2026-01-02T04:30:00+00:00,",
    ]


@pytest.mark.parametrize(
    ("text", "error", "message"),
    [
        ("phone\n919876543210\n", ValueError, "'number' column"),
        ("number\n919876543210\n0123\n", pa.InvalidNumber, r"^\[406\] line 3: '0123'"),
        ("number,opted_out_at\n919876543210,yesterday\n", ValueError, "line 2.*ISO 8601"),
    ],
)
def test_a_bad_csv_adds_nothing(
    opt_outs: Store, text: str, error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        opt_outs.import_csv(io.StringIO(text))
    assert len(opt_outs) == 0


def test_sent_keys_older_than_keep_keys_are_pruned(path: pathlib.Path) -> None:
    with pa.OptOuts(path, keep_keys=datetime.timedelta(hours=2)) as store:
        assert store.keep_keys == 7200.0
        store.record_sent(["old"], at=10_000.0)
        store.record_sent(["recent"], at=10_000.0 + 3000.0)  # within the hour: no pruning yet
        assert store.sent_at("old") == 10_000.0
        store.record_sent(["new"], at=10_000.0 + 7300.0)  # an hour on: pruned up to 2 h back
        assert store.sent_at("old") is None
        assert store.sent_at("recent") == 13_000.0
        assert store.sent_at("new") == 17_300.0


@pytest.mark.parametrize("keep", [0, -1.0, datetime.timedelta(0)])
def test_keep_keys_must_be_positive(keep: float | datetime.timedelta) -> None:
    with pytest.raises(ValueError, match="keep_keys must be positive"):
        pa.OptOuts(keep_keys=keep)
