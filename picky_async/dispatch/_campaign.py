"""``send_many``: a campaign's results gathered in its order, and its close accounted for.

A campaign goes through the dispatcher as a :class:`~._feed.Feed`, as a
stream does, but its caller wants one list at the end, so the settled
stretches are copied into place by slices instead of becoming an outcome
each. Whatever the dispatcher's close left unsent is reported to the caller
as one error.
"""

from __future__ import annotations

from itertools import repeat
from typing import cast

from ..core import Message
from ._errors import DispatcherClosed
from ._feed import Feed
from ._receipt import Receipt
from ._runs import Result

__all__ = ["gather_campaign"]


async def gather_campaign(
    feed: Feed, *, return_exceptions: bool
) -> list[Receipt] | list[Receipt | BaseException]:
    """Every result of ``feed``'s campaign, in its order; see ``Dispatcher.send_many``.

    Raises:
        DispatcherClosed: without ``return_exceptions``, when the dispatcher
            closed before the whole campaign was sent.
        PickyError: the first failure, without ``return_exceptions``.
        EmptyMessage, BaseException: from reading the campaign, or when
            cancelled; the messages not yet in a push are withdrawn first.
    """
    results: list[Result] = []
    closed: list[tuple[int, Message, DispatcherClosed]] = []
    failed = False
    try:
        while (stretches := await feed.next()) is not None:
            for run, start, stop in stretches:
                first = run.first
                if len(results) < first + stop:
                    results += repeat(None, first + stop - len(results))
                results[first + start : first + stop] = run.results[start:stop]
                if run.failed:  # the usual case skips looking at each result
                    failed = True
                    closed += _closed(run.messages, run.results, first, start, stop)
    except BaseException:
        feed.withdraw()
        raise
    if closed:
        error = _campaign_closed(closed)
        if not return_exceptions:
            raise error
        results = [error if isinstance(r, DispatcherClosed) else r for r in results]
    elif failed and not return_exceptions:
        raise next(r for r in results if isinstance(r, BaseException))
    return cast("list[Receipt | BaseException]", results)


def _closed(
    messages: list[Message], results: list[Result], first: int, start: int, stop: int
) -> list[tuple[int, Message, DispatcherClosed]]:
    """The messages ``start`` to ``stop`` of a run that a close left unsent, with their place."""
    return [
        (first + at, messages[at], result)
        for at in range(start, stop)
        if isinstance(result := results[at], DispatcherClosed)
    ]


def _campaign_closed(closed: list[tuple[int, Message, DispatcherClosed]]) -> DispatcherClosed:
    """One error listing, in the campaign's order, every message a close left unsent."""
    closed.sort(key=lambda item: item[0])
    unsent = [message for _, message, _ in closed]
    error = DispatcherClosed(
        f"closed with {len(unsent)} of the campaign's messages unsent", messages=unsent
    )
    error.__cause__ = next((e.__cause__ for _, _, e in closed if e.__cause__), None)
    return error
