"""picky_async: an asyncio client and bulk dispatcher for the Picky Assist V2 API."""

from __future__ import annotations

from ._client import DEFAULT_BASE_URL, PickyClient
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
from ._inbound import InboundMessage, InstantReply, WebhookError
from ._models import ActionResult, ConferenceCall, DeviceStatus, Message, PushResult, Recipient
from ._numbers import normalize_number
from ._ratelimit import RateLimit
from ._retry import RetryPolicy
from ._webhook import parse_webhook, webhook_handler
from .dispatch import Dispatcher, DispatcherStats, Project, ProjectStats, Receipt

__all__ = [
    "DEFAULT_BASE_URL",
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
    "Dispatcher",
    "DispatcherClosed",
    "DispatcherStats",
    "EmptyMessage",
    "EmptyNumberList",
    "InboundMessage",
    "InstantReply",
    "InsufficientBalance",
    "InvalidNumber",
    "InvalidPushId",
    "InvalidUser",
    "Message",
    "MessageType",
    "PickyClient",
    "PickyError",
    "PlanNotActive",
    "Priority",
    "Project",
    "ProjectInactive",
    "ProjectStats",
    "PushResult",
    "RateLimit",
    "RateLimited",
    "Receipt",
    "Recipient",
    "RetryPolicy",
    "StatusCode",
    "TooFewContacts",
    "TooManyContacts",
    "TransportError",
    "UnsupportedAndroidVersion",
    "WebhookError",
    "normalize_number",
    "parse_webhook",
    "webhook_handler",
]
