"""The aiohttp adapter: a request handler around :class:`WebhookReceiver`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import hdrs, web

from ..safety import SafetyStore
from ._receiver import DEFAULT_MAX_BODY, WebhookCallback, WebhookReceiver
from ._reply import InstantReply

__all__ = ["webhook_handler"]

WebhookHandler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def webhook_handler(
    callback: WebhookCallback,
    *,
    secret: str | None = None,
    secret_param: str = "secret",
    max_body: int = DEFAULT_MAX_BODY,
    message_in_encoded: bool = False,
    opt_outs: SafetyStore | None = None,
    confirm_stop: str | InstantReply | None = None,
    confirm_start: str | InstantReply | None = None,
) -> WebhookHandler:
    """An aiohttp handler that passes each inbound message to ``callback``.

    The handler answers with the :class:`InstantReply` the callback returns (as
    JSON), or an empty 200 when it returns ``None``. A method other than POST
    gets 405 (mounted with ``add_route("*", ...)``). An unreadable body gets 400
    with the reason as text, a body over ``max_body`` bytes 413. With a
    ``secret``, configure the webhook URL as ``.../hook?secret=...``: requests
    whose ``secret_param`` differs (compared in constant time) get 403, and the
    secret is kept out of the message's ``extra``. The query string is
    read with the body (see :func:`parse_webhook`), so fields posted in the URL
    count, and custom variables join ``extra``. ``message_in_encoded`` is
    :func:`parse_webhook`'s: for a ``message-in`` that arrives URL-encoded
    without a ``message_in_raw`` beside it. When the callback raises,
    the error is logged and the service gets 500, so a failure never passes
    for "no reply". aiohttp's default access log writes the request line, so
    leave ``%r`` out of ``access_log_format`` to keep the secret out of logs.

    With ``opt_outs``, a message whose whole text is a stop keyword (see
    :meth:`~picky_async.OptOuts.keyword_action`) adds its sender to
    ``opt_outs`` and a start keyword removes it, before the callback runs
    (see :meth:`~picky_async.OptOuts.record`); when that write fails, the
    service gets 500 and the callback does not run. The callback then sees
    the message as usual; when it returns ``None``, the handler answers a
    stop with ``confirm_stop`` and a start with ``confirm_start`` (a text or
    an :class:`InstantReply`), when given.

    Raises:
        ValueError: for an empty secret, a ``max_body`` below 1, or a
            confirmation without ``opt_outs``.
        EmptyMessage: for a blank confirmation.
    """
    receiver = WebhookReceiver(
        callback,
        secret=secret,
        secret_param=secret_param,
        max_body=max_body,
        message_in_encoded=message_in_encoded,
        opt_outs=opt_outs,
        confirm_stop=confirm_stop,
        confirm_start=confirm_start,
    )

    async def handle(request: web.Request) -> web.StreamResponse:
        answer = await receiver.answer(
            request.content.iter_any(),
            content_type=request.headers.get(hdrs.CONTENT_TYPE, ""),
            query=request.rel_url.raw_query_string,
            content_length=request.content_length,
            method=request.method,
        )
        return web.Response(
            status=answer.status,
            text=answer.text,
            content_type=answer.content_type,
            headers=answer.headers,
        )

    return handle
