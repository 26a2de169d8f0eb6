"""The push endpoint: WhatsApp and SMS messages, and its answer.

We send ``globalmessage``/``globalmedia``/``data: [{number, message}]``; we read
every spelling the samples use (``"priority "``, numbers as strings) and the
optional per-recipient ``data`` list of the answer.
"""

from __future__ import annotations

from typing import Any, ClassVar

import attrs
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override

from .._enums import Application, Priority
from .._models import PushResult, Recipient
from ._converter import converter

__all__ = ["PushItem", "PushRequest"]


@attrs.frozen
class PushItem:
    """One entry of a push's ``data`` list; ``message`` is empty for bulk pushes."""

    number: str
    message: str = ""


@attrs.frozen
class PushRequest:
    """The body of ``POST /push``; the token is kept out of its repr."""

    path: ClassVar[str] = "push"

    token: str = attrs.field(repr=False)
    application: Application | int = Application.WHATSAPP
    priority: Priority | int = Priority.LOW
    global_message: str = ""
    global_media: str | None = None
    data: tuple[PushItem, ...] = ()


def _structure_recipients(value: object, _: Any) -> tuple[Recipient, ...]:
    if value is None or value == "":
        return ()
    return converter.structure(value, tuple[Recipient, ...])


converter.register_structure_hook(
    PushRequest,
    make_dict_structure_fn(
        PushRequest,
        converter,
        global_message=override(rename="globalmessage"),
        global_media=override(rename="globalmedia"),
    ),
)
converter.register_unstructure_hook(
    PushRequest,
    make_dict_unstructure_fn(
        PushRequest,
        converter,
        global_message=override(rename="globalmessage"),
        global_media=override(rename="globalmedia", omit_if_default=True),
    ),
)
converter.register_unstructure_hook(
    Recipient,
    make_dict_unstructure_fn(
        Recipient, converter, credit=override(unstruct_hook=str, omit_if_default=True)
    ),
)
converter.register_structure_hook(
    PushResult,
    make_dict_structure_fn(
        PushResult,
        converter,
        recipients=override(rename="data", struct_hook=_structure_recipients),
    ),
)
converter.register_unstructure_hook(
    PushResult,
    make_dict_unstructure_fn(
        PushResult, converter, recipients=override(rename="data", omit_if_default=True)
    ),
)
