from __future__ import annotations

import copy
import functools
import pickle
from collections.abc import Callable

import pytest

import picky_async as pa
from picky_async.core import error_for_status

EXPECTED = {
    401: pa.AuthenticationFailed,
    402: pa.EmptyNumberList,
    403: pa.InsufficientBalance,
    404: pa.DeviceUnreachable,
    405: pa.PlanNotActive,
    406: pa.InvalidNumber,
    407: pa.EmptyMessage,
    408: pa.ProjectInactive,
    409: pa.InvalidUser,
    501: pa.CallNotConnected,
    502: pa.UnsupportedAndroidVersion,
    503: pa.InvalidPushId,
    504: pa.DeviceNotFound,
    505: pa.TooFewContacts,
    506: pa.TooManyContacts,
}


@pytest.mark.parametrize(("code", "cls"), EXPECTED.items())
def test_each_status_code_has_its_class(code: int, cls: type[pa.PickyError]) -> None:
    raw = {"status": code, "message": "from the service"}
    error = error_for_status(code, "from the service", raw)
    assert type(error) is cls
    assert error.code == code
    assert error.message == "from the service"
    assert error.raw == raw
    assert str(error) == f"[{code}] from the service"


def test_every_error_code_of_the_document_is_mapped() -> None:
    codes = {code.value for code in pa.StatusCode if code is not pa.StatusCode.SUCCESS}
    assert codes == set(EXPECTED)


def test_unknown_code_falls_back_to_the_base_class() -> None:
    error = error_for_status(777, "new", {"status": 777})
    assert type(error) is pa.PickyError
    assert error.code == 777


@pytest.mark.parametrize(
    "cls", [pa.InvalidNumber, pa.EmptyMessage, pa.TooFewContacts, pa.TooManyContacts]
)
def test_client_side_validation_errors_are_value_errors(cls: type[pa.PickyError]) -> None:
    with pytest.raises(ValueError, match="bad"):
        raise cls("bad")


def test_default_code_when_raised_client_side() -> None:
    assert pa.InvalidNumber("x").code == 406


def test_rate_limited_is_a_transport_error() -> None:
    limited = pa.RateLimited("slow down", status=429)
    assert isinstance(limited, pa.TransportError)
    assert limited.status == 429
    assert limited.retriable


def test_an_uncertain_delivery_is_not_a_transport_error() -> None:
    # A caller retrying on TransportError must never resend what may be queued.
    uncertain = pa.DeliveryUncertain("no answer", status=500)
    assert not isinstance(uncertain, pa.TransportError)
    assert isinstance(uncertain, pa.PickyError)
    assert uncertain.status == 500
    assert uncertain.uncertain
    assert not uncertain.retriable


MESSAGES = (pa.Message("919876543210", "a"), pa.Message("919876543211", "b"))
RAW = {"status": 401, "message": "bad"}
# One instance of every error class, with every attribute it carries set.
EXAMPLES: dict[str, Callable[[], pa.PickyError]] = {
    "PickyError": lambda: pa.PickyError("new", code=777, raw={"status": 777}),
    "PickyError without code": lambda: pa.PickyError("plain"),
    **{cls.__name__: functools.partial(cls, "bad", raw=RAW) for cls in EXPECTED.values()},
    "EmptyMessage raised here": lambda: pa.EmptyMessage("bad"),
    "TransportError": lambda: pa.TransportError("refused", status=502),
    "RateLimited": lambda: pa.RateLimited("slow down", status=429, retry_after=7.5),
    "RateLimited without Retry-After": lambda: pa.RateLimited("slow down", status=429),
    "DeliveryUncertain": lambda: pa.DeliveryUncertain("no answer", status=500),
    "WebhookError": lambda: pa.WebhookError("not a message"),
    "DispatcherClosed": lambda: pa.DispatcherClosed("closed", messages=MESSAGES),
}
ATTRIBUTES = ("code", "message", "raw", "status", "retry_after", "messages")


def shown(error: BaseException) -> tuple[object, ...]:
    """What a caller can see of an error."""
    return (type(error), str(error), error.args, *(getattr(error, n, "-") for n in ATTRIBUTES))


@pytest.mark.parametrize("make", EXAMPLES.values(), ids=EXAMPLES.keys())
@pytest.mark.parametrize(
    "duplicate",
    [copy.copy, copy.deepcopy, lambda e: pickle.loads(pickle.dumps(e))],
    ids=["copy", "deepcopy", "pickle"],
)
def test_errors_survive_copy_and_pickle(
    make: Callable[[], pa.PickyError], duplicate: Callable[[BaseException], BaseException]
) -> None:
    error = make()
    assert shown(duplicate(error)) == shown(error)


def test_args_hold_the_plain_message_and_str_adds_the_code() -> None:
    error = pa.EmptyMessage("bad")
    assert error.args == ("bad",)
    assert str(error) == "[407] bad"
    assert str(copy.copy(error)) == "[407] bad"


def test_dispatcher_closed_carries_the_unsent_messages() -> None:
    unsent = [pa.Message("919876543210", "a"), pa.Message("919876543211", "b")]
    error = pa.DispatcherClosed("closed", messages=unsent)
    assert error.messages == tuple(unsent)
