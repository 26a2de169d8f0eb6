"""Receiving: inbound messages from the webhook, and the instant replies to them."""

from __future__ import annotations

from ._aiohttp import webhook_handler
from ._asgi import webhook_app
from ._parse import FORM, JSON, parse_webhook
from ._reply import MAX_REPLY_DELAY, InstantReply

__all__ = [
    "FORM",
    "JSON",
    "MAX_REPLY_DELAY",
    "InstantReply",
    "parse_webhook",
    "webhook_app",
    "webhook_handler",
]
