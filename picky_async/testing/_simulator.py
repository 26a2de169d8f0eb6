"""The Simulator: a local Picky Assist service with one simulated phone per project."""

from __future__ import annotations

import asyncio
import datetime
import random
import secrets
from collections.abc import Mapping, Sequence
from types import TracebackType

from aiohttp import web

from ..core import Application, MessageType, RateLimit
from ._faults import Faults
from ._project import SimProject
from ._records import Journal, MessageRecord, RequestRecord, Stats
from ._server import BASE_PATH, build_app
from ._service import Service
from ._webhooks import InboundResult, WebhookMethod, Webhooks

__all__ = ["DEFAULT_PUSH_LIMIT", "DEFAULT_STATUS_LIMIT", "Simulator"]

DEFAULT_PUSH_LIMIT = RateLimit(90, 60.0)
"""What the service allows: about 90 push requests a minute per project."""

DEFAULT_STATUS_LIMIT = RateLimit(3, 60.0)
"""What the service allows: 3 device status requests a minute per project."""


class Simulator:
    """A stand-in for the Picky Assist service on 127.0.0.1, for tests and demos.

    ::

        async with Simulator(projects=2, seconds_per_message=1.0) as sim:
            async with pa.PickyClient(sim.projects[0].token, base_url=sim.base_url) as c:
                await c.push([pa.Message("919876543210", "hi")])
            assert sim.stats.over_limit["project-1"] == 0

    It serves ``/push``, ``/conference-request``, ``/conference-report``,
    ``/device-status`` and ``/device-action`` under :attr:`base_url`, in JSON
    or ``data=`` form encoding, with the document's status codes (HTTP 200
    with a ``status`` field, as the service answers). ``projects`` adds that
    many projects named ``project-1``, ``project-2``, ...; :meth:`add_project`
    adds more, each with its own phone, which sends one message per
    ``seconds_per_message``, priority 1 first. Requests over a project's rate
    limits get HTTP 429 and are counted in ``stats.over_limit``; set
    ``project.state`` to make it answer 403/404/405/408/409/504; :attr:`faults`
    injects latency, 5xx, resets and lost answers.

    A push lists its messages as the document's samples do, in
    ``data: [{number, message}, ...]``, or as its table does, with a top-level
    ``number`` and ``message`` for one message. A body with a ``data`` list
    (even an empty one) is read by it alone: it names every recipient, and a
    top-level ``number`` and ``message`` beside it are ignored. Every
    spelling clients send is read: numbers, ``application`` and ``priority``
    as strings or ints, ``"priority "`` with a trailing space, an empty
    ``globalmedia``, unknown keys (ignored), and a JSON body under any
    Content-Type or none.

    Tests assert on :attr:`requests`, :attr:`messages`, :attr:`sent` and
    :attr:`stats`, and can :meth:`wait_sent`. All times come from the event
    loop clock (``loop.time()``), so under ``looptime`` minutes of phone time
    pass in milliseconds. ``seed`` makes jitter and fault chances repeatable;
    ``epoch`` is the wall-clock time the service shows at start (default: now).
    A Simulator starts once.
    """

    def __init__(
        self,
        *,
        projects: int = 0,
        seconds_per_message: float = 5.0,
        host: str = "127.0.0.1",
        port: int = 0,
        seed: int = 0,
        epoch: datetime.datetime | None = None,
    ) -> None:
        self._host = host
        self._port = port
        self._epoch = epoch
        self._rng = random.Random(seed)
        self._journal = Journal()
        self._service = Service(self._journal, epoch=epoch or datetime.datetime.now())
        self._webhooks = Webhooks(self._service, self._journal)
        self._runner: web.AppRunner | None = None
        self._base_url: str | None = None
        self._closed = False
        self.faults = Faults(self._rng)
        """Fault rules, global or per project; see :class:`Faults`."""
        for _ in range(projects):
            self.add_project(seconds_per_message=seconds_per_message)

    def __repr__(self) -> str:
        where = self._base_url or "not started"
        return f"Simulator({where}, projects={len(self._service.projects)})"

    async def __aenter__(self) -> Simulator:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()

    async def start(self) -> None:
        """Start serving; :attr:`base_url` is valid from now on."""
        if self._runner is not None or self._closed:
            raise RuntimeError("a Simulator starts once; make a new one")
        self._service.start = asyncio.get_running_loop().time()
        if self._epoch is None:
            self._service.epoch = datetime.datetime.now()
        runner = web.AppRunner(
            build_app(self._service, self.faults, self._journal), access_log=None
        )
        await runner.setup()
        site = web.TCPSite(runner, self._host, self._port)
        await site.start()
        self._runner = runner
        host, port = runner.addresses[0][:2]
        self._base_url = f"http://{host}:{port}{BASE_PATH}"

    async def close(self) -> None:
        """Stop serving and stop every phone; the records stay readable."""
        self._closed = True
        self._journal.close()
        await self._webhooks.close()
        for project in self._service.projects.values():
            project.phone.power_off()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    @property
    def base_url(self) -> str:
        """Where clients post, such as ``http://127.0.0.1:PORT/app/api/v2``.

        Raises:
            RuntimeError: before :meth:`start`.
        """
        if self._base_url is None:
            raise RuntimeError("the Simulator is not running; use `async with Simulator()`")
        return self._base_url

    def add_project(
        self,
        token: str | None = None,
        *,
        name: str | None = None,
        seconds_per_message: float = 5.0,
        jitter: float = 0.0,
        push_limit: RateLimit = DEFAULT_PUSH_LIMIT,
        status_limit: RateLimit = DEFAULT_STATUS_LIMIT,
        webhook_url: str | None = None,
        webhook_method: WebhookMethod = "form",
        webhook_variables: Mapping[str, str] | None = None,
        dial_seconds: float = 5.0,
        call_seconds: float = 30.0,
        restart_seconds: float = 10.0,
    ) -> SimProject:
        """Add a project (and its phone); works before and while running.

        ``token`` defaults to a random one. ``push_limit`` covers push,
        conference-request and conference-report; ``status_limit`` covers
        device-status and device-action. A phone sends a message every
        ``seconds_per_message`` (give or take ``jitter``), dials a conference for
        ``dial_seconds`` and talks ``call_seconds``; a restart command pauses it
        ``restart_seconds``. ``webhook_url`` (its query string holds custom
        variables, like ``webhook_variables``) receives :meth:`inbound` messages.

        Raises:
            ValueError: for a token or name already in use, or negative timings.
        """
        projects = self._service.projects
        token = secrets.token_hex(16) if token is None else token
        number = len(projects) + 1
        name = f"project-{number}" if name is None else name
        if token in projects:
            raise ValueError("that token is already in use")
        if any(project.name == name for project in projects.values()):
            raise ValueError(f"a project named {name!r} already exists")
        if min(seconds_per_message, jitter, dial_seconds, call_seconds, restart_seconds) < 0:
            raise ValueError("timings must not be negative")
        project = SimProject(
            token,
            name=name,
            project_id=str(number),
            seconds_per_message=seconds_per_message,
            jitter=jitter,
            push_limit=push_limit,
            status_limit=status_limit,
            webhook_url=webhook_url,
            webhook_method=webhook_method,
            webhook_variables=webhook_variables or {},
            dial_seconds=dial_seconds,
            call_seconds=call_seconds,
            restart_seconds=restart_seconds,
            rng=self._rng,
            journal=self._journal,
        )
        projects[token] = project
        return project

    @property
    def projects(self) -> list[SimProject]:
        """Every project, in the order added."""
        return list(self._service.projects.values())

    def project(self, name: str) -> SimProject:
        """The project called ``name``.

        Raises:
            KeyError: when there is none.
        """
        for project in self._service.projects.values():
            if project.name == name:
                return project
        raise KeyError(name)

    @property
    def requests(self) -> Sequence[RequestRecord]:
        """Every request received, in arrival order."""
        return self._journal.requests

    @property
    def messages(self) -> Sequence[MessageRecord]:
        """Every message a phone accepted, in acceptance order."""
        return self._journal.messages

    @property
    def sent(self) -> Sequence[MessageRecord]:
        """The accepted messages the phones have sent, in sending order."""
        return self._journal.sent

    @property
    def stats(self) -> Stats:
        """Counters by endpoint, status, project and fault."""
        return self._journal.stats

    async def wait_sent(self, count: int | None = None) -> None:
        """Wait until the phones have sent ``count`` messages in all.

        ``None`` means every message accepted so far and not deleted. Cheap
        under ``looptime``, which skips the wait; in real time, mind the
        phones' speed or wrap it in ``asyncio.timeout``.

        Raises:
            RuntimeError: when the Simulator closes first.
        """
        if count is None:
            count = sum(not record.deleted for record in self._journal.messages)
        await self._journal.wait_sent(count)

    async def inbound(
        self,
        project: SimProject,
        number: str,
        text: str,
        *,
        type: MessageType | int = MessageType.TEXT,
        application: Application | int = Application.WHATSAPP,
        media_url: str | None = None,
        method: WebhookMethod | None = None,
        encode_message_in: bool = False,
    ) -> InboundResult:
        """Deliver an inbound message to ``project``'s webhook, as the service does.

        Posts ``number``, ``message-in``, ``type``, ``application``,
        ``unique-id``, ``project-id``, ``media-url`` and the custom variables,
        as a form (``method="form"``, the service's default), as JSON, or in
        the URL with an empty body and no content type (``method="query"``,
        the default method as the document describes it); ``None`` uses the
        project's ``webhook_method``. With ``encode_message_in``,
        ``message-in`` is URL-encoded and ``message_in_raw`` carries the text
        as typed, as current payloads do. An instant reply in the answer
        is queued to the phone after its ``delay``, through the inbound
        application when its ``application`` is 0.

        Raises:
            ValueError: when the project has no ``webhook_url``.
            aiohttp.ClientError: when the webhook cannot be reached.
        """
        return await self._webhooks.post(
            project,
            number,
            text,
            type=type,
            application=application,
            media_url=media_url,
            method=method,
            encode_message_in=encode_message_in,
        )
