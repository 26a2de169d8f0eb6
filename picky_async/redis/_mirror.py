"""The opted-out numbers of a shared safety store, mirrored in this process.

A daemon thread follows the store's change channel. It subscribes first,
then reads the version and the numbers in one transaction, then applies
only the changes above that version: no change is missed or applied twice,
and each number's changes apply in their order. When the subscription
breaks, lookups answer from the mirror as it was while the thread
resubscribes and reloads, pausing 0.1 s and doubling up to 5 s between tries.
A subscription can also die without a word (a connection dropped on the way,
never reset): every few seconds the thread reads the store's version, and
when the mirror has not reached the version read at the check before, a
change was published and never arrived, so it resubscribes and reloads.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Iterable

import redis
import redis.client
import redis.exceptions

from ._safety_keys import SafetyKeys

__all__ = ["Mirror"]

_log = logging.getLogger("picky_async.redis")

_FIRST_PAUSE = 0.1
_MAX_PAUSE = 5.0
_WAKE = 0.1  # how often the thread looks whether the store is closing
_SUBSCRIBE_TIMEOUT = 5.0
_CHECK_EVERY = 5.0  # seconds between two checks that no published change went missing
_RELOAD_AFTER = 10_000  # changes remembered since the snapshot before a check reloads it
_UNANSWERED = (redis.exceptions.RedisError, OSError)


class Mirror:
    """The numbers, here: lookups cost a lock and a set lookup, never a round trip.

    ``client`` must not retry on its own (redis-py would then resubscribe
    without the reload that catches up with what changed meanwhile).

    Raises:
        redis.exceptions.RedisError: when Redis does not answer the first load.
    """

    def __init__(self, client: redis.Redis, keys: SafetyKeys) -> None:
        self._client = client
        self._keys = keys
        self._lock = threading.Lock()
        self._numbers: set[str] = set()
        self._snapshot = 0  # the version the numbers were loaded at
        self._latest = 0  # the latest version loaded or applied
        self._changed: dict[str, tuple[int, bool]] = {}  # since: number -> version, opted out
        self._closing = threading.Event()
        pubsub = self._subscribe()
        self._thread = threading.Thread(
            target=self._follow, args=(pubsub,), name="picky-optouts-mirror", daemon=True
        )
        self._thread.start()

    def __contains__(self, number: str) -> bool:
        """Whether ``number`` is in the mirror.

        Raises:
            RuntimeError: once closed: it would answer from a copy no longer kept.
        """
        if self._closing.is_set():
            raise RuntimeError("the opt-out store is closed")
        with self._lock:
            return number in self._numbers

    def apply(self, version: int, number: str, *, opted_out: bool) -> None:
        """Take one change, unless the mirror already holds it or a later one of ``number``."""
        with self._lock:
            self._apply(version, number, opted_out)

    def close(self) -> None:
        """Stop following the changes; lookups answer from the mirror as it is."""
        self._closing.set()
        self._thread.join()

    def _apply(self, version: int, number: str, opted_out: bool) -> None:
        self._latest = max(self._latest, version)
        known, _ = self._changed.get(number, (self._snapshot, opted_out))
        if version > max(known, self._snapshot):
            self._changed[number] = (version, opted_out)
            if opted_out:
                self._numbers.add(number)
            else:
                self._numbers.discard(number)

    def _load(self, version: int, numbers: Iterable[str]) -> None:
        """Replace the mirror with a snapshot, keeping any change already applied after it."""
        with self._lock:
            later = [(v, n, out) for n, (v, out) in self._changed.items() if v > version]
            self._numbers, self._snapshot, self._changed = set(numbers), version, {}
            self._latest = max(self._latest, version)
            for change in later:
                self._apply(*change)

    def _subscribe(self) -> redis.client.PubSub:
        """Subscribe to the changes, then load the snapshot they follow."""
        pubsub: redis.client.PubSub = self._client.pubsub()  # type: ignore[no-untyped-call]
        try:
            pubsub.subscribe(self._keys.changes)
            _confirmed(pubsub)
            self._reload()
        except BaseException:
            pubsub.close()
            raise
        return pubsub

    def _reload(self) -> None:
        """Load the version and the numbers in one transaction (subscribed already)."""
        with self._client.pipeline(transaction=True) as pipe:
            pipe.get(self._keys.version)
            pipe.hkeys(self._keys.numbers)
            version, numbers = pipe.execute()
        self._load(int(version or 0), numbers)

    def _follow(self, pubsub: redis.client.PubSub | None) -> None:
        pause = _FIRST_PAUSE
        lost = False
        expected, next_check = 0, time.monotonic() + _CHECK_EVERY
        while not self._closing.is_set():
            try:
                if pubsub is None:
                    pubsub = self._subscribe()
                    _log.warning("opt-outs: following Redis's changes again")
                    lost, pause = False, _FIRST_PAUSE
                    expected = 0
                if time.monotonic() >= next_check:
                    expected = self._checked(expected)
                    next_check = time.monotonic() + _CHECK_EVERY
                message = pubsub.get_message(timeout=_WAKE)
            except _UNANSWERED as error:
                if pubsub is not None:
                    _closed(pubsub)
                    pubsub = None
                if not lost:
                    lost = True
                    _log.warning(
                        "opt-outs: lost Redis's changes (%s: %s); lookups answer from this"
                        " process's copy until they are back",
                        type(error).__name__,
                        error,
                    )
                self._closing.wait(pause)
                pause = min(_MAX_PAUSE, pause * 2)
                continue
            if message is not None and message["type"] == "message":
                self._take(message["data"])
        if pubsub is not None:
            _closed(pubsub)

    def _checked(self, expected: int) -> int:
        """The store's version now, once the mirror is known to have reached ``expected``
        (the version at the check before); a fresh snapshot first when the changes
        remembered since the last one pile up.

        Raises:
            redis.exceptions.ConnectionError: when it has not: a published change
                never arrived, so the subscription is as good as lost.
        """
        with self._lock:
            latest, remembered = self._latest, len(self._changed)
        if latest < expected:
            raise redis.exceptions.ConnectionError(
                f"changes up to version {expected} were published but never arrived"
            )
        if remembered > _RELOAD_AFTER:  # each change's version is kept until a snapshot
            self._reload()
        return int(self._client.get(self._keys.version) or 0)

    def _take(self, data: str) -> None:
        """Apply a published change: ``"version add|remove number"``."""
        version, operation, number = data.split(" ")
        self.apply(int(version), number, opted_out=operation == "add")


def _confirmed(pubsub: redis.client.PubSub) -> None:
    """Wait until Redis confirms the subscription: from then on, no change is missed."""
    deadline = time.monotonic() + _SUBSCRIBE_TIMEOUT
    while (left := deadline - time.monotonic()) > 0:
        message = pubsub.get_message(timeout=left)
        if message is not None and message["type"] == "subscribe":
            return
    raise redis.exceptions.TimeoutError("Redis did not confirm the subscription to opt-out changes")


def _closed(pubsub: redis.client.PubSub) -> None:
    with contextlib.suppress(*_UNANSWERED):
        pubsub.close()
