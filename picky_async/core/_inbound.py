"""Inbound messages: what the phone received, as the webhook delivers it."""

from __future__ import annotations

from collections.abc import Mapping

import attrs

from ._enums import Application, MessageType

__all__ = ["InboundMessage"]

_GROUP_SEPARATOR = " @"


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
