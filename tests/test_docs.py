"""The documentation keeps up with the code: its examples compile, name real
API and run; the reference covers every public name."""

from __future__ import annotations

import ast
import importlib
import pathlib
import re
import subprocess
import sys
import textwrap

import pytest
from inner_pytest import run_pytest

import picky_async

DOCS = pathlib.Path(__file__).parents[1] / "docs"
_BLOCK = re.compile(r"^([ \t]*)```python\n(.*?)^\1```", re.MULTILINE | re.DOTALL)


def python_blocks() -> list[tuple[str, str]]:
    """Every ```python block of the docs' pages, as (``page:line``, code)."""
    blocks = []
    for page in sorted(DOCS.rglob("*.md")):
        text = page.read_text()
        for match in _BLOCK.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            blocks.append((f"{page.relative_to(DOCS)}:{line}", textwrap.dedent(match.group(2))))
    return blocks


BLOCKS = python_blocks()
PROGRAMS = [(where, code) for where, code in BLOCKS if "asyncio.run(main())" in code]


def library_names(tree: ast.AST) -> list[tuple[str, str]]:
    """(module, name) for each ``pa.name`` and ``from picky_async... import name``."""
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("picky_async"):
            names += [(node.module or "", alias.name) for alias in node.names]
        elif (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id == "pa"
        ):
            names.append(("picky_async", node.attr))
    return names


def test_the_docs_have_python_examples() -> None:
    assert len(BLOCKS) >= 10
    assert len(PROGRAMS) >= 6


@pytest.mark.parametrize(("where", "code"), BLOCKS, ids=[where for where, _ in BLOCKS])
def test_every_example_compiles_and_names_only_real_api(where: str, code: str) -> None:
    tree = compile(code, where, "exec", ast.PyCF_ONLY_AST | ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
    compile(tree, where, "exec", ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)  # what parsing lets through
    missing = [
        f"{module}.{name}"
        for module, name in library_names(tree)
        if not hasattr(importlib.import_module(module), name)
    ]
    assert missing == []


def test_a_renamed_name_is_caught() -> None:
    tree = ast.parse(
        "import picky_async as pa\nfrom picky_async.testing import Simulatr\npa.Mesage"
    )
    found = library_names(tree)
    assert found == [("picky_async.testing", "Simulatr"), ("picky_async", "Mesage")]
    assert not any(hasattr(importlib.import_module(m), n) for m, n in found)


@pytest.mark.parametrize(("where", "code"), PROGRAMS, ids=[where for where, _ in PROGRAMS])
def test_every_complete_example_runs_against_the_simulator(where: str, code: str) -> None:
    assert "pickyassist.com" not in code
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr


def test_the_testing_pages_tests_pass_in_strict_mode(tmp_path: pathlib.Path) -> None:
    tests = [
        code for where, code in BLOCKS if where.startswith("testing.md") and "def test_" in code
    ]
    assert tests
    for n, code in enumerate(tests):
        (tmp_path / f"test_page_{n}.py").write_text(code)
    options = ["-o", "asyncio_mode=strict", "-o", "asyncio_default_fixture_loop_scope=function"]
    done = run_pytest(tmp_path, *options)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "warning" not in done.stdout  # the configuration the page gives is complete


def test_the_reference_covers_every_public_name() -> None:
    reference = "\n".join(page.read_text() for page in (DOCS / "reference").glob("*.md"))
    documented = set(re.findall(r"^::: picky_async\.(\w+)\s*$", reference, re.MULTILINE))
    assert sorted(set(picky_async.__all__) - documented) == []
    testing = importlib.import_module("picky_async.testing")
    documented = set(re.findall(r"^::: picky_async\.testing\.(\w+)\s*$", reference, re.MULTILINE))
    assert sorted(set(testing.__all__) - documented) == []


def test_the_docs_never_point_outside_the_repository() -> None:
    for page in DOCS.rglob("*.md"):
        assert "../shared" not in page.read_text(), page.name
