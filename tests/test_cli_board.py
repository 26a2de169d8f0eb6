"""The campaign's progress board: counts, an ETA from the healthy phones' pace, and what waits."""

from __future__ import annotations

import io

import attrs
from rich.console import Console

import picky_async as pa
from picky_async.cli._board import Board, phone_seconds, project_note


def test_phone_time_adds_the_phones_paces() -> None:
    projects = [pa.Project("a", seconds_per_message=1.0), pa.Project("b", seconds_per_message=0.5)]
    assert phone_seconds(300, projects) == 100.0


async def test_the_board_shows_what_settled_and_the_time_left() -> None:
    projects = [
        pa.Project("token-a", name="a", seconds_per_message=1.0),
        pa.Project("token-b", name="b", seconds_per_message=1.0),
    ]
    screen = io.StringIO()
    dispatcher = pa.Dispatcher(projects, base_url="http://127.0.0.1:9")
    message = pa.Message("919800000001", "hi")
    async with Board(dispatcher, projects, 100, Console(file=screen, width=120)) as board:
        for index in range(10):
            board.settled(pa.Outcome(index, message, None, pa.InsufficientBalance("no")))
    all_line = next(line for line in screen.getvalue().splitlines() if line.startswith("all"))
    assert " 10/100 " in all_line
    assert "10 failed  ETA 45 s" in all_line


async def test_held_messages_and_capped_projects_show_as_waiting_not_as_work_left() -> None:
    projects = [pa.Project("token-a", name="a", seconds_per_message=1.0)]
    dispatcher = pa.Dispatcher(projects, base_url="http://127.0.0.1:9")
    board = Board(dispatcher, projects, 100, Console(file=io.StringIO()))
    board.settled(pa.Outcome(0, pa.Message("919800000001", "hi"), None, pa.OptedOut("stop")))
    stats = attrs.evolve(dispatcher.stats(), held=60)
    assert board.note(stats, projects) == "1 refused  60 waiting for quiet hours to end  ETA 39 s"
    (project,) = stats.projects
    assert project_note(project) == ""
    assert project_note(attrs.evolve(project, sent_today=50, cap_today=50)) == (
        "waiting: daily cap reached"
    )
    assert project_note(attrs.evolve(project, health="suspended")) == "suspended"
