"""``picky-async demo`` and ``simulate``: the embedded Simulator from the command line."""

from __future__ import annotations

import importlib
import os
import pathlib
import re
import subprocess
import sys
import time

from click.testing import CliRunner

from picky_async.cli import main


def test_a_small_demo_accepts_everything_within_the_limits() -> None:
    result = CliRunner().invoke(main, ["demo", "--seconds", "1", "--messages", "100"])
    assert result.exit_code == 0, result.output
    assert "requests over the limit: 0" in result.output
    assert "urgent: 5 of 5 accepted" in result.output
    (suspended,) = re.findall(r"│ medium .*│ (\w+) +│", result.output)
    assert suspended == "suspended"


def test_the_demo_at_its_default_size_runs_in_about_20_seconds() -> None:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "picky_async", "demo"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "COLUMNS": "120"},
    )
    elapsed = time.perf_counter() - started
    assert done.returncode == 0, done.stdout + done.stderr
    assert "requests over the limit: 0" in done.stdout
    assert 15 < elapsed < 30


def test_simulate_takes_the_simulator_options() -> None:
    result = CliRunner().invoke(main, ["simulate", "--help"])
    assert result.exit_code == 0
    assert "usage: picky-async simulate" in result.output
    assert "--push-limit COUNT/SECONDS" in result.output


def test_simulate_serves_for_its_duration() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "picky_async", "simulate", "--projects", "2", "--duration", "0.2"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("base URL http://127.0.0.1:")
    assert done.stdout.count(" token ") == 2
    assert "sent 0 messages" in done.stdout


def test_bad_simulate_options_exit_2() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "picky_async", "simulate", "--push-limit", "fast"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 2
    assert "expected COUNT/SECONDS" in done.stderr


def test_the_console_script_is_the_command() -> None:
    toml = importlib.import_module("tomllib" if sys.version_info >= (3, 11) else "tomli")
    scripts = toml.loads((pathlib.Path(__file__).parents[1] / "pyproject.toml").read_text())
    module, _, name = scripts["project"]["scripts"]["picky-async"].partition(":")
    assert getattr(importlib.import_module(module), name) is main
