"""What ``Dispatcher.send`` returns once the service accepted a message."""

from __future__ import annotations

from collections.abc import Sequence

import attrs

from .._enums import Priority

__all__ = ["Receipt", "match_pairs"]


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


def match_pairs(numbers: Sequence[str], answered: Sequence[tuple[str, str]]) -> list[str | None]:
    """The ``msg_id`` the answer's ``(number, msg_id)`` pairs give each pushed number.

    ``None`` where the answer gave none (older accounts give no pairs at all).

    By position when the answer lists the numbers in the order pushed (the
    usual case), else by number, the n-th answer for a number going to its
    n-th message.
    """
    if len(answered) == len(numbers) and all(
        pair[0] == n for pair, n in zip(answered, numbers, strict=True)
    ):
        return [msg_id for _, msg_id in answered]
    by_number: dict[str, list[str]] = {}
    for number, msg_id in reversed(answered):
        by_number.setdefault(number, []).append(msg_id)
    return [ids.pop() if (ids := by_number.get(n)) else None for n in numbers]
