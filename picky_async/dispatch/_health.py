"""Health: probing suspended phones, polling busy ones, and moving work off projects that go down.

A part of the scheduler with one concern: what it knows of each phone
between pushes. It asks ``device_status`` (once the project's ledger lets a
request leave, which a shared ledger may give to another process instead),
takes the phone's queue length and its coming back, and hands the messages
routed to a project that went down back to the queue for the others.
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Callable, Coroutine
from typing import Any

from ..core import PickyError
from ._ledger import Health
from ._pacing import poll_interval
from ._queue import PendingQueue
from ._router import Router
from ._sender import Sender

__all__ = ["HealthWatch"]

_log = logging.getLogger("picky_async.dispatch")

_NEVER = math.inf


class HealthWatch:
    """Keeps each project's health current for the scheduler.

    ``spawn`` runs a request in the scheduler's care; ``changed`` asks for a
    turn for a project whose state changed and for any project.
    """

    def __init__(
        self,
        queue: PendingQueue,
        router: Router,
        *,
        spawn: Callable[[Coroutine[Any, Any, None]], None],
        changed: Callable[[Sender], None],
    ) -> None:
        self.queue = queue
        self.router = router
        self._spawn = spawn
        self._changed = changed
        self.last_error: PickyError | None = None  # of the project last disabled
        self._reserving: set[asyncio.Task[None]] = set()  # asking the ledger to ask

    def went_down(self, sender: Sender) -> None:
        """A project went down: its routed messages go back for the others."""
        ledger = sender.ledger
        level = logging.WARNING
        if ledger.health is Health.DISABLED:
            self.last_error = ledger.last_error
            level = logging.ERROR  # it cannot send until someone acts
        _log.log(level, "project %s %s: %s", sender.name, ledger.health.value, ledger.last_error)
        routed = sender.accumulator.take_all()
        if routed:
            count = sum(map(len, routed))
            _log.debug("project %s: %d routed messages go to the others", sender.name, count)
        self.queue.requeue(routed)
        self.router.relane()

    def tend(self, sender: Sender, now: float) -> float:
        """Probe a suspended phone, or poll a busy one; return when that is next due."""
        ledger = sender.ledger
        if sender.asking or ledger.health is Health.DISABLED:
            return _NEVER
        if ledger.health is Health.SUSPENDED:
            due = ledger.resume_at
        elif sender.pushing is None and ledger.backlog(now) > 0:
            limit = sender.project.status_limit
            due = sender.polled_at + poll_interval(limit.count, limit.period)
        else:
            return _NEVER
        due = max(due, ledger.status_ready_at(now))
        if due > now:
            return due
        sender.asking = True
        self._spawn(self._ask_status(sender))
        return _NEVER

    def give_up_waiting(self) -> None:
        """Drop the device-status requests still waiting for a shared ledger (closing)."""
        for task in self._reserving:
            task.cancel()

    async def _ask_status(self, sender: Sender) -> None:
        ledger = sender.ledger
        health = ledger.health
        task = asyncio.current_task()
        assert task is not None
        try:
            self._reserving.add(task)
            try:
                granted = await ledger.reserve_status(probe=health is Health.SUSPENDED) is None
            finally:
                self._reserving.discard(task)
            if granted:
                await self._status_request(sender)
            elif ledger.health is not health:  # another process saw it go or come back
                self._health_changed(sender)
        finally:
            sender.asking = False
            self._changed(sender)

    def _health_changed(self, sender: Sender) -> None:
        """Another process found the project down, or back: act as if we had."""
        if sender.ledger.health is Health.HEALTHY:
            _log.info("project %s is back: another process's probe found its phone", sender.name)
            self.router.relane()
        else:
            self.went_down(sender)

    async def _status_request(self, sender: Sender) -> None:
        assert sender.pusher is not None
        seq = sender.push_seq
        loop = asyncio.get_running_loop()
        try:
            status = await sender.pusher.device_status()
        except Exception as error:  # a custom pusher may raise anything
            if sender.status_failed(error, loop.time()):
                self.went_down(sender)
            else:
                _log.debug("project %s: device status failed: %r", sender.name, error)
        else:
            if sender.status_answered(status, seq, loop.time()):
                _log.info("project %s is back: a probe found its phone", sender.name)
                self.router.relane()
        finally:
            sender.polled_at = loop.time()
            sender.ledger.record_status(sender.polled_at)
