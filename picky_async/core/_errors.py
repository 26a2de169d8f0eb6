"""One exception root, one class per status code, chosen from a table.

Client-side validation raises the same classes the service would, so callers
handle a bad number the same way whether we or the service caught it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from ._enums import StatusCode

__all__ = [
    "AuthenticationFailed",
    "CallNotConnected",
    "DeliveryUncertain",
    "DeviceNotFound",
    "DeviceUnreachable",
    "EmptyMessage",
    "EmptyNumberList",
    "InsufficientBalance",
    "InvalidNumber",
    "InvalidPushId",
    "InvalidUser",
    "PickyError",
    "PlanNotActive",
    "ProjectInactive",
    "RateLimited",
    "TooFewContacts",
    "TooManyContacts",
    "TransportError",
    "UnsupportedAndroidVersion",
    "WebhookError",
    "error_for_status",
]


class PickyError(Exception):
    """Root of every error this library raises.

    For answers of the service, ``code`` is its status code, ``message`` its
    text and ``raw`` the whole decoded answer (never the request: that holds
    the token).
    """

    default_code: ClassVar[int] = 0

    def __init__(
        self,
        message: str = "",
        *,
        code: int | None = None,
        raw: Mapping[str, Any] | None = None,
    ) -> None:
        self.code = self.default_code if code is None else code
        self.message = message
        self.raw = raw
        super().__init__(f"[{self.code}] {message}" if self.code else message)


class AuthenticationFailed(PickyError):
    """401: wrong token, IP not whitelisted, or API access not enabled."""

    default_code = StatusCode.AUTHENTICATION_FAILED


class EmptyNumberList(PickyError):
    """402: the request named no recipient."""

    default_code = StatusCode.EMPTY_NUMBER_LIST


class InsufficientBalance(PickyError):
    """403: the account has no balance left."""

    default_code = StatusCode.INSUFFICIENT_BALANCE


class DeviceUnreachable(PickyError):
    """404: the service cannot communicate with the project's phone."""

    default_code = StatusCode.DEVICE_UNREACHABLE


class PlanNotActive(PickyError):
    """405: the project's plan does not include the API."""

    default_code = StatusCode.PLAN_NOT_ACTIVE


class InvalidNumber(PickyError, ValueError):
    """406: a number is not a full international number of 5-15 digits."""

    default_code = StatusCode.INVALID_NUMBER


class EmptyMessage(PickyError, ValueError):
    """407: neither a global message nor a per-number message was given."""

    default_code = StatusCode.EMPTY_MESSAGE


class ProjectInactive(PickyError):
    """408: the project is not active."""

    default_code = StatusCode.PROJECT_INACTIVE


class InvalidUser(PickyError):
    """409: the user behind the token is not valid."""

    default_code = StatusCode.INVALID_USER


class CallNotConnected(PickyError):
    """501: the call was not connected; the service could not reach the phone."""

    default_code = StatusCode.CALL_NOT_CONNECTED


class UnsupportedAndroidVersion(PickyError):
    """502: the phone's Android version lacks the feature."""

    default_code = StatusCode.UNSUPPORTED_ANDROID_VERSION


class InvalidPushId(PickyError):
    """503: no push is known by that push id."""

    default_code = StatusCode.INVALID_PUSH_ID


class DeviceNotFound(PickyError):
    """504: the service has no details of the project's phone."""

    default_code = StatusCode.DEVICE_NOT_FOUND


class TooFewContacts(PickyError, ValueError):
    """505: a conference needs at least 2 numbers."""

    default_code = StatusCode.TOO_FEW_CONTACTS


class TooManyContacts(PickyError, ValueError):
    """506: a conference takes at most 5 numbers."""

    default_code = StatusCode.TOO_MANY_CONTACTS


class TransportError(PickyError):
    """The request certainly did not reach the service, or its answer was unusable.

    Raised for connection failures before sending, and for answers that are not
    JSON. ``status`` is the HTTP status when there was one.
    """

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class RateLimited(TransportError):
    """HTTP 429: the request was over the project's rate limit and not processed."""


class DeliveryUncertain(TransportError):
    """The request was sent but no answer came: the service may have accepted it.

    Never retried silently, since a resend may deliver the messages twice.
    """


class WebhookError(PickyError, ValueError):
    """A webhook body that cannot be read as an inbound message; the text says why."""


_BY_CODE: dict[int, type[PickyError]] = {
    cls.default_code: cls
    for cls in (
        AuthenticationFailed,
        EmptyNumberList,
        InsufficientBalance,
        DeviceUnreachable,
        PlanNotActive,
        InvalidNumber,
        EmptyMessage,
        ProjectInactive,
        InvalidUser,
        CallNotConnected,
        UnsupportedAndroidVersion,
        InvalidPushId,
        DeviceNotFound,
        TooFewContacts,
        TooManyContacts,
    )
}


def error_for_status(code: int, message: str, raw: Mapping[str, Any] | None = None) -> PickyError:
    """Build the exception for a non-success status; unknown codes get the base class."""
    return _BY_CODE.get(code, PickyError)(message, code=code, raw=raw)
