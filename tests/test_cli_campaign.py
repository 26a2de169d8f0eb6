"""``picky-async campaign``: a CSV checked whole before any request, then sent with progress."""

from __future__ import annotations

import pathlib
import re
from collections.abc import Iterator

import pytest
from cli_campaigns import FAST, csv_file, people, run_campaign
from click.testing import CliRunner
from simulator_thread import SimulatorThread, simulator_thread

from picky_async.cli import main
from picky_async.testing import FaultKind, ProjectState


@pytest.fixture
def served() -> Iterator[SimulatorThread]:
    with simulator_thread() as served:
        yield served


def test_every_row_is_sent_once_with_its_text(
    served: SimulatorThread, tmp_path: pathlib.Path
) -> None:
    for _ in range(2):
        served.add_project(seconds_per_message=FAST)
    code, output = run_campaign(served, csv_file(tmp_path, people(300)))
    assert code == 0, output
    texts = sorted((m.number, m.text) for m in served.simulator.messages)
    assert texts == sorted((f"91980{n:07d}", f"Hi Person {n}") for n in range(300))
    assert "accepted 300 of 300" in output
    assert sum(served.simulator.stats.over_limit.values()) == 0


def test_bad_rows_are_listed_by_line_and_column_and_nothing_is_sent(
    served: SimulatorThread, tmp_path: pathlib.Path
) -> None:
    served.add_project(seconds_per_message=FAST)
    text = (
        "number,name\n"
        "919800000001,Ann\n"
        "\n"  # line 3: blank, skipped
        "0123,Bob\n"  # line 4: a number that cannot exist
        '919800000002,"Multi\nline"\n'  # lines 5-6: one row
        "919800000003,\n"  # line 7: no name
        "919800000004\n"  # line 8: a short row, no name either
    )
    code, output = run_campaign(served, csv_file(tmp_path, text))
    assert code == 2
    lines = [line for line in output.splitlines() if line.startswith("line ")]
    assert [line.split(":")[0] for line in lines] == [
        "line 4, column 'number'",
        "line 7, column 'name'",
        "line 8, column 'name'",
    ]
    assert "3 problems" in output
    assert served.simulator.requests == []


def test_a_template_field_the_header_lacks_is_refused_on_line_one(
    served: SimulatorThread, tmp_path: pathlib.Path
) -> None:
    served.add_project(seconds_per_message=FAST)
    path = csv_file(tmp_path, "phone,name\n919800000001,Ann\n")
    code, output = run_campaign(served, path, "--template", "Hi {first}")
    assert code == 2
    assert "line 1, column 'number': the header has no such column" in output
    assert "line 1, column 'first': the header has no such column" in output
    assert served.simulator.requests == []


def test_a_dry_run_shows_the_messages_and_the_phones_time_and_sends_nothing(
    served: SimulatorThread, tmp_path: pathlib.Path
) -> None:
    served.add_project(seconds_per_message=FAST)
    code, output = run_campaign(
        served, csv_file(tmp_path, people(10)), "--dry-run", "--seconds-per-message", "5"
    )
    assert code == 0, output
    assert "10 messages would be sent through 1 projects" in output
    assert "919800000000: Hi Person 0" in output
    assert "about 50 s" in output
    assert served.simulator.requests == []
    for rows, duration in [(300, "25 min"), (3000, "4.2 h")]:
        path = csv_file(tmp_path, people(rows))
        _, output = run_campaign(served, path, "--dry-run", "--seconds-per-message", "5")
        assert f"about {duration}" in output


def test_failures_exit_1_and_are_counted_by_reason(
    served: SimulatorThread, tmp_path: pathlib.Path
) -> None:
    served.add_project(ProjectState.NO_BALANCE, seconds_per_message=FAST)
    code, output = run_campaign(served, csv_file(tmp_path, people(5)))
    assert code == 1
    assert "accepted 0 of 5" in output
    assert "failed 5: 5 InsufficientBalance" in output


def test_the_tokens_never_appear_in_the_output(
    served: SimulatorThread, tmp_path: pathlib.Path
) -> None:
    served.add_project(ProjectState.NO_BALANCE, seconds_per_message=FAST)
    token = served.simulator.projects[0].token
    code, output = run_campaign(served, csv_file(tmp_path, people(3)), "--priority", "high")
    assert code == 1
    assert token not in output
    help_text = CliRunner().invoke(main, ["campaign", "--help"], env={"PICKY_TOKENS": token})
    assert token not in help_text.output


def test_an_empty_token_in_the_list_is_bad_usage(
    served: SimulatorThread, tmp_path: pathlib.Path
) -> None:
    code, output = run_campaign(served, csv_file(tmp_path, people(3)), tokens="abc,,def")
    assert code == 2
    assert "empty token" in output


def test_uncertain_messages_are_listed_not_resent_and_exit_1(
    served: SimulatorThread, tmp_path: pathlib.Path
) -> None:
    served.add_project(seconds_per_message=FAST)
    served.simulator.faults.add(FaultKind.LOST_ANSWER, endpoint="push", times=1)
    code, output = run_campaign(served, csv_file(tmp_path, people(150)))
    assert code == 1
    listed = re.findall(r"row (\d+): (\d+)", output)
    (uncertain,) = map(int, re.findall(r"uncertain (\d+) \(", output))
    assert 0 < uncertain == len(listed)
    assert f"accepted {150 - uncertain} of 150" in output
    assert all(number == f"91980{int(row) - 1:07d}" for row, number in listed)
    numbers = [m.number for m in served.simulator.messages]
    assert sorted(numbers) == sorted(set(numbers)) == [f"91980{n:07d}" for n in range(150)]


@pytest.mark.parametrize(
    ("options", "error"),
    [
        (["--template", "Hi {}"], "need column names"),
        (["--template", " "], "the template is blank"),
        (["--push-limit", "fast"], "expected COUNT/SECONDS"),
        (["--base-url", "ftp://example.com"], "http"),
    ],
)
def test_bad_options_are_bad_usage_and_send_nothing(
    served: SimulatorThread, tmp_path: pathlib.Path, options: list[str], error: str
) -> None:
    served.add_project(seconds_per_message=FAST)
    code, output = run_campaign(served, csv_file(tmp_path, people(3)), *options)
    assert code == 2
    assert error in output
    assert served.simulator.requests == []


def test_one_token_twice_is_bad_usage(served: SimulatorThread, tmp_path: pathlib.Path) -> None:
    code, output = run_campaign(served, csv_file(tmp_path, people(3)), tokens="abc,abc")
    assert code == 2
    assert "each project needs its own token" in output
