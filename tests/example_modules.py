"""The repository's examples, loaded as modules so tests can run their ``main``."""

from __future__ import annotations

import importlib.util
import pathlib
from types import ModuleType

EXAMPLES = pathlib.Path(__file__).parent.parent / "examples"


def load_example(name: str) -> ModuleType:
    """``examples/<name>.py`` as a fresh module, without running its ``__main__`` part."""
    spec = importlib.util.spec_from_file_location(name, EXAMPLES / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
