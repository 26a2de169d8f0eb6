"""``picky-async campaign --journal``: a campaign stopped by Ctrl-C or SIGKILL resumes on rerun.

Every row ends accepted by the Simulator at most once, and every row not
accepted is listed as uncertain (its push may have gone out).
"""

from __future__ import annotations

import collections
import os
import pathlib
import re
import signal
import subprocess
import sys
import time

import pytest
from click.testing import CliRunner
from simulator_thread import SimulatorThread, simulator_thread

import picky_async as pa
from picky_async.cli import main

pytestmark = pytest.mark.skipif(not hasattr(pa, "Journal"), reason="pa.Journal not merged yet")

ROWS = 2000
SLOW = 0.002  # seconds per message: the campaign would take 4 s
# The service counts a killed process's pushes against the limit too, and its
# successor cannot know them: at the plan's 90/60 it might wait a minute.
LIMIT = "600/60"


def _numbers() -> list[str]:
    return [f"91980{n:07d}" for n in range(ROWS)]


def _command(served: SimulatorThread, tmp_path: pathlib.Path) -> list[str]:
    path = tmp_path / "people.csv"
    if not path.exists():
        path.write_text("number,name\n" + "".join(f"{n},P\n" for n in _numbers()))
    return [
        "campaign", str(path), "--template", "Hi {name}",
        "--base-url", served.simulator.base_url, "--seconds-per-message", str(SLOW),
        "--horizon", "0.2", "--push-limit", LIMIT, "--journal", str(tmp_path / "journal.db"),
    ]  # fmt: skip


def _project(served: SimulatorThread) -> str:
    """A project's token; its phone takes SLOW seconds a message and LIMIT pushes."""
    limit = pa.RateLimit(*map(int, LIMIT.split("/")))
    return served.add_project(seconds_per_message=SLOW, push_limit=limit).token


def _start(served: SimulatorThread, tmp_path: pathlib.Path, token: str) -> subprocess.Popen[str]:
    """The campaign in a subprocess, once the Simulator has accepted 100 of its messages."""
    command = [sys.executable, "-m", "picky_async", *_command(served, tmp_path)]
    env = {**os.environ, "PICKY_TOKENS": token}
    process = subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 20
    while len(served.simulator.messages) < 100 and time.monotonic() < deadline:
        time.sleep(0.01)
    return process


def _rerun(served: SimulatorThread, tmp_path: pathlib.Path, token: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, _command(served, tmp_path), env={"PICKY_TOKENS": token})
    return result.exit_code, result.output


def _check_once_each(served: SimulatorThread, output: str) -> None:
    accepted = collections.Counter(m.number for m in served.simulator.messages)
    assert max(accepted.values()) == 1
    uncertain = set(re.findall(r"uncertain: (\d+)", output))
    assert set(_numbers()) - set(accepted) <= uncertain


def test_a_campaign_stopped_by_ctrl_c_resumes_without_sending_twice(
    tmp_path: pathlib.Path,
) -> None:
    with simulator_thread() as served:
        token = _project(served)
        process = _start(served, tmp_path, token)
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=10)
        assert process.returncode == 1
        first = len(served.simulator.messages)
        code, output = _rerun(served, tmp_path, token)
    assert first < ROWS
    assert code == 0, output
    assert f"journal: {ROWS} accepted, 0 failed, 0 uncertain, 0 pending" in output
    _check_once_each(served, output)


def test_a_campaign_killed_resumes_and_lists_what_may_have_gone_out(
    tmp_path: pathlib.Path,
) -> None:
    with simulator_thread() as served:
        token = _project(served)
        process = _start(served, tmp_path, token)
        process.kill()
        process.communicate(timeout=10)
        code, output = _rerun(served, tmp_path, token)
    assert code in (0, 1), output
    _check_once_each(served, output)
