from __future__ import annotations

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


def test_transport_errors_form_a_family() -> None:
    uncertain = pa.DeliveryUncertain("no answer")
    limited = pa.RateLimited("slow down", status=429)
    assert isinstance(uncertain, pa.TransportError)
    assert isinstance(limited, pa.TransportError)
    assert limited.status == 429
    assert not isinstance(uncertain, pa.RateLimited)


def test_dispatcher_closed_carries_the_unsent_messages() -> None:
    unsent = [pa.Message("919876543210", "a"), pa.Message("919876543211", "b")]
    error = pa.DispatcherClosed("closed", messages=unsent)
    assert error.messages == tuple(unsent)
