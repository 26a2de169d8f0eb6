"""The HTTP side: aiohttp.web routes that carry requests to the service, with faults."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from aiohttp import web

from ..wire import MalformedPayload, decode_body
from ._answers import Answer, json_answer, status_answer
from ._faults import Fault, FaultKind, Faults
from ._records import Journal, RequestRecord
from ._service import ENDPOINTS, Service

__all__ = ["BASE_PATH", "build_app"]

# The same path as the real service, so a base URL swap is all a client needs.
BASE_PATH = "/app/api/v2"

BAD_REQUEST = 400


def build_app(service: Service, faults: Faults, journal: Journal) -> web.Application:
    """An application serving every endpoint under :data:`BASE_PATH`."""
    app = web.Application()
    for endpoint in ENDPOINTS:
        app.router.add_post(f"{BASE_PATH}/{endpoint}", _handler(endpoint, service, faults, journal))
    return app


def _handler(
    endpoint: str, service: Service, faults: Faults, journal: Journal
) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    def note(
        project: str | None,
        arrived: float,
        http_status: int | None,
        answer: Answer | None = None,
        fault: Fault | None = None,
    ) -> None:
        status = None if answer is None else answer.status
        kind = None if fault is None else fault.kind.value
        journal.requests.append(
            RequestRecord(endpoint, project, arrived, http_status, status, kind)
        )
        stats = journal.stats
        stats.requests[endpoint] += 1
        code = status if status is not None else http_status
        if code is not None:
            stats.statuses[code] += 1
        if kind is not None:
            stats.faults[kind] += 1

    async def handle(request: web.Request) -> web.StreamResponse:
        loop = asyncio.get_running_loop()
        arrived = loop.time()
        try:
            decoded = decode_body(await request.read(), request.content_type)
        except MalformedPayload as exc:
            malformed = json_answer(BAD_REQUEST, status_answer(BAD_REQUEST, str(exc)))
            note(None, arrived, BAD_REQUEST, malformed)
            return _respond(malformed)
        payload = {str(key).strip(): value for key, value in decoded.items()}
        project = service.project_for(payload)
        name = None if project is None else project.name
        struck = faults.strike(endpoint, name)
        fault = struck[-1] if struck else None
        delay = sum(f.seconds for f in struck if f.kind is FaultKind.LATENCY)
        if delay:
            await asyncio.sleep(delay)
        kind = None if fault is None else fault.kind
        if kind is FaultKind.RESET:
            note(name, arrived, None, fault=fault)
            return _drop(request)
        if kind is FaultKind.SERVER_ERROR:
            assert fault is not None
            note(name, arrived, fault.status, fault=fault)
            return web.Response(status=fault.status, text="Service Unavailable (simulated)")
        answer = service.answer(endpoint, project, payload, loop.time())
        if kind is FaultKind.LOST_ANSWER:
            note(name, arrived, None, answer, fault)
            return _drop(request)
        note(name, arrived, answer.http_status, answer, fault)
        return _respond(answer)

    return handle


def _respond(answer: Answer) -> web.Response:
    """The answer as ``web.json_response`` would send it, its text already encoded."""
    return web.Response(
        text=answer.text, status=answer.http_status, content_type="application/json"
    )


def _drop(request: web.Request) -> web.StreamResponse:
    """Close the connection without a word; aiohttp then writes nothing."""
    if request.transport is not None:
        request.transport.abort()
    return web.Response()
