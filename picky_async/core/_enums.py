"""The enumerations of the V2 document, named as Python reads them."""

from __future__ import annotations

import enum

__all__ = [
    "Application",
    "CallStatus",
    "DeviceCommand",
    "MessageType",
    "Priority",
    "StatusCode",
]


class Application(enum.IntEnum):
    """The messaging app a message goes through or came from.

    Newer accounts use values the V2 document does not list (such as 10, WhatsApp
    web automation); parsing keeps those as plain ints instead of failing.
    """

    WHATSAPP = 1
    WHATSAPP_BUSINESS = 2
    SMS = 3
    CALL = 4
    MESSENGER = 5
    TELEGRAM = 6
    WEB = 7
    WHATSAPP_OFFICIAL = 8


class Priority(enum.IntEnum):
    """Queue priority on the phone: HIGH messages are taken before LOW ones."""

    LOW = 0
    HIGH = 1


class MessageType(enum.IntEnum):
    """The kind of an inbound message; the document also uses 7 for location."""

    TEXT = 1
    IMAGE = 2
    VIDEO = 3
    AUDIO = 4
    LOCATION = 5
    DOCUMENT = 6


class CallStatus(enum.IntEnum):
    """The state of one call of a conference, as the conference report gives it."""

    NOT_STARTED = 1
    SCHEDULED = 2
    IN_PROGRESS = 3
    COMPLETED = 4
    CANCELLED = 5


class DeviceCommand(str, enum.Enum):
    """A remote command for the phone; values are the document's spellings."""

    RESTART = "restart"
    RESET = "reset"
    DELETE_MESSAGE_QUEUE = "delete-message-queue"
    DELETE_CALL_QUEUE = "delete-call-queue"
    STOP_MESSAGE_QUEUE = "stop-message-queue"
    STOP_CALL_QUEUE = "stop-call-queue"
    RESUME_MESSAGE_QUEUE = "resume-message-queue"
    RESUME_CALL_QUEUE = "resume-call-queue"


class StatusCode(enum.IntEnum):
    """Every status code of the document's "Status & Error Codes" table."""

    SUCCESS = 100
    AUTHENTICATION_FAILED = 401
    EMPTY_NUMBER_LIST = 402
    INSUFFICIENT_BALANCE = 403
    DEVICE_UNREACHABLE = 404
    PLAN_NOT_ACTIVE = 405
    INVALID_NUMBER = 406
    EMPTY_MESSAGE = 407
    PROJECT_INACTIVE = 408
    INVALID_USER = 409
    CALL_NOT_CONNECTED = 501
    UNSUPPORTED_ANDROID_VERSION = 502
    INVALID_PUSH_ID = 503
    DEVICE_NOT_FOUND = 504
    TOO_FEW_CONTACTS = 505
    TOO_MANY_CONTACTS = 506
