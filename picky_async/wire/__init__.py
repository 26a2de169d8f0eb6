"""The wire layer: the only place that knows the service's JSON spellings.

Requests are attrs classes that name their endpoint in ``path``; write them
with ``converter.unstructure`` and :func:`encode_body`. Read request bodies with
:func:`decode_body` and :func:`structure_request`, answers with
:func:`structure_answer`; the models of ``picky_async`` (``PushResult``,
``DeviceStatus``, ...) also unstructure to the document's spelling.
"""

from __future__ import annotations

from typing import TypeAlias

from ._body import (
    Encoding,
    MalformedPayload,
    check_status,
    decode_body,
    encode_body,
    structure_answer,
    structure_request,
)
from ._conference import ConferenceReportRequest, ConferenceRequest
from ._converter import TIME_FORMAT, converter, format_time, parse_time
from ._device import DeviceActionRequest, DeviceStatusRequest
from ._push import PushItem, PushRequest, push_body

Request: TypeAlias = (
    PushRequest
    | ConferenceRequest
    | ConferenceReportRequest
    | DeviceStatusRequest
    | DeviceActionRequest
)
"""Every request body the client sends; each names its endpoint in ``path``."""

__all__ = [
    "TIME_FORMAT",
    "ConferenceReportRequest",
    "ConferenceRequest",
    "DeviceActionRequest",
    "DeviceStatusRequest",
    "Encoding",
    "MalformedPayload",
    "PushItem",
    "PushRequest",
    "Request",
    "check_status",
    "converter",
    "decode_body",
    "encode_body",
    "format_time",
    "parse_time",
    "push_body",
    "structure_answer",
    "structure_request",
]
