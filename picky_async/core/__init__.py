"""The shared ground every layer stands on: enums, errors, models and numbers.

It imports nothing else of the library, so ``wire``, ``client``, ``webhook``,
``dispatch`` and ``testing`` can all use it without import circles.
"""

from __future__ import annotations

from ._enums import Application, CallStatus, DeviceCommand, MessageType, Priority, StatusCode
from ._errors import (
    AuthenticationFailed,
    CallNotConnected,
    CapReached,
    ColdLimitReached,
    DeliveryUncertain,
    DeviceNotFound,
    DeviceUnreachable,
    Duplicate,
    EmptyMessage,
    EmptyNumberList,
    InsufficientBalance,
    InvalidNumber,
    InvalidPushId,
    InvalidUser,
    OptedOut,
    PickyError,
    PlanNotActive,
    ProjectInactive,
    RateLimited,
    TooFewContacts,
    TooManyContacts,
    TransportError,
    UnsupportedAndroidVersion,
    WebhookError,
    error_for_status,
)
from ._inbound import InboundMessage
from ._models import ActionResult, ConferenceCall, DeviceStatus, Message, PushResult, Recipient
from ._numbers import check_region, normalize_number
from ._ratelimit import RateLimit, SlidingWindow
from ._version import VERSION, installed_version
from ._zones import time_zone

__all__ = [
    "VERSION",
    "ActionResult",
    "Application",
    "AuthenticationFailed",
    "CallNotConnected",
    "CallStatus",
    "CapReached",
    "ColdLimitReached",
    "ConferenceCall",
    "DeliveryUncertain",
    "DeviceCommand",
    "DeviceNotFound",
    "DeviceStatus",
    "DeviceUnreachable",
    "Duplicate",
    "EmptyMessage",
    "EmptyNumberList",
    "InboundMessage",
    "InsufficientBalance",
    "InvalidNumber",
    "InvalidPushId",
    "InvalidUser",
    "Message",
    "MessageType",
    "OptedOut",
    "PickyError",
    "PlanNotActive",
    "Priority",
    "ProjectInactive",
    "PushResult",
    "RateLimit",
    "RateLimited",
    "Recipient",
    "SlidingWindow",
    "StatusCode",
    "TooFewContacts",
    "TooManyContacts",
    "TransportError",
    "UnsupportedAndroidVersion",
    "WebhookError",
    "check_region",
    "error_for_status",
    "installed_version",
    "normalize_number",
    "time_zone",
]
