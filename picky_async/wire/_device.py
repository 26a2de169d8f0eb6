"""The device endpoints: the phone's status and remote commands.

The status answer writes ``""`` for unknown values, ``"Not Connected"`` for a
wifi strength of 0, and ``"Registered"`` (or ``"0"``) when the phone is synced
with the service's cloud; its table and sample disagree, so both are read.
"""

from __future__ import annotations

from typing import Any, ClassVar

import attrs
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override

from ..core import DeviceCommand, DeviceStatus
from ._body import stringify
from ._converter import _parse_optional_int, converter

__all__ = ["DeviceActionRequest", "DeviceStatusRequest"]

_CLOUD_STATES = {"registered": True, "0": True, "not registered": False, "1": False}
_NOT_CONNECTED = "not connected"


@attrs.frozen
class DeviceStatusRequest:
    """The body of ``POST /device-status``: only the token, kept out of the repr."""

    path: ClassVar[str] = "device-status"

    token: str = attrs.field(repr=False)


@attrs.frozen
class DeviceActionRequest:
    """The body of ``POST /device-action``; an unknown command is kept as text."""

    path: ClassVar[str] = "device-action"

    token: str = attrs.field(repr=False)
    command: DeviceCommand | str


def _parse_command(value: object, _: Any) -> DeviceCommand | str:
    text = converter.structure(value, str)
    try:
        return DeviceCommand(text)
    except ValueError:
        return text


def _parse_percentage(value: object, _: Any) -> int | None:
    if isinstance(value, str):
        if value.strip().lower() == _NOT_CONNECTED:
            return 0
        value = value.strip().removesuffix("%")
    return _parse_optional_int(value)


def _parse_cloud_state(value: object, _: Any) -> bool | None:
    if value is None or value == "":
        return None
    state = _CLOUD_STATES.get(str(value).strip().lower())
    if state is None:
        raise ValueError(f"expected Registered or Not Registered, got {value!r}")
    return state


def _unstructure_cloud_state(registered: bool | None) -> str:
    return {True: "Registered", False: "Not Registered", None: ""}[registered]


def _unstructure_command(command: DeviceCommand | str) -> str:
    return command.value if isinstance(command, DeviceCommand) else command


def _unstructure_status(status: DeviceStatus) -> dict[str, str]:
    row = _unstructure_device(status)
    if status.wifi_signal_strength == 0:
        row["wifi_signal_strength"] = "Not Connected"
    return stringify(row)


converter.register_structure_hook(DeviceCommand | str, _parse_command)
converter.register_unstructure_hook(
    DeviceActionRequest,
    make_dict_unstructure_fn(
        DeviceActionRequest, converter, command=override(unstruct_hook=_unstructure_command)
    ),
)
converter.register_structure_hook(
    DeviceStatus,
    make_dict_structure_fn(
        DeviceStatus,
        converter,
        battery_percentage=override(struct_hook=_parse_percentage),
        wifi_signal_strength=override(struct_hook=_parse_percentage),
        cloud_registered=override(rename="cloud_message_status", struct_hook=_parse_cloud_state),
    ),
)
_unstructure_device = make_dict_unstructure_fn(
    DeviceStatus,
    converter,
    cloud_registered=override(
        rename="cloud_message_status", unstruct_hook=_unstructure_cloud_state
    ),
)
converter.register_unstructure_hook(DeviceStatus, _unstructure_status)
