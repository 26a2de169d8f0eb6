"""Ctrl-C during ``picky-async campaign``: it stops within seconds and says what was accepted."""

from __future__ import annotations

import os
import pathlib
import re
import signal
import subprocess
import sys
import time

from simulator_thread import simulator_thread

ROWS = 3000
SLOW = 0.005  # seconds per message: the campaign would take 15 s


def test_sigint_withdraws_the_rest_and_reports_every_accepted_message(
    tmp_path: pathlib.Path,
) -> None:
    path = tmp_path / "people.csv"
    path.write_text("number,name\n" + "".join(f"91980{n:07d},P{n}\n" for n in range(ROWS)))
    with simulator_thread() as served:
        project = served.add_project(seconds_per_message=SLOW)
        command = [
            sys.executable, "-m", "picky_async", "campaign", str(path),
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
