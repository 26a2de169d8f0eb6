"""What ``Dispatcher.send`` returns once the service accepted a message."""

from __future__ import annotations

from typing import NamedTuple

from ..core import Priority

__all__ = ["Receipt"]


class Receipt(NamedTuple):
    """Proof that the service accepted one message and queued it for a phone.

    ``push_id`` names the push that carried it, ``msg_id`` the message when the
    service's answer listed recipients (``None`` otherwise), and ``project`` the
    name of the project whose phone sends it. Acceptance is not delivery: the
    phone sends it later.

    A named tuple rather than an attrs class, unlike the other models: a
    campaign makes one per message, and a tuple is built in C, three times
    faster (it is immutable all the same).
    """

    push_id: str
    msg_id: str | None
    project: str
    number: str
    priority: Priority
