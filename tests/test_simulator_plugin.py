"""The pytest plugin (both asyncio modes) and ``python -m picky_async.testing``."""

from __future__ import annotations

import asyncio
import re
import signal
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from inner_pytest import run_pytest

from picky_async import RateLimit
from picky_async.testing import DEFAULT_PUSH_LIMIT, DEFAULT_STATUS_LIMIT
from picky_async.testing.__main__ import parse, simulator_for

INNER_TESTS = textwrap.dedent(
    """
    import pytest

    @pytest.mark.asyncio
    @pytest.mark.picky_simulator(projects=2, seconds_per_message=1.0)
    async def test_marker_options(picky_simulator, picky_project):
        assert [p.name for p in picky_simulator.projects] == ["project-1", "project-2"]
        assert picky_project is picky_simulator.projects[0]
        assert picky_project.seconds_per_message == 1.0
        assert picky_simulator.base_url.startswith("http://127.0.0.1:")

    @pytest.mark.asyncio
    async def test_defaults(picky_simulator, picky_project):
        assert [p.name for p in picky_simulator.projects] == ["project-1"]
    """
)


@pytest.mark.parametrize("mode", ["strict", "auto"])
def test_fixtures_work_in_both_asyncio_modes(tmp_path: Path, mode: str) -> None:
    (tmp_path / "test_inner.py").write_text(INNER_TESTS)
    run = run_pytest(tmp_path, "-o", f"asyncio_mode={mode}")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "2 passed" in run.stdout


async def start_standalone(*options: str) -> tuple[asyncio.subprocess.Process, str, dict[str, str]]:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "picky_async.testing", *options, stdout=asyncio.subprocess.PIPE
    )
    assert process.stdout is not None
    base_url, tokens = "", {}
    while True:
        line = (await asyncio.wait_for(process.stdout.readline(), 20)).decode()
        if match := re.fullmatch(r"base URL (\S+)\n", line):
            base_url = match[1]
        elif match := re.fullmatch(r"(\S+) token (\S+)\n", line):
            tokens[match[1]] = match[2]
        elif line.startswith("Ctrl-C") or not line:
            return process, base_url, tokens


async def test_standalone_serves_until_ctrl_c() -> None:
    process, base_url, tokens = await start_standalone(
        "--projects", "2", "--seconds-per-message", "0.01"
    )
    try:
        assert base_url.startswith("http://127.0.0.1:")
        assert list(tokens) == ["project-1", "project-2"]
        body = {
            "token": tokens["project-2"],
            "globalmessage": "hi",
            "data": [{"number": "919876543210"}],
        }
        async with (
            aiohttp.ClientSession() as session,
            session.post(f"{base_url}/push", json=body) as response,
        ):
            assert (await response.json())["status"] == 100
        await asyncio.sleep(0.1)
    finally:
        process.send_signal(signal.SIGINT)
        assert await asyncio.wait_for(process.wait(), 20) == 0


async def test_standalone_stops_after_its_duration() -> None:
    process, _, tokens = await start_standalone("--duration", "0.2")
    assert list(tokens) == ["project-1"]
    assert await asyncio.wait_for(process.wait(), 20) == 0
    assert process.stdout is not None
    assert (await process.stdout.read()).decode() == "sent 0 messages\n"


def test_standalone_keeps_what_it_made_at_start_out_of_the_collectors_way() -> None:
    script = (
        "import gc; from picky_async.testing.__main__ import main; "
        "main(['--duration', '0']); print('frozen', gc.get_freeze_count())"
    )
    run = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=30, check=False
    )
    assert run.returncode == 0, run.stderr
    frozen = int(run.stdout.split("frozen ")[1])
    assert frozen > 10_000  # the modules and the app, at least


def test_standalone_refuses_zero_projects() -> None:
    run = subprocess.run(
        [sys.executable, "-m", "picky_async.testing", "--projects", "0"],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert run.returncode == 2
    assert "--projects" in run.stderr


def test_standalone_limits_are_count_slash_seconds_and_default_to_the_services() -> None:
    given = parse(["--push-limit", "20/60", "--status-limit", "1/0.5"])
    assert (given.push_limit, given.status_limit) == (RateLimit(20, 60.0), RateLimit(1, 0.5))
    default = parse([])
    assert (default.push_limit, default.status_limit) == (DEFAULT_PUSH_LIMIT, DEFAULT_STATUS_LIMIT)


@pytest.mark.parametrize("option", ["--push-limit", "--status-limit"])
@pytest.mark.parametrize("value", ["0/60", "-1/60", "5/0", "5/-1", "5", "1.5/60", "x/60", "5/x"])
def test_standalone_refuses_limits_that_allow_nothing_or_do_not_parse(
    capsys: pytest.CaptureFixture[str], option: str, value: str
) -> None:
    with pytest.raises(SystemExit) as exited:
        parse([f"{option}={value}"])
    assert exited.value.code == 2
    assert f"argument {option}: expected COUNT/SECONDS" in capsys.readouterr().err


def test_standalone_limits_reach_every_project() -> None:
    simulator = simulator_for(parse(["--projects", "2", "--push-limit", "7/30"]))
    assert [p.push_window.limit for p in simulator.projects] == [RateLimit(7, 30.0)] * 2
    assert [p.status_window.limit for p in simulator.projects] == [DEFAULT_STATUS_LIMIT] * 2


async def test_standalone_answers_429_over_the_limits_it_was_given() -> None:
    process, base_url, tokens = await start_standalone(
        "--push-limit", "2/60", "--status-limit", "1/60", "--seconds-per-message", "0.001"
    )
    body = {
        "token": tokens["project-1"],
        "globalmessage": "hi",
        "data": [{"number": "919876543210"}],
    }
    try:
        async with aiohttp.ClientSession() as session:
            pushes = [await _status(session, f"{base_url}/push", body) for _ in range(3)]
            status = [await _status(session, f"{base_url}/device-status", body) for _ in range(2)]
    finally:
        process.send_signal(signal.SIGINT)
        assert await asyncio.wait_for(process.wait(), 20) == 0
    assert pushes == [200, 200, 429]
    assert status == [200, 429]


async def _status(session: aiohttp.ClientSession, url: str, body: dict[str, Any]) -> int:
    async with session.post(url, json=body) as response:
        return response.status
