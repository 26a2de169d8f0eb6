"""Ctrl-C during ``picky-async campaign``: it stops within seconds and says what was accepted."""

from __future__ import annotations

import os
import pathlib
import re
import signal
import subprocess
import sys
import threading
import time

from click.testing import CliRunner
from simulator_thread import SimulatorThread, simulator_thread

from picky_async.cli import main

ROWS = 3000
SLOW = 0.005  # seconds per message: the campaign would take 15 s


def _people(tmp_path: pathlib.Path) -> pathlib.Path:
    path = tmp_path / "people.csv"
    path.write_text("number,name\n" + "".join(f"91980{n:07d},P{n}\n" for n in range(ROWS)))
    return path


def _interrupt_after(served: SimulatorThread, accepted: int) -> threading.Thread:
    """A thread sending this process SIGINT once the Simulator accepted ``accepted`` messages."""

    def interrupt() -> None:
        deadline = time.monotonic() + 20
        while len(served.simulator.messages) < accepted and time.monotonic() < deadline:
            time.sleep(0.01)
        os.kill(os.getpid(), signal.SIGINT)

    thread = threading.Thread(target=interrupt, daemon=True)
    thread.start()
    return thread


def test_ctrl_c_in_process_stops_the_campaign_cleanly(tmp_path: pathlib.Path) -> None:
    with simulator_thread() as served:
        project = served.add_project(seconds_per_message=SLOW)
        thread = _interrupt_after(served, 100)
        options = ["--base-url", served.simulator.base_url, "--seconds-per-message", str(SLOW)]
        result = CliRunner().invoke(
            main,
            ["campaign", str(_people(tmp_path)), "--template", "Hi {name}", *options],
            env={"PICKY_TOKENS": project.token},
        )
        thread.join()
        accepted = len(served.simulator.messages)
    assert result.exit_code == 1, result.output
    assert "stopping: withdrawing what is not pushed" in result.output
    assert f"accepted {accepted} of {ROWS}" in result.output


def test_sigint_withdraws_the_rest_and_reports_every_accepted_message(
    tmp_path: pathlib.Path,
) -> None:
    with simulator_thread() as served:
        project = served.add_project(seconds_per_message=SLOW)
        command = [
            sys.executable, "-m", "picky_async", "campaign", str(_people(tmp_path)),
            "--template", "Hi {name}", "--base-url", served.simulator.base_url,
            "--seconds-per-message", str(SLOW), "--horizon", "0.2",
        ]  # fmt: skip
        env = {**os.environ, "PICKY_TOKENS": project.token}
        process = subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 20
        while len(served.simulator.messages) < 100 and time.monotonic() < deadline:
            time.sleep(0.01)
        process.send_signal(signal.SIGINT)
        interrupted = time.monotonic()
        _, errors = process.communicate(timeout=10)
        stopped_in = time.monotonic() - interrupted
        accepted = len(served.simulator.messages)
    assert process.returncode == 1, errors
    assert stopped_in < 3
    assert 100 <= accepted < ROWS
    assert f"accepted {accepted} of {ROWS}" in errors
    never_sent = sum(map(int, re.findall(r"(?:withdrawn|not read) (\d+) \(never sent\)", errors)))
    assert accepted + never_sent == ROWS
    assert project.token not in errors
