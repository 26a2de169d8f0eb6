"""The package's layers: each imports only the ones below it, and no module
imports itself back through others."""

from __future__ import annotations

import ast
import pathlib

import pytest

import picky_async as pa

PACKAGE = pathlib.Path(pa.__file__).parent

# Lower numbers sit lower; a layer may import its own and lower ones only.
LAYERS = {
    "core": 0,
    "wire": 1,
    "client": 2,
    "webhook": 2,
    "journal": 2,
    "safety": 2,
    "dispatch": 3,
    "redis": 4,
    "testing": 4,
    "cli": 5,
}


def _module_name(path: pathlib.Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports() -> dict[str, set[str]]:
    """Each module of the package and the package modules it imports."""
    paths = {_module_name(path): path for path in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in paths.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join([*base, node.module] if node.module else base)
                found |= {t for t in (target, *(f"{target}.{a.name}" for a in node.names))}
            elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("picky_async"):
                found.add(node.module or "")
        graph[name] = found & paths.keys()
    return graph


def _layer(module: str) -> int | None:
    parts = module.split(".")
    return LAYERS.get(parts[1]) if len(parts) > 1 else None


def test_every_layer_package_exists() -> None:
    assert {path.name for path in PACKAGE.iterdir() if (path / "__init__.py").exists()} == set(
        LAYERS
    )


def test_no_layer_imports_a_higher_one() -> None:
    upward = [
        f"{module} -> {target}"
        for module, targets in _imports().items()
        for target in targets
        if (low := _layer(module)) is not None
        and (high := _layer(target)) is not None
        and high > low
    ]
    assert upward == []


def test_no_import_circles() -> None:
    graph = _imports()
    circles: list[list[str]] = []

    def visit(module: str, path: list[str]) -> None:
        for target in sorted(graph[module]):
            if target in path:
                circles.append([*path[path.index(target) :], target])
            elif target not in done:
                visit(target, [*path, target])
        done.add(module)

    done: set[str] = set()
    for module in sorted(graph):
        if module not in done:
            visit(module, [module])
    assert circles == []


@pytest.mark.parametrize("name", pa.__all__)
def test_public_names_stay_importable_from_the_top(name: str) -> None:
    assert getattr(pa, name) is not None
