"""The package's metadata says what is true of the code and the repository."""

from __future__ import annotations

import ast
import importlib
import importlib.metadata
import pathlib
import re
import sys
from typing import Any

from packaging.requirements import Requirement

import picky_async as pa
from picky_async.core import installed_version

ROOT = pathlib.Path(__file__).parent.parent
PACKAGE = pathlib.Path(pa.__file__).parent


def _pyproject() -> dict[str, Any]:
    # tomllib arrived in 3.11; below it, pytest itself depends on tomli.
    toml = importlib.import_module("tomllib" if sys.version_info >= (3, 11) else "tomli")
    project: dict[str, Any] = toml.loads((ROOT / "pyproject.toml").read_text())["project"]
    return project


def test_the_version_is_the_installed_one() -> None:
    assert pa.__version__ == importlib.metadata.version("picky_async")


def test_the_version_of_a_tree_never_installed_says_so() -> None:
    assert installed_version("picky-async-never-installed") == "0+unknown"


def test_the_license_file_is_the_declared_one() -> None:
    text = (ROOT / "LICENSE").read_text()
    assert _pyproject()["license"] == "MIT"
    assert text.startswith("MIT License")
    assert "Copyright (c) 2026 picky_async contributors" in text
    assert "License :: OSI Approved :: MIT License" in _pyproject()["classifiers"]


def test_the_python_classifiers_start_at_requires_python() -> None:
    project = _pyproject()
    (floor,) = re.findall(r">=\s*3\.(\d+)", project["requires-python"])
    minors = sorted(
        int(match)
        for classifier in project["classifiers"]
        for match in re.findall(r"^Programming Language :: Python :: 3\.(\d+)$", classifier)
    )
    assert minors[0] == int(floor)
    assert minors == list(range(minors[0], minors[-1] + 1))


def test_the_changelog_has_an_unreleased_section_and_this_version() -> None:
    changelog = (ROOT / "CHANGELOG.md").read_text()
    version = _pyproject()["version"]
    assert "## [Unreleased]" in changelog
    assert re.search(rf"^## \[{re.escape(version)}\] - \d{{4}}-\d{{2}}-\d{{2}}$", changelog, re.M)


def test_the_project_links_where_a_user_looks() -> None:
    urls = _pyproject()["urls"]
    assert set(urls) >= {"Documentation", "Changelog", "Source", "Issues"}
    assert all(url.startswith("https://") for url in urls.values())


def _distribution(requirement: str) -> str:
    return re.sub(r"[-_.]+", "-", Requirement(requirement).name).lower()


def _imported_distributions() -> dict[str, set[str]]:
    """Each third-party distribution the package imports, and the modules importing it."""
    providers = importlib.metadata.packages_distributions()
    found: dict[str, set[str]] = {}
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.partition(".")[0]
                if top in sys.stdlib_module_names or top == PACKAGE.name:
                    continue
                for distribution in providers.get(top, [f"<no distribution provides {top}>"]):
                    found.setdefault(_distribution(distribution), set()).add(
                        str(path.relative_to(PACKAGE.parent))
                    )
    return found


def test_every_imported_distribution_is_declared() -> None:
    project = _pyproject()
    declared = {_distribution(r) for r in project["dependencies"]}
    declared |= {
        _distribution(r) for extra in project["optional-dependencies"].values() for r in extra
    }
    undeclared = {d: m for d, m in _imported_distributions().items() if d not in declared}
    assert undeclared == {}


def test_every_runtime_dependency_is_imported() -> None:
    unused = {_distribution(r) for r in _pyproject()["dependencies"]} - set(
        _imported_distributions()
    )
    assert unused == set()
