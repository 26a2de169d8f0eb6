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

    Attributes:
        number: The recipient: 5-15 digits with country code, no ``+`` or leading ``0``.
        text: The message; with media, the caption (shown for images and
            videos, not for PDF, audio or other documents).
        media: A public URL the service downloads the media from (at most
            50 MB), or ``None``. For SMS the service appends it to the text.
        key: What names this message in a :class:`~picky_async.Journal` (a
            campaign's row id, say); ``None`` lets the journal derive one from
            the number, text and media. Never sent to the service.

    Raises:
        InvalidNumber: for a number refused.
        TypeError, ImportError, ValueError: for a bad ``default_region``, as
            ``normalize_number`` raises them.
    """

    number: str
    text: str
    media: str | None
    key: str | None

    def __init__(
        self,
        number: str | int,
        text: str = "",
        media: str | None = None,
        *,
        default_region: str | None = None,
        key: str | None = None,
    ) -> None:
        # Set as attrs' own __init__ sets a frozen field: this runs once per message sent.
        _set = _setattr_of(self)
        _set("number", normalize_number(number, default_region=default_region))
        _set("text", text)
        _set("media", media)
        _set("key", key)


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
    object.__setattr__(copy, "key", None)
    return copy


@attrs.frozen
class Recipient:
    """The service's per-recipient answer to a push (absent on older accounts).

    Attributes:
        msg_id: The service's id of this message.
        number: The recipient, as the service wrote it.
        credit: What the message cost, in the account's credits, when the answer said.
    """

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
    """One row of a conference report: one number's call.

    Attributes:
        push_id: The conference's push id.
        call_id: The service's id of this call.
        number: The number called.
        status: Where the call stands; values the enum lacks are kept as ints.
        duration: How long the call lasted, in seconds (0 before it connects).
        project_id: The project that placed the call, when the report said.
        time: When the service logged the call, to the minute, in the
            service's local time (a naive datetime), or ``None``.
    """

    push_id: str
    call_id: str
    number: str
    status: CallStatus | int
    duration: int = 0
    project_id: str | None = None
    time: datetime.datetime | None = None


@attrs.frozen
class DeviceStatus:
    """The phone's state as the service last heard it; ``None`` where it is unknown.

    Attributes:
        project_id: The project the phone belongs to.
        device_id: The phone's Android device id.
        phone_name: Its maker and model, such as ``"Asus ASUS_Z010D"``.
        battery_percentage: Battery charge, in percent (0-100).
        charging_state: Whether it is charging, as the service words it.
        wifi_signal_strength: Wi-Fi signal, in percent (1-100); 0 when not connected.
        internet_status: The connection type, such as ``"4G"``, as the service words it.
        message_queue_count: Messages waiting on the phone, in messages.
        call_queue_count: Calls waiting on the phone, in calls.
        free_disk_space: Free storage, as the service writes it (text, unit included).
        cloud_registered: Whether the phone is synced with the service's cloud.
        time: When the service last heard from the phone, to the minute, in its
            local time (a naive datetime).
    """

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
