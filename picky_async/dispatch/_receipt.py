"""What ``Dispatcher.send`` returns once the service accepted a message."""

from __future__ import annotations

import attrs

from .._enums import Priority

__all__ = ["Receipt"]


@attrs.frozen
class Receipt:
    """Proof that the service accepted one message and queued it for a phone.

    ``push_id`` names the push that carried it, ``msg_id`` the message when the
    service's answer listed recipients (``None`` otherwise), and ``project`` the
    name of the project whose phone sends it. Acceptance is not delivery: the
    phone sends it later.
    """

    push_id: str
    msg_id: str | None
    project: str
    number: str
    priority: Priority
