"""RetryPolicy: how many tries, how long between them, and only for what it is told."""

from __future__ import annotations

import asyncio
import itertools

import pytest

import picky_async as pa


class Refused(Exception):
    pass


async def fail_until(successes_after: int, calls: list[float]) -> str:
    calls.append(asyncio.get_running_loop().time())
    if len(calls) <= successes_after:
        raise Refused
    return "answer"


@pytest.mark.looptime
async def test_waits_double_up_to_the_cap() -> None:
    policy = pa.RetryPolicy(attempts=5, wait_initial=1.0, wait_max=3.0, jitter=0)
    calls: list[float] = []
    assert await policy.retrying(on=(Refused,))(fail_until, 4, calls) == "answer"
    gaps = [later - earlier for earlier, later in itertools.pairwise(calls)]
    assert gaps == pytest.approx([1.0, 2.0, 3.0, 3.0])


@pytest.mark.looptime
async def test_jitter_adds_at_most_its_share_of_the_first_wait() -> None:
    policy = pa.RetryPolicy(attempts=2, wait_initial=2.0, jitter=0.5)
    calls: list[float] = []
    await policy.retrying(on=(Refused,))(fail_until, 1, calls)
    assert 2.0 <= calls[1] - calls[0] <= 3.0


@pytest.mark.looptime
async def test_zero_initial_wait_retries_at_once() -> None:
    calls: list[float] = []
    await pa.RetryPolicy(attempts=3, wait_initial=0).retrying(on=(Refused,))(fail_until, 2, calls)
    assert calls == [calls[0]] * 3


async def test_gives_up_after_the_attempts_with_the_last_error() -> None:
    calls: list[float] = []
    with pytest.raises(Refused):
        await pa.RetryPolicy(attempts=2, wait_initial=0).retrying(on=(Refused,))(
            fail_until, 5, calls
        )
    assert len(calls) == 2


async def test_other_errors_are_not_retried() -> None:
    calls: list[float] = []
    with pytest.raises(Refused):
        await pa.RetryPolicy(wait_initial=0).retrying(on=(KeyError,))(fail_until, 5, calls)
    assert len(calls) == 1


@pytest.mark.parametrize(
    ("options", "reason"),
    [
        ({"attempts": 0}, "attempts"),
        ({"wait_initial": -1}, "wait_initial"),
        ({"jitter": -1}, "jitter"),
    ],
)
def test_bad_policies_are_refused(options: dict[str, float], reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        pa.RetryPolicy(**options)  # type: ignore[arg-type]


async def test_call_retries_as_the_policy_says() -> None:
    calls: list[float] = []
    policy = pa.RetryPolicy(attempts=3, wait_initial=0)
    assert await policy.call(fail_until, 2, calls, on=(Refused,)) == "answer"
    assert len(calls) == 3


async def test_call_with_one_attempt_skips_tenacity(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_tenacity(*_: object, **__: object) -> None:
        raise AssertionError("tenacity was set up for a single attempt")

    monkeypatch.setattr(pa.RetryPolicy, "retrying", no_tenacity)
    policy = pa.RetryPolicy(attempts=1)
    calls: list[float] = []
    assert await policy.call(fail_until, 0, calls, on=(Refused,)) == "answer"
    with pytest.raises(Refused):
        await policy.call(fail_until, 5, calls, on=(Refused,))
    assert len(calls) == 2
