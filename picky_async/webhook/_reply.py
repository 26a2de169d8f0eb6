"""The instant reply: the answer to a webhook, which the phone sends back at once."""

from __future__ import annotations

import json
from typing import Any

import attrs

from ..core import Application, EmptyMessage
from ..wire import converter
from ..wire._inbound import reply_body

__all__ = ["MAX_REPLY_DELAY", "InstantReply"]

MAX_REPLY_DELAY = 3600
"""The longest delay, in seconds, the service accepts for an instant reply."""


def _check_delay(_: object, __: object, delay: int) -> None:
    if isinstance(delay, bool) or not isinstance(delay, int) or not 0 <= delay <= MAX_REPLY_DELAY:
        raise ValueError(f"delay must be whole seconds from 0 to {MAX_REPLY_DELAY}, got {delay!r}")


def _check_application(_: object, __: object, application: Application | int) -> None:
    if isinstance(application, bool) or application not in (0, 1, 2, 3):
        raise ValueError(
            "application must be 0 (reply through the inbound one), 1 (WhatsApp),"
            f" 2 (WhatsApp Business) or 3 (SMS), got {application!r}"
        )


@attrs.frozen
class InstantReply:
    """A reply the webhook answers with, which the phone sends back at once.

    Much faster than a push for answering a message. ``delay`` postpones it by
    0-3600 whole seconds; ``application=0`` replies through the app the message
    came in on. With ``media_url`` the text is the caption (for SMS the service
    appends the URL to the text).

    Attributes:
        text: The reply; with ``media_url``, its caption.
        delay: How long the service waits before sending it, in whole seconds (0-3600).
        media_url: A public URL of the media to send, or ``None``.
        application: The app to reply through: 0 (the one the message came
            in on), 1 (WhatsApp), 2 (WhatsApp Business) or 3 (SMS).

    Raises:
        ValueError: for a delay or application out of range.
        EmptyMessage: (also a ``ValueError``) when there is neither text nor media.
    """

    text: str = ""
    delay: int = attrs.field(default=0, validator=_check_delay, kw_only=True)
    media_url: str | None = attrs.field(default=None, kw_only=True)
    application: Application | int = attrs.field(
        default=0, validator=_check_application, kw_only=True
    )

    def __attrs_post_init__(self) -> None:
        if not self.text.strip() and not self.media_url:
            raise EmptyMessage("an instant reply needs a text or a media_url")

    def to_dict(self) -> dict[str, Any]:
        """The JSON object to answer the webhook with, in the document's spelling."""
        return reply_body(
            self.text, delay=self.delay, media_url=self.media_url, application=self.application
        )

    def to_json(self) -> str:
        """:meth:`to_dict` as JSON text, the body of the webhook's answer."""
        return json.dumps(self.to_dict(), ensure_ascii=False)


converter.register_unstructure_hook(InstantReply, InstantReply.to_dict)
