"""A small WhatsApp bot: answer each inbound message with an instant reply.

Instant replies are the fastest way to answer: the reply rides back on the
webhook's own HTTP answer instead of a separate push.

    PICKY_WEBHOOK_SECRET=change-me python examples/webhook_bot.py

listens on 127.0.0.1:8080. Configure the project's webhook (Settings -> Webhooks)
as ``https://your-host/picky?secret=change-me``, or try it locally:

    curl -d 'number=919876543210&message-in=hours' \\
        'http://127.0.0.1:8080/picky?secret=change-me'
"""

from __future__ import annotations

import os

from aiohttp import web

import picky_async as pa

ANSWERS = {
    "hours": "We are open 9am-6pm, Monday to Saturday.",
    "price": "Our price list: https://shop.example/prices",
}
HELP = "Hello! Send HOURS for our opening hours or PRICE for our price list."


async def answer(inbound: pa.InboundMessage) -> pa.InstantReply | None:
    """Reply to keywords; stay quiet in groups, where everybody would get the answer."""
    if inbound.is_group:
        return None
    if inbound.type not in (None, pa.MessageType.TEXT):
        return pa.InstantReply("Thanks! We can only read text for now, please write to us.")
    keyword = inbound.message.strip().lower()
    return pa.InstantReply(ANSWERS.get(keyword, HELP))


def make_app(*, secret: str | None = None) -> web.Application:
    """The bot's aiohttp application, with the webhook at ``/picky``."""
    app = web.Application()
    app.router.add_post("/picky", pa.webhook_handler(answer, secret=secret))
    return app


def main() -> None:
    secret = os.environ.get("PICKY_WEBHOOK_SECRET") or None
    web.run_app(
        make_app(secret=secret),
        host="127.0.0.1",
        port=int(os.environ.get("PORT", "8080")),
        # The default access log writes the request line, and with it the secret.
        access_log_format='%a %t "%{User-Agent}i" %s %b %Tf',
    )


if __name__ == "__main__":
    main()
