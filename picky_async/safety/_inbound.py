"""Applying an inbound message to a safety store: its sender wrote, and maybe a keyword."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Protocol

from ..core import InboundMessage, InvalidNumber, normalize_number
from ._keywords import KeywordAction

__all__ = ["KeywordStore", "record_inbound"]

_log = logging.getLogger("picky_async.safety")


class KeywordStore(Protocol):
    """What a keyword does to a store: stop adds the sender, start removes it."""

    def keyword_action(self, text: str) -> KeywordAction | None: ...

    def add(self, number: str | int, *, reason: str = "") -> bool: ...

    def remove(self, number: str | int) -> bool: ...


def record_inbound(
    store: KeywordStore, inbound: InboundMessage, note_wrote: Callable[[str], None]
) -> KeywordAction | None:
    """``note_wrote`` the sender's number, then apply the message's keyword to it;
    the action applied, as ``SafetyStore.record`` promises.

    Nothing for a group's message (a STOP there is said to the group) or a
    sender that is not a number (a saved contact's name: logged as a warning
    when it was a keyword, since the opt-out is lost).
    """
    if inbound.is_group:
        return None
    action = store.keyword_action(inbound.message)
    try:
        number = normalize_number(inbound.number)
    except InvalidNumber:
        if action is not None:
            _log.warning(
                "cannot apply the %s keyword of inbound message %s: the sender is not a"
                " number (a saved contact?)",
                action,
                inbound.unique_id,
            )
        return None
    note_wrote(number)
    if action is None:
        return None
    if action == "stop":
        store.add(number, reason=inbound.message.strip())
    else:
        store.remove(number)
    _log.info("inbound message %s: %s keyword applied", inbound.unique_id, action)
    return action
