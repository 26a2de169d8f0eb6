"""``send``, ``status``, ``action``, ``conference``, ``report``: one call each, the token unseen."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from click.testing import CliRunner, Result
from simulator_thread import SimulatorThread, simulator_thread

from picky_async.cli import main
from picky_async.testing import ProjectState, SimProject


@pytest.fixture
def served() -> Iterator[SimulatorThread]:
    with simulator_thread() as served:
        yield served


@pytest.fixture
def project(served: SimulatorThread) -> SimProject:
    return served.add_project(seconds_per_message=0.001, dial_seconds=0.01, call_seconds=0.02)


def _run(served: SimulatorThread, project: SimProject, *args: str) -> Result:
    env = {"PICKY_TOKEN": project.token, "PICKY_BASE_URL": served.simulator.base_url}
    result = CliRunner().invoke(main, list(args), env=env)
    assert project.token not in result.output
    return result


def test_send_pushes_one_message(served: SimulatorThread, project: SimProject) -> None:
    result = _run(served, project, "send", "+91 98765 43210", "Your order has shipped", "--json")
    assert result.exit_code == 0, result.output
    answer = json.loads(result.output)
    assert answer["status"] == 100
    assert [(m.number, m.text) for m in served.simulator.messages] == [
        ("919876543210", "Your order has shipped")
    ]
    assert answer["push_id"] == served.simulator.messages[0].push_id


def test_send_shows_each_recipient_on_a_line(served: SimulatorThread, project: SimProject) -> None:
    result = _run(served, project, "send", "919876543210", "hi")
    assert result.exit_code == 0, result.output
    assert "status: 100\n" in result.output
    assert "recipients:\n  - msg_id: 1, number: 919876543210, credit: " in result.output


def test_a_bad_number_is_bad_usage_and_sends_nothing(
    served: SimulatorThread, project: SimProject
) -> None:
    result = _run(served, project, "send", "0123", "hi")
    assert result.exit_code == 2
    assert served.simulator.requests == []


def test_a_refusal_by_the_service_exits_1_with_its_reason(
    served: SimulatorThread,
) -> None:
    project = served.add_project(ProjectState.NO_BALANCE)
    result = _run(served, project, "send", "919876543210", "hi")
    assert result.exit_code == 1
    assert "InsufficientBalance" in result.output


def test_status_shows_the_phone(served: SimulatorThread, project: SimProject) -> None:
    result = _run(served, project, "status")
    assert result.exit_code == 0, result.output
    assert "message_queue_count: 0" in result.output


def test_action_sends_the_command(served: SimulatorThread, project: SimProject) -> None:
    result = _run(served, project, "action", "stop-message-queue", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["status"] == 100
    assert [r.endpoint for r in served.simulator.requests] == ["device-action"]


def test_an_unknown_action_is_bad_usage(served: SimulatorThread, project: SimProject) -> None:
    result = _run(served, project, "action", "explode")
    assert result.exit_code == 2
    assert served.simulator.requests == []


def test_conference_wait_polls_until_every_call_ends(
    served: SimulatorThread, project: SimProject
) -> None:
    numbers = ["919800000001", "919800000002"]
    result = _run(served, project, "conference", *numbers, "--wait", "--interval", "0.02", "--json")
    assert result.exit_code == 0, result.output
    calls = json.loads(result.output)
    assert sorted(call["number"] for call in calls) == numbers
    assert {call["status"] for call in calls} == {4}  # COMPLETED


def test_report_reads_a_conference(served: SimulatorThread, project: SimProject) -> None:
    started = _run(served, project, "conference", "919800000001", "919800000002", "--json")
    push_id = json.loads(started.output)["push_id"]
    result = _run(served, project, "report", push_id)
    assert result.exit_code == 0, result.output
    assert "919800000001" in result.output
    assert "919800000002" in result.output


def test_no_token_is_bad_usage_naming_the_variable() -> None:
    result = CliRunner().invoke(main, ["status"], env={"PICKY_TOKEN": None})
    assert result.exit_code == 2
    assert "PICKY_TOKEN" in result.output


def test_help_never_shows_the_token(project: SimProject) -> None:
    for command in ("send", "status", "action", "conference", "report"):
        result = CliRunner().invoke(main, [command, "--help"], env={"PICKY_TOKEN": project.token})
        assert result.exit_code == 0
        assert project.token not in result.output


def test_a_bad_base_url_is_bad_usage(project: SimProject) -> None:
    result = CliRunner().invoke(
        main, ["status", "--base-url", "ftp://example.com"], env={"PICKY_TOKEN": project.token}
    )
    assert result.exit_code == 2
    assert project.token not in result.output


def test_a_conference_of_one_is_bad_usage(served: SimulatorThread, project: SimProject) -> None:
    result = _run(served, project, "conference", "919800000001")
    assert result.exit_code == 2
    assert "at least 2 numbers" in result.output
    assert served.simulator.requests == []
