"""Webhooks in any ASGI framework: FastAPI and Starlette mount :func:`webhook_app`.

A plain ASGI 3 application with no framework dependency, answering as
:func:`picky_async.webhook_handler` does for aiohttp; both share one core.
"""

from __future__ import annotations

from .webhook._asgi import webhook_app

__all__ = ["webhook_app"]
