"""``picky-async campaign`` (and ``send``) with the sender-safety options: opt-outs, repeats,
quiet hours, daily caps and the cold limit, every option checked before any request."""

from __future__ import annotations

import pathlib
from collections.abc import Iterator
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from cli_campaigns import FAST, csv_file, people, run_campaign
from click.testing import CliRunner
from simulator_thread import SimulatorThread, simulator_thread

import picky_async as pa
from picky_async.cli import _campaign, main


@pytest.fixture
def served() -> Iterator[SimulatorThread]:
    with simulator_thread() as served:
        served.add_project(seconds_per_message=FAST)
        yield served


def _numbers(count: int) -> list[str]:
    """The numbers of :func:`people`'s rows."""
    return [f"91980{n:07d}" for n in range(count)]


def _opted_out(path: pathlib.Path, *numbers: str) -> pathlib.Path:
    """An opt-out store at ``path`` where ``numbers`` said STOP, as the webhook records it."""
    with pa.OptOuts(path) as store:
        for number in numbers:
            store.record(pa.InboundMessage(number, "STOP", unique_id=number))
    return path


def _sent(served: SimulatorThread) -> list[str]:
    return sorted(m.number for m in served.simulator.messages)


def test_an_opted_out_number_is_refused_and_counted_and_the_rest_are_sent(
    served: SimulatorThread, tmp_path: pathlib.Path
) -> None:
    numbers = _numbers(5)
    store = _opted_out(tmp_path / "optouts.db", numbers[2])
    code, output = run_campaign(served, csv_file(tmp_path, people(5)), "--opt-outs", str(store))
    assert code == 1, output  # not everything was accepted, as docs/cli.md says
    assert "accepted 4 of 5" in output
    assert "refused 1: 1 opted out" in output
    assert _sent(served) == numbers[:2] + numbers[3:]


def test_the_opt_outs_file_is_created_when_missing_and_taken_from_the_environment(
    served: SimulatorThread, tmp_path: pathlib.Path
) -> None:
    store = tmp_path / "new.db"
    path = csv_file(tmp_path, people(3))
    code, output = run_campaign(served, path, env={"PICKY_OPT_OUTS": str(store)})
    assert code == 0, output
    assert store.exists()


def test_a_dry_run_lists_the_rows_whose_number_opted_out_and_sends_nothing(
    served: SimulatorThread, tmp_path: pathlib.Path
) -> None:
    numbers = _numbers(10)
    store = _opted_out(tmp_path / "optouts.db", numbers[3], numbers[7])
    code, output = run_campaign(
        served, csv_file(tmp_path, people(10)), "--opt-outs", str(store), "--dry-run"
    )
    assert code == 0, output
    assert "8 messages would be sent" in output
    assert "2 would be refused: their number opted out" in output
    assert f"row 4: {numbers[3]}" in output
    assert f"row 8: {numbers[7]}" in output
    assert served.simulator.requests == []


@pytest.mark.parametrize(
    ("options", "error"),
    [
        (["--quiet-hours", "9pm-7am"], "expected HH:MM-HH:MM such as 21:00-09:00, got '9pm-7am'"),
        (["--quiet-hours", "21:00"], "expected HH:MM-HH:MM"),
        (["--quiet-hours", "25:00-07:00"], "25:00 is not a time of day"),
        (["--quiet-hours", "21:00-07:60"], "07:60 is not a time of day"),
        (["--quiet-hours", "21:00-21:00"], "must start and end at different times"),
        (["--timezone", "Mars/Olympus"], "'Mars/Olympus' is not a time zone"),
        (["--cold-limit", "5"], "--cold-limit needs --opt-outs"),
        (["--cold-limit", "0", "--opt-outs", "{tmp}/o.db"], "0 is not in the range x>=1"),
        (["--daily-cap", "0"], "0 is not in the range x>=1"),
        (["--warm-up", "50,x"], "expected daily caps of at least 1 such as 50,100,200"),
        (["--warm-up", "50,0"], "expected daily caps"),
        (["--daily-cap", "10", "--warm-up", "5,50"], "must not pass daily_cap=10"),
        (["--when-capped", "drop"], "'drop' is not one of 'wait', 'fail'"),
        (["--opt-outs", "{tmp}/no/such/dir/o.db"], "does not exist"),
        (["--opt-outs", "{tmp}/people.csv"], "is not a SQLite database"),
    ],
)
def test_bad_safety_options_exit_2_before_any_request(
    served: SimulatorThread, tmp_path: pathlib.Path, options: list[str], error: str
) -> None:
    path = csv_file(tmp_path, people(3))
    options = [option.format(tmp=tmp_path) for option in options]
    code, output = run_campaign(served, path, *options)
    assert code == 2, output
    assert error in " ".join(output.split())  # click wraps long errors
    assert served.simulator.requests == []


