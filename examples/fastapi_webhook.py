"""A WhatsApp order-status bot in FastAPI: the webhook is a mounted ASGI application.

    pip install fastapi uvicorn
    PICKY_WEBHOOK_SECRET=change-me python examples/fastapi_webhook.py

listens on 127.0.0.1:8000. A mount serves the paths below it, so configure the
project's webhook (Settings -> Webhooks) with the trailing slash, as
``https://your-host/picky/?secret=change-me``, or try it locally:

    curl -d 'number=919876543210&message-in=status 1042' \\
        'http://127.0.0.1:8000/picky/?secret=change-me'
"""

from __future__ import annotations

import os

import uvicorn
from fastapi import FastAPI

import picky_async as pa
from picky_async.asgi import webhook_app

ORDERS = {"1042": "shipped on Monday", "1043": "being packed"}
HELP = "Send STATUS and your order number, for example: STATUS 1042"


async def answer(inbound: pa.InboundMessage) -> pa.InstantReply | None:
    """Answer "status <order>" with the order's state; stay quiet in groups."""
    if inbound.is_group:
        return None
    keyword, _, order = inbound.message.strip().partition(" ")
    if keyword.lower() != "status":
        return pa.InstantReply(HELP)
    state = ORDERS.get(order.strip())
    if state is None:
        return pa.InstantReply(f"We found no order {order.strip()!r}. {HELP}")
    return pa.InstantReply(f"Order {order.strip()} is {state}.")


def make_app(*, secret: str | None = None) -> FastAPI:
    """The bot's FastAPI application: the webhook at ``/picky/``, a health check beside it."""
    app = FastAPI()
    app.mount("/picky", webhook_app(answer, secret=secret))

    @app.get("/health")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    return app


def main() -> None:
    secret = os.environ.get("PICKY_WEBHOOK_SECRET") or None
    # No access log: it writes the request line, and with it the secret.
    uvicorn.run(make_app(secret=secret), host="127.0.0.1", port=8000, access_log=False)


if __name__ == "__main__":
    main()
