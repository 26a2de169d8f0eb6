"""picky_async: an asyncio client and bulk dispatcher for the Picky Assist V2 API."""

from __future__ import annotations

from ._enums import Application, CallStatus, DeviceCommand, MessageType, Priority, StatusCode
from ._errors import (
    AuthenticationFailed,
    CallNotConnected,
    DeliveryUncertain,
    DeviceNotFound,
    DeviceUnreachable,
    DispatcherClosed,
    EmptyMessage,
    EmptyNumberList,
    InsufficientBalance,
    InvalidNumber,
    InvalidPushId,
    InvalidUser,
    PickyError,
    PlanNotActive,
    ProjectInactive,
    RateLimited,
    TooFewContacts,
    TooManyContacts,
    TransportError,
    UnsupportedAndroidVersion,
)
from ._models import ActionResult, ConferenceCall, DeviceStatus, Message, PushResult, Recipient
from ._numbers import normalize_number
from ._ratelimit import RateLimit

# -- client exports (wire/client work adds here) --
from ._client import DEFAULT_BASE_URL, PickyClient
from ._retry import RetryPolicy
# -- webhook exports (webhook work adds here) --
from ._inbound import InboundMessage, InstantReply, WebhookError
from ._webhook import parse_webhook, webhook_handler
# -- dispatch exports (dispatcher work adds here) --
from .dispatch import Dispatcher, DispatcherStats, Project, ProjectStats, Receipt

__all__ = [
    "ActionResult",
    "Application",
    "AuthenticationFailed",
    "CallNotConnected",
    "CallStatus",
    "ConferenceCall",
    "DeliveryUncertain",
    "DeviceCommand",
    "DeviceNotFound",
    "DeviceStatus",
    "DeviceUnreachable",
    "DispatcherClosed",
    "EmptyMessage",
    "EmptyNumberList",
    "InsufficientBalance",
    "InvalidNumber",
    "InvalidPushId",
    "InvalidUser",
    "Message",
    "MessageType",
    "PickyError",
    "PlanNotActive",
    "Priority",
    "ProjectInactive",
    "PushResult",
    "RateLimit",
    "RateLimited",
    "Recipient",
    "StatusCode",
    "TooFewContacts",
    "TooManyContacts",
    "TransportError",
    "UnsupportedAndroidVersion",
    "normalize_number",
    # -- client names --
    "DEFAULT_BASE_URL",
    "PickyClient",
    "RetryPolicy",
    # -- webhook names --
    "InboundMessage",
    "InstantReply",
    "WebhookError",
    "parse_webhook",
    "webhook_handler",
    # -- dispatch names --
    "Dispatcher",
    "DispatcherStats",
    "Project",
    "ProjectStats",
    "Receipt",
]
