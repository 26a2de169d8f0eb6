"""What each error means to the dispatcher, pinned for every status code and transport failure."""

from __future__ import annotations

import pytest

import picky_async as pa
from picky_async.core import error_for_status
from picky_async.dispatch._sender import Verdict, verdict_for

SUSPEND, DISABLE, HOLD, UNCERTAIN, REJECT = (
    Verdict.SUSPEND,
    Verdict.DISABLE,
    Verdict.HOLD,
    Verdict.UNCERTAIN,
    Verdict.REJECT,
)
BY_CODE = {
    pa.StatusCode.AUTHENTICATION_FAILED: DISABLE,
    pa.StatusCode.EMPTY_NUMBER_LIST: REJECT,
    pa.StatusCode.INSUFFICIENT_BALANCE: DISABLE,
    pa.StatusCode.DEVICE_UNREACHABLE: SUSPEND,
    pa.StatusCode.PLAN_NOT_ACTIVE: DISABLE,
    pa.StatusCode.INVALID_NUMBER: REJECT,
    pa.StatusCode.EMPTY_MESSAGE: REJECT,
    pa.StatusCode.PROJECT_INACTIVE: DISABLE,
    pa.StatusCode.INVALID_USER: DISABLE,
    pa.StatusCode.CALL_NOT_CONNECTED: SUSPEND,
    pa.StatusCode.UNSUPPORTED_ANDROID_VERSION: REJECT,
    pa.StatusCode.INVALID_PUSH_ID: REJECT,
    pa.StatusCode.DEVICE_NOT_FOUND: SUSPEND,
    pa.StatusCode.TOO_FEW_CONTACTS: REJECT,
    pa.StatusCode.TOO_MANY_CONTACTS: REJECT,
}


def test_every_status_code_has_a_pinned_verdict() -> None:
    assert set(BY_CODE) == set(pa.StatusCode) - {pa.StatusCode.SUCCESS}


@pytest.mark.parametrize(("code", "verdict"), BY_CODE.items(), ids=lambda v: str(v))
def test_verdict_of_each_status_code(code: pa.StatusCode, verdict: Verdict) -> None:
    assert verdict_for(error_for_status(code, "from the service")) is verdict


@pytest.mark.parametrize(
    ("error", "verdict"),
    [
        (pa.RateLimited("slow down", status=429), HOLD),
        (pa.TransportError("refused"), SUSPEND),
        (pa.TransportError("bad gateway", status=502), SUSPEND),
        (pa.DeliveryUncertain("no answer"), UNCERTAIN),
        (pa.DeliveryUncertain("server error", status=500), UNCERTAIN),
        (error_for_status(777, "a code the document lacks"), REJECT),
        (pa.DispatcherClosed("closed"), REJECT),
        (RuntimeError("a custom pusher's bug"), REJECT),
    ],
    ids=lambda v: type(v).__name__,
)
def test_verdict_of_other_failures(error: BaseException, verdict: Verdict) -> None:
    assert verdict_for(error) is verdict
