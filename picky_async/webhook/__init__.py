"""Receiving: inbound messages from the webhook, and the instant replies to them."""

from __future__ import annotations

from ._handler import FORM, JSON, parse_webhook, webhook_handler
from ._reply import MAX_REPLY_DELAY, InstantReply

__all__ = ["FORM", "JSON", "MAX_REPLY_DELAY", "InstantReply", "parse_webhook", "webhook_handler"]