@pytest.mark.parametrize(
    ("options", "accepted"),
    [(["--daily-cap", "3"], 3), (["--daily-cap", "5", "--warm-up", "2,4"], 2)],
)
def test_a_daily_cap_stops_the_campaign_and_refuses_the_rest_when_capped_fail(
    served: SimulatorThread, tmp_path: pathlib.Path, options: list[str], accepted: int
) -> None:
    store = str(tmp_path / "optouts.db")
    path = csv_file(tmp_path, people(6))
    code, output = run_campaign(
        served, path, *options, "--when-capped", "fail", "--opt-outs", store
    )
    assert code == 1, output
    assert f"accepted {accepted} of 6" in output
    assert f"refused {6 - accepted}: {6 - accepted} over a daily cap" in output
    assert len(served.simulator.messages) == accepted


def test_the_cold_limit_refuses_strangers_beyond_it_and_not_those_who_wrote(
    served: SimulatorThread, tmp_path: pathlib.Path
) -> None:
    numbers = _numbers(4)
    store = tmp_path / "optouts.db"
    with pa.OptOuts(store) as opt_outs:
        opt_outs.record(pa.InboundMessage(numbers[3], "Hi, is this open?", unique_id="1"))
    path = csv_file(tmp_path, people(4))
    code, output = run_campaign(served, path, "--opt-outs", str(store), "--cold-limit", "2")
    assert code == 1, output
    assert "refused 1: 1 over the cold limit" in output
    assert _sent(served) == [numbers[0], numbers[1], numbers[3]]


def test_a_stop_recorded_between_two_runs_is_honoured_and_a_rerun_is_refused_as_repeats(
    served: SimulatorThread, tmp_path: pathlib.Path
) -> None:
    numbers = _numbers(5)
    store = tmp_path / "optouts.db"
    path = csv_file(tmp_path, people(5))
    code, output = run_campaign(served, path, "--opt-outs", str(store))
    assert code == 0, output
    _opted_out(store, numbers[1])  # the webhook's own OptOuts, say
    code, output = run_campaign(served, path, "--opt-outs", str(store), "--template", "Bye {name}")
    assert code == 1, output
    assert "accepted 4 of 5" in output
    assert "refused 1: 1 opted out" in output
    code, output = run_campaign(served, path, "--opt-outs", str(store), "--template", "Bye {name}")
    assert "accepted 0 of 5" in output
    assert "refused 5: 4 repeat, 1 opted out" in output
    bye = sorted(m.number for m in served.simulator.messages if m.text.startswith("Bye"))
    assert bye == [n for n in numbers if n != numbers[1]]


def _hours_from_now(start: float, end: float) -> tuple[str, tuple[time, time]]:
    """Quiet hours ``start`` to ``end`` hours from now in India: the option, and its times."""
    now = datetime.now(ZoneInfo("Asia/Kolkata"))
    times = [
        (now + timedelta(hours=h)).time().replace(second=0, microsecond=0) for h in (start, end)
    ]
    option = "-".join(f"{t.hour:02d}:{t.minute:02d}" for t in times)
    return option, (times[0], times[1])


def test_quiet_hours_and_the_zone_reach_the_dispatcher_and_outside_them_messages_go_at_once(
    served: SimulatorThread, tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    given: dict[str, Any] = {}

    class Recording(pa.Dispatcher):
        def __init__(self, projects: list[pa.Project], **options: Any) -> None:
            given.update(options)
            super().__init__(projects, **options)

    monkeypatch.setattr(_campaign, "Dispatcher", Recording)
    option, hours = _hours_from_now(2, 3)  # the numbers are Indian: not quiet now
    path = csv_file(tmp_path, people(5))
    code, output = run_campaign(served, path, "--quiet-hours", option, "--timezone", "Asia/Dubai")
    assert code == 0, output
    assert given["quiet_hours"] == hours
    assert given["default_timezone"] == "Asia/Dubai"
    assert _sent(served) == _numbers(5)


def test_send_refuses_a_number_that_opted_out_and_sends_to_others(
    served: SimulatorThread, tmp_path: pathlib.Path
) -> None:
    store = _opted_out(tmp_path / "optouts.db", "919800000001")
    env = {
        "PICKY_TOKEN": served.simulator.projects[0].token,
        "PICKY_BASE_URL": served.simulator.base_url,
    }
    refused = CliRunner().invoke(
        main, ["send", "+91 98000 00001", "hi", "--opt-outs", str(store)], env=env
    )
    assert refused.exit_code == 1, refused.output
    assert "919800000001 opted out" in refused.output
    assert served.simulator.requests == []
    sent = CliRunner().invoke(
        main, ["send", "919800000002", "hi", "--opt-outs", str(store)], env=env
    )
    assert sent.exit_code == 0, sent.output
    assert _sent(served) == ["919800000002"]
