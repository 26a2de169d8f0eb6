"""Typed results and inputs of the client; they know nothing of JSON spellings."""

from __future__ import annotations

import datetime
import decimal

import attrs

from ._enums import CallStatus
from ._numbers import normalize_number

__all__ = [
    "ActionResult",
    "ConferenceCall",
    "DeviceStatus",
    "Message",
    "PushResult",
    "Recipient",
    "number_only",
]


_setattr_of = object.__setattr__.__get__  # a bound setattr, as attrs' own __init__ uses


@attrs.frozen(init=False)
class Message:
    """One recipient of a push: a number and its own text (or media).

    The number is normalized on construction (see ``normalize_number``), so a
    bad number raises :class:`~picky_async.InvalidNumber` here, before any
    request. ``default_region`` (such as ``"IN"``, needs the ``numbers``
    extra) reads national numbers as people write them there; only the
    normalized number is kept. ``text`` may be empty when the push carries a
    global message.

    Raises:
        InvalidNumber: for a number refused.
        TypeError, ImportError, ValueError: for a bad ``default_region``, as
            ``normalize_number`` raises them.
    """

    number: str
    text: str
    media: str | None

    def __init__(
        self,
        number: str | int,
        text: str = "",
        media: str | None = None,
        *,
        default_region: str | None = None,
    ) -> None:
        # Set as attrs' own __init__ sets a frozen field: this runs once per message sent.
        _set = _setattr_of(self)
        _set("number", normalize_number(number, default_region=default_region))
        _set("text", text)
        _set("media", media)


def number_only(message: Message) -> Message:
    """A message to ``message``'s number with no text or media of its own.

    A push whose messages share one text sends it once as the global message
    and these as its rows. Built without the number's check, which
    ``message`` passed when it was made: a campaign makes one per recipient,
    and the check would be most of its cost. Internal, since it trusts its
    input.
    """
    copy = object.__new__(Message)
    object.__setattr__(copy, "number", message.number)  # as attrs' own __init__ sets a frozen field
    object.__setattr__(copy, "text", "")
    object.__setattr__(copy, "media", None)
    return copy


@attrs.frozen
class Recipient:
    """The service's per-recipient answer to a push (absent on older accounts)."""

    msg_id: str
    number: str
    credit: decimal.Decimal | None = None


@attrs.frozen
class PushResult:
    """The answer to an accepted push or conference request.

    Status 100 means the service queued it for the phone, not that anybody
    received it. ``recipients`` is empty when the service gave no ``data`` list.
    """

    push_id: str
    status: int = 100
    message: str = "Success"
    recipients: tuple[Recipient, ...] = ()


@attrs.frozen
class ActionResult:
    """The answer to a device command."""

    status: int = 100
    message: str = "Success"


@attrs.frozen
class ConferenceCall:
    """One row of a conference report: one number's call."""

    push_id: str
    call_id: str
    number: str
    status: CallStatus | int
    duration: int = 0
    project_id: str | None = None
    time: datetime.datetime | None = None


@attrs.frozen
class DeviceStatus:
    """The phone's state as the service last heard it; ``None`` where it is unknown."""

    project_id: str | None = None
    device_id: str | None = None
    phone_name: str | None = None
    battery_percentage: int | None = None
    charging_state: str | None = None
    wifi_signal_strength: int | None = None
    internet_status: str | None = None
    message_queue_count: int | None = None
    call_queue_count: int | None = None
    free_disk_space: str | None = None
    cloud_registered: bool | None = None
    time: datetime.datetime | None = None
