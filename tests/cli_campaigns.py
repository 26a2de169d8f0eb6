"""Running ``picky-async campaign`` on a CSV against a Simulator served from a thread."""

from __future__ import annotations

import pathlib

from click.testing import CliRunner
from simulator_thread import SimulatorThread

from picky_async.cli import main

FAST = 0.001  # seconds per message of the simulated phones


def csv_file(tmp_path: pathlib.Path, text: str) -> pathlib.Path:
    """``text`` written as ``people.csv`` in ``tmp_path``."""
    path = tmp_path / "people.csv"
    path.write_text(text)
    return path


def people(count: int) -> str:
    """A CSV of ``count`` rows: number ``91980`` and 7 digits, name ``Person n``."""
    return "number,name\n" + "".join(f"91980{n:07d},Person {n}\n" for n in range(count))


def run_campaign(
    served: SimulatorThread,
    path: pathlib.Path,
    *options: str,
    tokens: str | None = None,
    env: dict[str, str] | None = None,
) -> tuple[int, str]:
    """The exit code and output of ``campaign path --template 'Hi {name}'`` with ``options``
    (later ones win), through every project of the Simulator unless ``tokens``, with
    ``env`` added to the environment."""
    if tokens is None:
        tokens = ",".join(p.token for p in served.simulator.projects)
    result = CliRunner().invoke(
        main,
        [
            "campaign",
            str(path),
            "--template",
            "Hi {name}",
            "--base-url",
            served.simulator.base_url,
            "--seconds-per-message",
            str(FAST),
            "--horizon",
            "0.05",
            *options,
        ],
        env={"PICKY_TOKENS": tokens, **(env or {})},
    )
    return result.exit_code, result.output
