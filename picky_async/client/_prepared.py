"""Building a push: every message checked and the body encoded, before any request.

Written out rather than through the cattrs converter: it runs once per push
with a row per message, and it is the client's main CPU cost in bulk.
"""

from __future__ import annotations

from collections.abc import Iterable
from operator import attrgetter

import attrs

from ..core import Application, EmptyMessage, EmptyNumberList, Message, Priority
from ..wire import Encoding
from ..wire._body import encode_text
from ..wire._push import push_json
from ._options import check_application

__all__ = ["PreparedPush", "prepare_push"]

_number, _text, _media = attrgetter("number"), attrgetter("text"), attrgetter("media")


@attrs.frozen
class PreparedPush:
    """A push checked and encoded, ready to post.

    ``numbers`` are its recipients in order, to match the answer's ids to.
    The body carries the token, so it is kept out of the repr.
    """

    numbers: tuple[str, ...]
    body: bytes = attrs.field(repr=False)
    content_type: str = attrs.field(repr=False)

    def __len__(self) -> int:
        return len(self.numbers)


def prepare_push(
    token: str,
    messages: Iterable[Message],
    *,
    application: Application | int,
    priority: Priority | int,
    global_message: str | None,
    global_media: str | None,
    encoding: Encoding,
) -> PreparedPush:
    """Check a push's messages and options and encode its body.

    Raises:
        EmptyNumberList: for no messages.
        EmptyMessage: for a message with no text, global message or media.
        TypeError: for something other than :class:`Message` objects, or a
            non-int application.
        ValueError: for messages with different media, or a priority not 0/1.
    """
    messages = list(messages)
    if not messages:
        raise EmptyNumberList("a push needs at least one message")
    if set(map(type, messages)) != {Message} and not all(
        isinstance(message, Message) for message in messages
    ):
        raise TypeError("push() takes picky_async.Message objects")
    media = _shared_media(messages, global_media)
    if not global_message and media is None and not all(map(_text, messages)):
        empty = next(message for message in messages if not message.text)
        raise EmptyMessage(
            f"the message to {empty.number} has no text, and the push has "
            "no global message or media"
        )
    text = push_json(
        token,
        messages,
        application=check_application(application),
        priority=Priority(priority),
        global_message=global_message or "",
        global_media=media,
    )
    body, content_type = encode_text(text, encoding)
    return PreparedPush(tuple(map(_number, messages)), body, content_type)


def _shared_media(messages: list[Message], global_media: str | None) -> str | None:
    """The one media of a push: the service has no per-number media."""
    media: set[str | None] = set(map(_media, messages))
    if None in media:  # a message without media of its own takes the push's
        media.discard(None)
        media.add(global_media)
    if global_media is not None:
        media.add(global_media)
    if len(media) > 1:
        raise ValueError(
            "the service sends one media per push; these messages name several: "
            + ", ".join(sorted(repr(url) for url in media))
        )
    return media.pop()
