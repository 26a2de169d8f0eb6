"""A message's key in a journal: the one it was given, or a short hash of what it says."""

from __future__ import annotations

import hashlib

from ..core import Message

__all__ = ["message_key"]


def message_key(message: Message) -> str:
    """``message.key``, else 16 hex digits hashed from its number, text and media.

    The same message makes the same key in every run, so a rerun finds it;
    a message whose text changed is a new message.
    """
    if message.key is not None:
        return message.key
    said = f"{message.number}\x00{message.text}\x00{message.media or ''}"
    return hashlib.blake2b(said.encode(), digest_size=8).hexdigest()
