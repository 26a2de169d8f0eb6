"""How messages enter the dispatcher: checked, queued as runs, and one wake per loop turn.

Every call that queues messages (``send``, ``submit``, a stream's chunks)
goes through :class:`Intake`. The scheduler needs one turn for all the
messages that arrived in the same iteration of the event loop, so the first
of them asks for that turn with one ``call_soon`` and the others find it
asked for: a burst of a thousand ``submit()`` calls costs one wake, not a
thousand.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from ..core import Application, EmptyMessage, Message, Priority
from ._errors import DispatcherClosed
from ._runs import Run, Span, cut
from ._scheduler import Scheduler

__all__ = ["Intake", "checked"]


class Intake:
    """Queues runs for the scheduler, and knows when the dispatcher takes no more.

    ``start`` starts the dispatcher's task if need be; it is called before
    each wake, so the first message queued starts everything. ``application``
    is the messages' own when a call names none.
    """

    __slots__ = ("_wake_asked", "application", "queue", "scheduler", "start")

    def __init__(
        self, scheduler: Scheduler, start: Callable[[], None], application: Application | int
    ) -> None:
        self.queue = scheduler.queue
        self.scheduler = scheduler
        self.start = start
        self.application = application
        self._wake_asked = False

    @property
    def closing(self) -> bool:
        """Whether the dispatcher takes no more messages: the scheduler's own flag."""
        return self.scheduler.closing

    def options(
        self, priority: Priority | int, application: Application | int | None
    ) -> tuple[Priority, Application | int]:
        """What every message of one call shares: its priority and application."""
        if priority.__class__ is not Priority:  # a member as is: the enum's call costs a send 10 %
            priority = Priority(priority)
        return priority, self.application if application is None else application

    def enter(
        self, message: Message, priority: Priority | int, application: Application | int | None
    ) -> Run:
        """Screen one message, queue it (``send``, ``submit``) and return its run.

        A full queue is refused before screening, so a call that queues
        nothing takes nothing from a daily limit (a cold-contact count).

        Raises:
            asyncio.QueueFull: when ``max_pending`` messages already wait.
            DispatcherClosed: once closing.
            EmptyMessage: for a message with neither text nor media.
            OptedOut, Duplicate, CapReached: as screening and the caps refuse it.
        """
        loop = asyncio.get_running_loop()  # raises outside a running loop
        if not self.closing and self.queue.full():
            raise asyncio.QueueFull
        options = self.options(priority, application)
        scheduler = self.scheduler
        if scheduler.screening is not None:
            scheduler.screening.check(message)
        if scheduler.caps is not None:
            scheduler.caps.check(loop.time())
        run = Run(checked([message]), *options, loop=loop, one=True)
        self.put(run)
        return run

    def put(self, run: Run, parts: list[tuple[int, int]] | None = None) -> None:
        """Queue ``run``'s messages (or its ``parts``, start to stop) and ask for a scheduler turn.

        Raises:
            DispatcherClosed: once closing; nothing is queued then.
            asyncio.QueueFull: when its messages do not all fit under ``max_pending``.
        """
        if self.closing:
            raise DispatcherClosed("the dispatcher is closed", messages=run.messages)
        scheduler = self.scheduler
        if len(run.messages) == 1 and parts is None and not scheduler.sticky:
            self.queue.put(Span(run, 0, 1))  # a single send: nothing to cut
        else:
            lane_for = scheduler.lane_for if scheduler.sticky else None
            parts = [(0, len(run.messages))] if parts is None else parts
            spans = [span for start, stop in parts for span in cut(run, start, stop, lane_for)]
            if not spans:
                return  # nothing of it is to be sent
            self.queue.put_many(spans)
        self.kick()

    def kick(self) -> None:
        """Ask for a scheduler turn once the calls of this loop iteration are done."""
        if not self._wake_asked:
            self._wake_asked = True
            asyncio.get_running_loop().call_soon(self._wake)

    def _wake(self) -> None:
        self._wake_asked = False
        self.start()
        self.scheduler.wake()

    def room(self) -> int:
        """How many new messages the queue takes now."""
        return self.queue.room()

    async def wait_for_room(self) -> None:
        """Wait until the queue has room, or the dispatcher is closing."""
        while self.queue.full() and not self.closing:
            await self.queue.wait_for_room()


def checked(messages: list[Message]) -> list[Message]:
    """``messages``, once each is known to have text or media.

    Raises:
        EmptyMessage: for the first one with neither.
    """
    for message in messages:
        if not message.text and message.media is None:
            raise EmptyMessage(f"the message to {message.number} has neither text nor media")
    return messages
