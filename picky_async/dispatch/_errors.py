"""Errors only the dispatcher raises: they carry the messages it owed an answer for."""

from __future__ import annotations

import copy
from collections.abc import Sequence

from ..core import Message, PickyError

__all__ = ["DispatcherClosed", "own_copy"]


class DispatcherClosed(PickyError):
    """The dispatcher closed before these messages were pushed.

    ``messages`` holds the :class:`~picky_async.Message` objects never sent, so
    the caller can keep them for later.
    """

    def __init__(self, message: str, *, messages: Sequence[Message] = ()) -> None:
        super().__init__(message)
        self.messages = tuple(messages)


def own_copy(error: BaseException) -> BaseException:
    """A copy of ``error`` for one more caller, with the same cause.

    Callers who share one exception object share its ``__traceback__``, which
    each ``raise`` extends, and whatever one of them attaches to it. The
    library's errors copy intact; another exception that cannot be copied
    (a custom pusher's) is shared as it is.
    """
    try:
        mine = copy.copy(error)
    except Exception:
        return error
    mine.__cause__ = error.__cause__
    return mine
