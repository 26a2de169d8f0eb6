"""When to try a request again: a small policy object turned into tenacity settings."""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

import attrs
import tenacity

__all__ = ["RetryPolicy"]

_T = TypeVar("_T")

_log = logging.getLogger("picky_async.client")


def _at_least_one(_: object, attribute: attrs.Attribute[int], value: int) -> None:
    if value < 1:
        raise ValueError(f"{attribute.name} must be at least 1, got {value}")


@attrs.frozen
class RetryPolicy:
    """How often and how patiently to retry a request that certainly was not sent.

    The client retries only failures to connect (connection refused, DNS
    failure, connect timeout), never a request that may have reached the service.
    The n-th wait is ``wait_initial * 2**(n-1)`` capped at ``wait_max``, plus a
    random part of up to ``jitter * wait_initial`` so that many clients do not
    retry in step. ``RetryPolicy(wait_initial=0)`` retries without waiting (for
    tests); ``RetryPolicy(attempts=1)`` never retries.

    Raises:
        ValueError: for ``attempts`` below 1 or a negative wait.
    """

    attempts: int = attrs.field(default=3, validator=_at_least_one)
    wait_initial: float = attrs.field(default=0.5, validator=attrs.validators.ge(0))
    wait_max: float = attrs.field(default=5.0, validator=attrs.validators.ge(0))
    jitter: float = attrs.field(default=0.5, validator=attrs.validators.ge(0))

    def retrying(
        self, *, on: tuple[type[BaseException], ...], about: str = "a request"
    ) -> tenacity.AsyncRetrying:
        """Return tenacity settings that retry the exceptions ``on`` and re-raise the last.

        Each retry is logged at DEBUG on ``picky_async.client``, naming ``about``.
        """
        return tenacity.AsyncRetrying(
            stop=tenacity.stop_after_attempt(self.attempts),
            wait=tenacity.wait_exponential(multiplier=self.wait_initial, max=self.wait_max)
            + tenacity.wait_random(0, self.jitter * self.wait_initial),
            retry=tenacity.retry_if_exception_type(on),
            before_sleep=functools.partial(_log_retry, about, self.attempts),
            reraise=True,
        )

    async def call(
        self,
        fn: Callable[..., Awaitable[_T]],
        *args: object,
        on: tuple[type[BaseException], ...],
        about: str = "a request",
    ) -> _T:
        """Await ``fn(*args)``, retrying the exceptions ``on`` as :meth:`retrying` does.

        With one attempt it calls ``fn`` directly: tenacity's setup costs more
        than a whole push's encoding, and there would be nothing to retry.
        """
        if self.attempts == 1:
            return await fn(*args)
        return await self.retrying(on=on, about=about)(fn, *args)


def _log_retry(about: str, attempts: int, state: tenacity.RetryCallState) -> None:
    error = state.outcome.exception() if state.outcome is not None else None
    wait = state.next_action.sleep if state.next_action is not None else 0.0
    _log.debug(
        "%s failed on attempt %d of %d (%s: %s); trying again in %.2f s",
        about,
        state.attempt_number,
        attempts,
        type(error).__name__,
        error,
        wait,
    )
