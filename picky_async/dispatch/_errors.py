"""Errors only the dispatcher raises: they carry the messages it owed an answer for."""

from __future__ import annotations

from collections.abc import Sequence

from ..core import Message, PickyError

__all__ = ["DispatcherClosed"]


class DispatcherClosed(PickyError):
    """The dispatcher closed before these messages were pushed.

    ``messages`` holds the :class:`~picky_async.Message` objects never sent, so
    the caller can keep them for later.
    """

    def __init__(self, message: str, *, messages: Sequence[Message] = ()) -> None:
        super().__init__(message)
        self.messages = tuple(messages)
