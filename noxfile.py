"""Developer sessions: ``nox -s tests lint typecheck docs bench``."""

from __future__ import annotations

import os
import shutil
import subprocess

import nox

nox.options.sessions = ["tests", "lint", "typecheck", "docs"]
nox.options.default_venv_backend = "venv"
# The tests run on every supported Python this machine has; the others are skipped.
nox.options.error_on_missing_interpreters = False

PYTHONS = ["3.10", "3.11", "3.12", "3.13"]

# nox looks for python3.X on PATH; pyenv's shims answer only for the versions
# pyenv has selected, so select every installed one unless the caller chose.
if "PYENV_VERSION" not in os.environ and (pyenv := shutil.which("pyenv")):
    installed = subprocess.run(
        [pyenv, "versions", "--bare", "--skip-aliases"], capture_output=True, text=True, check=False
    ).stdout.split()
    if installed:
        os.environ["PYENV_VERSION"] = ":".join(installed)


@nox.session(python=PYTHONS)
def tests(session: nox.Session) -> None:
    """Run the test suite (the command README.md gives) on each Python in PYTHONS."""
    session.install("-e", ".[test]")
    session.run("pytest", "-q", *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    """ruff: lint and format check."""
    session.install("-e", ".[lint]")  # the pinned ruff
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session
def typecheck(session: nox.Session) -> None:
    """mypy --strict over the package, its tests, examples and benchmarks."""
    session.install("-e", ".[test,lint]")  # the pinned mypy
    session.run("mypy", "--strict", "picky_async", "tests", "examples", "benchmarks")


@nox.session
def docs(session: nox.Session) -> None:
    """Build the documentation site into site/; any warning (a broken reference) fails it."""
    session.install("-e", ".[docs]")  # the pinned mkdocs, theme and renderer
    session.run("mkdocs", "build", "--strict", *session.posargs)


@nox.session
def bench(session: nox.Session) -> None:
    """Run every benchmark and print its table (see BENCHMARKS.md)."""
    session.install("-e", ".[test]")
    session.run("python", "-m", "benchmarks", *(session.posargs or ["all"]))
