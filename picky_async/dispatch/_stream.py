"""``Dispatcher.stream``: a campaign of any size, one :class:`Outcome` per message as it settles."""

from __future__ import annotations

import functools
from collections.abc import AsyncGenerator
from typing import NamedTuple

from ..core import Application, Message, Priority
from ..journal import Journal
from ._feed import Feed, Messages
from ._intake import Intake
from ._receipt import Receipt

__all__ = ["Outcome", "outcomes"]


class Outcome(NamedTuple):
    """What became of one message of a :meth:`~picky_async.Dispatcher.stream`.

    ``index`` is the message's position in the stream's input, ``message``
    the message itself; exactly one of ``receipt`` (the service accepted it)
    and ``error`` (why it was not sent, or
    :class:`~picky_async.DeliveryUncertain` when its push got no answer) is
    not ``None``. ``resumed`` is true when the outcome comes from a
    :class:`~picky_async.Journal`'s earlier run instead of this one: a
    receipt rebuilt from it (not sent again), or a ``DeliveryUncertain``
    for a message an earlier run may have sent.
    """

    index: int  # type: ignore[assignment]  # the position, as asked; tuple.index is shadowed
    message: Message
    receipt: Receipt | None
    error: BaseException | None
    resumed: bool = False

    @property
    def ok(self) -> bool:
        """Whether the service accepted the message."""
        return self.error is None


_new_outcome = functools.partial(tuple.__new__, Outcome)  # Outcome(*fields), built in C


async def outcomes(
    intake: Intake,
    messages: Messages,
    priority: Priority,
    application: Application | int,
    *,
    journal: Journal | None = None,
    resend_uncertain: bool = False,
) -> AsyncGenerator[Outcome, None]:
    """Feed ``messages`` to ``intake``, yielding each one's outcome as it settles.

    Whatever ends the iteration early (``break``, ``aclose()``, cancellation,
    an error) withdraws the messages not yet in a push.

    Raises:
        EmptyMessage: for a message with neither text nor media.
        Exception: whatever reading ``messages`` raised.
    """
    feed = Feed(
        intake, messages, priority, application, journal=journal, resend_uncertain=resend_uncertain
    )
    try:
        while (stretches := await feed.next()) is not None:
            for run, start, stop in stretches:
                first, sent, results = run.first, run.messages, run.results
                resumed = run.journal is not None and start in run.journal.resumed
                for at in range(start, stop):
                    result = results[at]
                    if isinstance(result, BaseException):
                        yield _new_outcome((first + at, sent[at], None, result, resumed))
                    else:
                        yield _new_outcome((first + at, sent[at], result, None, resumed))
    finally:
        feed.withdraw()
