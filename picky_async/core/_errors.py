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
    the token). ``args`` holds only the message and ``str()`` adds the code, so
    an error survives ``copy``, ``pickle`` and process boundaries unchanged.

    Its class attributes say what the error means for the request, so a
    caller (and the :class:`~picky_async.Dispatcher`) decides by meaning
    rather than by class or code:

    - ``retriable``: the service certainly did not process the request, and
      sending it again (later, or through another project) may succeed.
    - ``uncertain``: the service may have accepted the request; sending it
      again may deliver the messages twice.
    - ``disables_project``: the account behind the token cannot send until a
      person acts (token, balance, plan).
    - ``pauses_project``: the project was too fast; it may send again after a
      pause.
    """

    default_code: ClassVar[int] = 0
    retriable: ClassVar[bool] = False
    uncertain: ClassVar[bool] = False
    disables_project: ClassVar[bool] = False
    pauses_project: ClassVar[bool] = False

    def __init__(
        self,
        message: str = "",
        *,
        code: int | None = None,
        raw: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.code = self.default_code if code is None else code
        self.message = message
        self.raw = raw

    def __str__(self) -> str:
        return f"[{self.code}] {self.message}" if self.code else self.message


class _AccountError(PickyError):
    """The account behind the token cannot send: no request of this project will succeed."""

    retriable = True  # through another project
    disables_project = True


class _PhoneError(PickyError):
    """The service could not reach the project's phone; it may come back."""

    retriable = True


class AuthenticationFailed(_AccountError):
    """401: wrong token, IP not whitelisted, or API access not enabled."""

    default_code = StatusCode.AUTHENTICATION_FAILED


class EmptyNumberList(PickyError):
    """402: the request named no recipient."""

    default_code = StatusCode.EMPTY_NUMBER_LIST


class InsufficientBalance(_AccountError):
    """403: the account has no balance left."""

    default_code = StatusCode.INSUFFICIENT_BALANCE


class DeviceUnreachable(_PhoneError):
    """404: the service cannot communicate with the project's phone."""

    default_code = StatusCode.DEVICE_UNREACHABLE


class PlanNotActive(_AccountError):
    """405: the project's plan does not include the API."""

    default_code = StatusCode.PLAN_NOT_ACTIVE


class InvalidNumber(PickyError, ValueError):
    """406: a number is not a full international number of 5-15 digits."""

    default_code = StatusCode.INVALID_NUMBER


class EmptyMessage(PickyError, ValueError):
    """407: neither a global message nor a per-number message was given."""

    default_code = StatusCode.EMPTY_MESSAGE


class ProjectInactive(_AccountError):
    """408: the project is not active."""

    default_code = StatusCode.PROJECT_INACTIVE


class InvalidUser(_AccountError):
    """409: the user behind the token is not valid."""

    default_code = StatusCode.INVALID_USER


class CallNotConnected(_PhoneError):
    """501: the call was not connected; the service could not reach the phone."""

    default_code = StatusCode.CALL_NOT_CONNECTED


class UnsupportedAndroidVersion(PickyError):
    """502: the phone's Android version lacks the feature."""

    default_code = StatusCode.UNSUPPORTED_ANDROID_VERSION


class InvalidPushId(PickyError):
    """503: no push is known by that push id."""

    default_code = StatusCode.INVALID_PUSH_ID


class DeviceNotFound(_PhoneError):
    """504: the service has no details of the project's phone."""

    default_code = StatusCode.DEVICE_NOT_FOUND


class TooFewContacts(PickyError, ValueError):
    """505: a conference needs at least 2 numbers."""

    default_code = StatusCode.TOO_FEW_CONTACTS


class TooManyContacts(PickyError, ValueError):
    """506: a conference takes at most 5 numbers."""

    default_code = StatusCode.TOO_MANY_CONTACTS


class _NoUsableAnswer(PickyError):
    """A request that got no usable answer; ``status`` is the HTTP status when there was one."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class TransportError(_NoUsableAnswer):
    """The request certainly did not reach the service's application: safe to resend.

    Raised when no connection could be made (also for TLS and proxy failures),
    and for answers of HTTP 3xx, 4xx and 502-504, which come before the
    service processes anything.
    """

    retriable = True


class RateLimited(TransportError):
    """HTTP 429: the request was over the project's rate limit and not processed.

    ``retry_after`` is how many seconds the service asked to wait (its
    ``Retry-After`` header), or ``None`` when it did not say.
    """

    pauses_project = True

    def __init__(
        self, message: str, *, status: int | None = None, retry_after: float | None = None
    ) -> None:
        super().__init__(message, status=status)
        self.retry_after = retry_after


class DeliveryUncertain(_NoUsableAnswer):
    """The request was sent but no usable answer came: the service may have accepted it.

    Raised when the answer never came (timeout, dropped connection), for HTTP
    500 and other 5xx but 502-504, and for a 2xx answer that is not JSON or not
    shaped as the document says. Not a :class:`TransportError`: retrying on
    that must not resend these. Never retried silently, since a resend may
    deliver the messages twice.
    """

    uncertain = True


class OptedOut(PickyError):
    """The recipient opted out (see :class:`~picky_async.OptOuts`): the message was not sent.

    Not retriable: the number stays refused until it opts back in.
    """


class Duplicate(PickyError):
    """A message with this key was accepted within the dispatcher's ``repeat_window``.

    It was not sent again; not retriable, since sending it would repeat it.
    """


class CapReached(PickyError):
    """A daily limit was reached (a project's ``daily_cap``, or the dispatcher's
    ``cold_limit``): the message was not sent.

    It may be sent once the limit resets at local midnight; the dispatcher
    raises it instead of waiting only when asked to.
    """


class ColdLimitReached(CapReached):
    """The dispatcher's ``cold_limit`` was reached: the message, to a number that
    never wrote, was not sent.

    A :class:`CapReached`, so code that handles daily limits handles it too.
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
