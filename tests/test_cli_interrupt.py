"""Ctrl-C during ``picky-async campaign``: it stops within seconds and says what was accepted."""

from __future__ import annotations

import asyncio
import concurrent.futures
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
from picky_async.cli._interrupt import on_interrupt

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


async def test_the_first_sigint_runs_stop_once_and_leaving_waits_for_it() -> None:
    began = asyncio.Event()
    stopped: list[str] = []

    async def stop() -> None:
        began.set()
        await asyncio.sleep(0.05)
        stopped.append("stopped")

    async with on_interrupt(stop):
        os.kill(os.getpid(), signal.SIGINT)
        await asyncio.wait_for(began.wait(), 5)
        assert stopped == []
    assert stopped == ["stopped"]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_outside_the_main_thread_ctrl_c_keeps_its_default() -> None:
    async def never() -> None:
        raise AssertionError("no signal reaches this thread")

    async def block() -> str:
        async with on_interrupt(never):
            return "ran"

    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        assert pool.submit(asyncio.run, block()).result(timeout=10) == "ran"
