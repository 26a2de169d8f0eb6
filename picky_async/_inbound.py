"""Inbound messages from the webhook, and the instant reply a webhook may answer."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from ._enums import Application, MessageType
from ._errors import EmptyMessage, PickyError

__all__ = ["MAX_REPLY_DELAY", "InboundMessage", "InstantReply", "WebhookError"]

MAX_REPLY_DELAY = 3600
"""The longest delay, in seconds, the service accepts for an instant reply."""

_GROUP_SEPARATOR = " @"


class WebhookError(PickyError, ValueError):
    """A webhook body that cannot be read as an inbound message; the text says why."""


@attrs.frozen
class InboundMessage:
    """One message, call or event the phone received, as the webhook delivers it.

    ``number`` is the sender's number, or the contact name when the phone has
    the sender saved, or ``"Group Name @Sender"`` for a WhatsApp group (see
    :attr:`is_group`). ``application`` and ``type`` keep values the enums lack
    as plain ints, and are ``None`` when the body did not say. ``extra`` holds
    the custom variables configured on the webhook URL.
    """

    number: str
    message: str = ""
    application: Application | int | None = None
    type: MessageType | int | None = None
    media_url: str | None = None
    unique_id: str | None = None
    project_id: str | None = None
    extra: Mapping[str, str] = attrs.field(factory=dict, hash=False)

    @property
    def is_group(self) -> bool:
        """Whether the message came from a WhatsApp group."""
        return self._group_parts() is not None

    @property
    def group_name(self) -> str | None:
        """The group's name, or ``None`` when this is not a group message."""
        parts = self._group_parts()
        return None if parts is None else parts[0]

    @property
    def sender(self) -> str | None:
        """Who wrote in the group (name or number), or ``None`` outside groups."""
        parts = self._group_parts()
        return None if parts is None else parts[1]

    def _group_parts(self) -> tuple[str, str] | None:
        # The last " @" splits, since group names may contain one ("Cafe @ Home @Ann").
        group, separator, sender = self.number.rpartition(_GROUP_SEPARATOR)
        if not separator or not group.strip() or not sender.strip():
            return None
        return group.strip(), sender.strip()


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

    Raises ``ValueError`` for a delay or application out of range, and
    :class:`~picky_async.EmptyMessage` (also a ``ValueError``) when there is
    neither text nor media.
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

    def to_json(self) -> dict[str, Any]:
        """The JSON object to answer the webhook with, in the document's spelling."""
        # The wire layer imports these models, so it is imported when first needed.
        from .wire._inbound import reply_to_json

        return reply_to_json(self)
