"""Helpers for the webhook tests of every adapter."""

from __future__ import annotations

import importlib.util
import pathlib
from types import ModuleType

import picky_async as pa

EXAMPLES = pathlib.Path(__file__).parent.parent / "examples"


class Recorder:
    """A callback that remembers what it got and answers a fixed reply."""

    def __init__(self, reply: pa.InstantReply | None = None) -> None:
        self.reply = reply
        self.received: list[pa.InboundMessage] = []

    async def __call__(self, inbound: pa.InboundMessage) -> pa.InstantReply | None:
        self.received.append(inbound)
        return self.reply


def load_example(name: str) -> ModuleType:
    """``examples/<name>.py`` as a module, loaded from its file (examples are no package)."""
    spec = importlib.util.spec_from_file_location(name, EXAMPLES / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
