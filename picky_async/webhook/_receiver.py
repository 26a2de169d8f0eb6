"""The webhook's core, free of any web framework: from a request's parts to the answer.

The secret check, the size limit, parsing, the callback and the mapping of
each outcome to an HTTP status live here once; each framework's adapter only
hands over the request's parts and writes :class:`WebhookAnswer` back.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
from collections.abc import AsyncIterable, Awaitable, Callable, Mapping

import attrs

from ..core import InboundMessage, WebhookError
from ..safety import KeywordAction, SafetyStore
from ._parse import JSON, parse_webhook, query_fields
from ._reply import InstantReply

__all__ = ["DEFAULT_MAX_BODY", "WebhookAnswer", "WebhookCallback", "WebhookReceiver"]

_log = logging.getLogger("picky_async.webhook")

WebhookCallback = Callable[[InboundMessage], Awaitable[InstantReply | None]]
_TEXT = "text/plain"
_METHOD = "POST"
"""The service posts every webhook, even when all its fields are in the URL."""

DEFAULT_MAX_BODY = 64 * 1024
"""The largest body, in bytes, a webhook reads unless told otherwise."""


@attrs.frozen
class WebhookAnswer:
    """The HTTP answer to one webhook request, for the adapter to write back."""

    status: int
    text: str = ""
    content_type: str = _TEXT
    headers: tuple[tuple[str, str], ...] = ()
    """Headers beyond the content type, such as ``Allow`` on a 405."""


class WebhookReceiver:
    """Answers webhook requests by passing each inbound message to ``callback``.

    See :func:`~picky_async.webhook_handler` for the statuses and opt-outs.
    Raises ``ValueError`` for an empty secret, a ``max_body`` below 1, or a
    confirmation without ``opt_outs``; ``EmptyMessage`` for a blank confirmation.
    """

    def __init__(
        self,
        callback: WebhookCallback,
        *,
        secret: str | None = None,
        secret_param: str = "secret",
        max_body: int = DEFAULT_MAX_BODY,
        message_in_encoded: bool = False,
        opt_outs: SafetyStore | None = None,
        confirm_stop: str | InstantReply | None = None,
        confirm_start: str | InstantReply | None = None,
    ) -> None:
        if opt_outs is None and (confirm_stop is not None or confirm_start is not None):
            raise ValueError("confirm_stop and confirm_start need opt_outs to record in")
        if secret is not None and not secret:
            raise ValueError("secret must not be empty: anybody could send it")
        if max_body < 1:
            raise ValueError(f"max_body must be at least 1 byte, got {max_body}")
        self._callback = callback
        self._secret = None if secret is None else secret.encode()
        self._secret_param = secret_param
        self._max_body = max_body
        self._message_in_encoded = message_in_encoded
        self._opt_outs = opt_outs
        self._confirmations = {"stop": _reply(confirm_stop), "start": _reply(confirm_start)}

    async def answer(
        self,
        body: bytes | AsyncIterable[bytes],
        *,
        content_type: str,
        query: Mapping[str, str] | str,
        content_length: int | None = None,
        method: str = _METHOD,
    ) -> WebhookAnswer:
        """The answer to one request; ``body`` may stream, ``content_length`` is the header's.

        ``query`` is the raw query string, or a decoded mapping. A method
        other than POST gets 405, as the service only posts (a GET that
        anybody's link preview can send must not make the phone reply). The
        body is read only once the secret matches, and no further than
        ``max_body`` bytes. Never raises for what the request holds or what
        the callback does: those become 4xx and 500 answers. What ``body``
        raises while streaming (a client gone mid-body) propagates.
        """
        if method != _METHOD:
            return WebhookAnswer(
                405, "the webhook takes POST requests", headers=(("Allow", _METHOD),)
            )
        try:
            variables = query_fields(query)
        except WebhookError as exc:
            return self._refuse(exc)
        if not self._secret_matches(variables.get(self._secret_param)):
            _log.warning("webhook refused: wrong or missing %r query parameter", self._secret_param)
            return WebhookAnswer(403, "wrong or missing secret")
        data = await self._read(body, content_length)
        if data is None:
            return WebhookAnswer(413, f"the body is over {self._max_body} bytes")
        try:
            inbound = parse_webhook(
                data, content_type, query=variables, message_in_encoded=self._message_in_encoded
            )
        except WebhookError as exc:
            return self._refuse(exc)
        if self._secret is not None:
            extra = {k: v for k, v in inbound.extra.items() if k != self._secret_param}
            inbound = attrs.evolve(inbound, extra=extra)
        try:
            action = await self._record_opt_out(inbound)
        except Exception:
            _log.exception("recording the opt-out of inbound message %s failed", inbound.unique_id)
            return WebhookAnswer(500, "the opt-out could not be recorded")
        try:
            reply = await self._callback(inbound)
            if reply is None and action is not None:
                reply = self._confirmations[action]
            text = None if reply is None else reply.to_json()
        except Exception:
            _log.exception("webhook callback failed on inbound message %s", inbound.unique_id)
            return WebhookAnswer(500, "the webhook callback failed")
        return WebhookAnswer(200) if text is None else WebhookAnswer(200, text, JSON)

    async def _record_opt_out(self, inbound: InboundMessage) -> KeywordAction | None:
        """Note that the sender wrote, and apply a stop or start keyword, before the
        callback sees the message.

        The write runs in a thread, as its disk sync, or another process's
        write, may take milliseconds.
        """
        if self._opt_outs is None:
            return None
        return await asyncio.to_thread(self._opt_outs.record, inbound)

    def _refuse(self, error: WebhookError) -> WebhookAnswer:
        _log.warning("webhook refused: %s", error)
        return WebhookAnswer(400, str(error))

    def _secret_matches(self, given: str | None) -> bool:
        if self._secret is None:
            return True
        return given is not None and hmac.compare_digest(given.encode(), self._secret)

    async def _read(
        self, body: bytes | AsyncIterable[bytes], content_length: int | None
    ) -> bytes | None:
        """The body, or ``None`` as soon as it proves longer than ``max_body``."""
        limit = self._max_body
        if content_length is not None and content_length > limit:
            return None
        if isinstance(body, bytes):
            return body if len(body) <= limit else None
        data = bytearray()
        async for chunk in body:
            data += chunk
            if len(data) > limit:
                return None
        return bytes(data)


def _reply(confirmation: str | InstantReply | None) -> InstantReply | None:
    return InstantReply(confirmation) if isinstance(confirmation, str) else confirmation
