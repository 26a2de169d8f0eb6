"""Helpers for the webhook tests of every adapter."""

from __future__ import annotations

import picky_async as pa


class Recorder:
    """A callback that remembers what it got and answers a fixed reply."""

    def __init__(self, reply: pa.InstantReply | None = None) -> None:
        self.reply = reply
        self.received: list[pa.InboundMessage] = []

    async def __call__(self, inbound: pa.InboundMessage) -> pa.InstantReply | None:
        self.received.append(inbound)
        return self.reply
