"""What ``Dispatcher.send`` returns once the service accepted a message."""

from __future__ import annotations

from collections.abc import Sequence

import attrs

from .._enums import Priority
from .._models import PushResult

__all__ = ["Receipt", "match_msg_ids"]


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


def match_msg_ids(numbers: Sequence[str], result: PushResult) -> list[str | None]:
    """The ``msg_id`` the answer gave each pushed number, ``None`` where it gave none.

    By position when the answer lists the numbers in the order pushed (the
    usual case), else by number, the n-th answer for a number going to its
    n-th message.
    """
    recipients = result.recipients
    if len(recipients) == len(numbers) and all(
        r.number == n for r, n in zip(recipients, numbers, strict=True)
    ):
        return [r.msg_id for r in recipients]
    by_number: dict[str, list[str]] = {}
    for recipient in reversed(recipients):
        by_number.setdefault(recipient.number, []).append(recipient.msg_id)
    return [ids.pop() if (ids := by_number.get(n)) else None for n in numbers]
