"""RedisOptOuts: the safety store in Redis, shared by every process and host that reaches it."""

from __future__ import annotations

import datetime
import time
from collections.abc import Iterable, Sequence
from types import TracebackType
from typing import cast

import redis
import redis.backoff
import redis.exceptions
import redis.retry

from ..core import InboundMessage, normalize_number
from ..safety._csv import CsvSource, Row, read_rows, timestamp, write_rows
from ..safety._inbound import record_inbound
from ..safety._keywords import KeywordAction, Keywords
from ..safety._store import KEEP_KEYS, keep_seconds
from ._mirror import Mirror
from ._safety_keys import safety_keys
from ._safety_scripts import ADD, GIVE_BACK_DAILY, REMOVE, TAKE_DAILY
from ._urls import check_url, shown

__all__ = ["RedisOptOuts"]

_KEEP_DAYS = 3 * 86_400  # seconds a day's tally outlives its last change: past any time zone


class RedisOptOuts:
    """The numbers that opted out, in Redis: shared by every process on the same
    Redis and ``namespace``, on any host.

    ::

        opt_outs = RedisOptOuts("redis://127.0.0.1:6379/0", namespace="shop")
        async with pa.Dispatcher(projects, opt_outs=opt_outs) as d: ...

    It offers what :class:`~picky_async.OptOuts` offers, with the same
    promises (numbers normalized, the first record of a number kept, CSV
    import all or none), and is a :class:`~picky_async.safety.SafetyStore`.

    Lookups (``number in opt_outs``, made for every message, twice) never wait
    for Redis: they read this process's copy of the numbers, loaded when it is
    built and kept current by a thread that follows Redis's change channel. A
    change made by another process arrives within Redis's publish latency
    (about a millisecond on a LAN); this process's own changes apply at once.
    While the channel is lost (Redis down or unreachable), lookups answer from
    the last copy, and the thread reloads it when Redis is back; the loss and
    the recovery are logged once each on the ``picky_async.redis`` logger.
    (A Dispatcher's :class:`RedisLedger` holds every push while Redis does not
    answer anyway.)

    Every other call is one round trip, and raises redis-py's
    ``ConnectionError`` while Redis does not answer. Daily tallies are taken
    by an atomic script, so processes together never count past a limit;
    they expire three days after their last change. The keys of sent
    messages expire ``keep_keys`` after being recorded (default 7 days):
    keep it longer than the Dispatcher's ``repeat_window``.

    Message keys and tally names reach Redis only as hashes (numbers are
    stored as they are, for :meth:`export_csv`); the store never sees a
    token. ``stop_words`` and ``start_words`` add keywords, as for
    :class:`~picky_async.OptOuts`. Safe to share between threads. Close it
    (or use ``with``) when done.

    Raises:
        ValueError: for a URL that is not ``redis://``, ``rediss://`` or
            ``unix://``, an empty namespace, a ``keep_keys`` that is not
            positive, or a bad keyword (blank, or both a stop and a start word).
        TypeError: for keywords given as one string instead of a list.
        ConnectionError: when Redis does not answer at construction, naming
            the URL without its password.
    """

    def __init__(
        self,
        url: str = "redis://127.0.0.1:6379/0",
        *,
        namespace: str = "picky",
        stop_words: Iterable[str] = (),
        start_words: Iterable[str] = (),
        keep_keys: float | datetime.timedelta = KEEP_KEYS,
    ) -> None:
        check_url(url)
        if not namespace:
            raise ValueError("namespace must not be empty")
        self.keep_keys = keep_seconds(keep_keys)
        """How long a sent key is kept, in seconds."""
        self._keywords = Keywords(stop_words, start_words)
        self._url = url
        self._namespace = namespace
        self._keep_ms = max(round(self.keep_keys * 1000), 1)
        self._keys = safety_keys(namespace)
        # No retries of its own: the mirror must see each broken subscription.
        self._client = redis.Redis.from_url(
            url,
            decode_responses=True,
            socket_timeout=5.0,
            socket_connect_timeout=2.0,
            retry=redis.retry.Retry(redis.backoff.NoBackoff(), 0),
        )
        self._add = self._client.register_script(ADD)
        self._remove = self._client.register_script(REMOVE)
        self._take_daily = self._client.register_script(TAKE_DAILY)
        self._give_back_daily = self._client.register_script(GIVE_BACK_DAILY)
        try:
            self._mirror = Mirror(self._client, self._keys)
        except (redis.exceptions.RedisError, OSError) as error:
            self._client.close()
            raise ConnectionError(
                f"the opt-out store cannot reach Redis at {shown(url)}: {error}"
            ) from error

    def __repr__(self) -> str:
        return f"<RedisOptOuts {shown(self._url)} namespace={self._namespace!r}>"

    def __contains__(self, number: object) -> bool:
        """Whether ``number`` opted out, from this process's copy: no round trip.

        Raises:
            InvalidNumber: for a number :func:`~picky_async.normalize_number` refuses.
            RuntimeError: once the store is closed.
        """
        # normalize_number refuses non-numbers itself
        return normalize_number(number) in self._mirror  # type: ignore[arg-type]

    def __len__(self) -> int:
        """How many numbers opted out, as Redis counts them now."""
        return int(self._client.hlen(self._keys.numbers))

    def add(self, number: str | int, *, reason: str = "") -> bool:
        """Record that ``number`` opted out; ``False`` when it already had (its first record stays).

        Raises:
            InvalidNumber: for a number :func:`~picky_async.normalize_number` refuses.
        """
        return self._add_rows([(normalize_number(number), timestamp(), reason)]) == 1

    def remove(self, number: str | int) -> bool:
        """Let ``number`` get messages again; ``False`` when it had not opted out.

        Raises:
            InvalidNumber: for a number :func:`~picky_async.normalize_number` refuses.
        """
        key = normalize_number(number)
        version = int(self._remove(keys=self._numbers_keys, args=[self._keys.changes, key]))
        if version:
            self._mirror.apply(version, key, opted_out=False)
        return version > 0

    def keyword_action(self, text: str) -> KeywordAction | None:
        """``"stop"`` or ``"start"`` when the whole ``text``, trimmed and case-folded, is
        such a keyword, else ``None``: "stop" opts out, "please stop" does not."""
        return self._keywords.action(text)

    def record(self, inbound: InboundMessage) -> KeywordAction | None:
        """Note that the sender wrote (see :meth:`wrote`), and apply the message's
        keyword to it: add on stop, remove on start.

        Returns the action applied; ``None`` for a group's message or a sender
        that is not a number, as :meth:`picky_async.OptOuts.record` says.
        """
        return record_inbound(self, inbound, self._note_wrote)

    def _note_wrote(self, number: str) -> None:
        self._client.sadd(self._keys.contacts, number)

    def wrote(self, number: str) -> bool:
        """Whether ``number`` ever wrote to us: an inbound message of it was :meth:`record` ed.

        Raises:
            InvalidNumber: for a number :func:`~picky_async.normalize_number` refuses.
        """
        return bool(self._client.sismember(self._keys.contacts, normalize_number(number)))

    def sent_at(self, key: str) -> float | None:
        """When a message with ``key`` was last accepted (POSIX seconds), or ``None``
        (also once ``keep_keys`` has passed since it was recorded)."""
        at = self._client.get(self._keys.sent(key))
        return None if at is None else float(at)

    def record_sent(self, keys: Iterable[str], *, at: float | None = None) -> None:
        """Record that messages with ``keys`` were accepted at ``at`` (default: now), at once."""
        moment = repr(time.time() if at is None else at)
        with self._client.pipeline(transaction=True) as pipe:
            for key in keys:
                pipe.set(self._keys.sent(key), moment, px=self._keep_ms)
            pipe.execute()

    def take_daily(self, tally: str, day: str, wanted: int, limit: int) -> int:
        """Count up to ``wanted`` more under ``tally`` on ``day`` without passing ``limit``;
        how many were counted. One script: processes together never pass the limit.
        """
        key = self._keys.daily(tally, day)
        return int(self._take_daily(keys=[key], args=[wanted, limit, _KEEP_DAYS]))

    def give_back_daily(self, tally: str, day: str, count: int) -> None:
        """Uncount ``count`` messages taken on ``day`` that were certainly not sent
        (never below zero)."""
        self._give_back_daily(keys=[self._keys.daily(tally, day)], args=[count, _KEEP_DAYS])

    def daily_count(self, tally: str, day: str) -> int:
        """How many messages are counted under ``tally`` on ``day``."""
        return int(self._client.get(self._keys.daily(tally, day)) or 0)

    def first_day(self, tally: str, today: str) -> str:
        """The day ``tally`` was first used; ``today`` is recorded as it when it never was."""
        key = self._keys.first_day(tally)
        with self._client.pipeline(transaction=True) as pipe:
            pipe.set(key, today, nx=True)
            pipe.get(key)
            _, day = pipe.execute()
        return str(day)

    def import_csv(self, source: CsvSource) -> int:
        """Add the numbers of a CSV with a ``number`` column (``opted_out_at`` and
        ``reason`` optional), all or none; the count of numbers new to the store.

        ``source`` is a path or an open text file.

        Raises:
            ValueError: for a CSV without a ``number`` column, or a time not in ISO 8601.
            InvalidNumber: for a bad number, naming its line; nothing is added then.
        """
        return self._add_rows(read_rows(source))

    def _add_rows(self, rows: Sequence[Row]) -> int:
        """Add every row in one script, mirror the new ones; how many were new."""
        args = [self._keys.changes]
        for number, opted_out_at, reason in rows:
            args += [number, f"{opted_out_at} {reason}"]
        added = self._add(keys=self._numbers_keys, args=args)
        for version, number in zip(added[::2], added[1::2], strict=True):
            self._mirror.apply(int(version), number, opted_out=True)
        return len(added) // 2

    @property
    def _numbers_keys(self) -> list[str]:
        return [self._keys.numbers, self._keys.version]

    def export_csv(self, target: CsvSource) -> int:
        """Write every opt-out as CSV (``number``, ``opted_out_at``, ``reason``),
        oldest first; the count written. ``target`` is a path or an open text file."""
        records = cast("dict[str, str]", self._client.hgetall(self._keys.numbers))
        rows = [_row(number, record) for number, record in records.items()]
        return write_rows(target, sorted(rows, key=lambda row: (row[1], row[0])))

    def close(self) -> None:
        """Stop following Redis's changes and disconnect."""
        self._mirror.close()
        self._client.close()

    def __enter__(self) -> RedisOptOuts:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


def _row(number: str, record: str) -> Row:
    """A stored opt-out from its hash field: the number, and "opted_out_at reason"."""
    opted_out_at, _, reason = record.partition(" ")
    return number, opted_out_at, reason
