"""PickyClient: one method per V2 endpoint, typed in and out.

Everything is checked before a request leaves, so a bad number or an empty
message never costs a request. A request is tried again only when it certainly
did not leave (the connection could not be made); once sent, a lost answer is
reported as :class:`DeliveryUncertain` and never resent, since a second push
may deliver the messages twice.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable, Iterable, Sequence
from types import TracebackType
from typing import TypeVar

import aiohttp

from ..core import (
    ActionResult,
    Application,
    ConferenceCall,
    DeliveryUncertain,
    DeviceCommand,
    DeviceStatus,
    EmptyNumberList,
    InvalidNumber,
    Message,
    Priority,
    PushResult,
    RateLimited,
    TooFewContacts,
    TooManyContacts,
    TransportError,
    check_region,
    normalize_number,
)
from ..wire import (
    ConferenceReportRequest,
    ConferenceRequest,
    DeviceActionRequest,
    DeviceStatusRequest,
    Encoding,
    MalformedPayload,
    PushRequest,
    Request,
    converter,
    encode_body,
    structure_answer,
)
from ..wire._push import read_msg_ids
from ._environment import DEFAULT_BASE_URL, base_url_or_environment, token_or_environment
from ._options import check_timeout
from ._prepared import PreparedPush, prepare_push
from ._retry import RetryPolicy
from ._retry_after import retry_after
from ._user_agent import USER_AGENT

__all__ = ["DEFAULT_BASE_URL", "PickyClient"]

logger = logging.getLogger("picky_async.client")

_T = TypeVar("_T")

# The connection was never made, so the service cannot have seen the request.
_NOT_SENT: tuple[type[BaseException], ...] = (
    aiohttp.ClientConnectorError,
    aiohttp.ConnectionTimeoutError,
)
# Also never sent, but trying again cannot help (TLS and proxy trouble).
_NOT_SENT_FOR_GOOD: tuple[type[BaseException], ...] = (
    aiohttp.ClientSSLError,
    aiohttp.ServerFingerprintMismatch,
    aiohttp.ClientHttpProxyError,
)

# Gateway answers: the request never reached the service's application.
_NOT_PROCESSED_STATUSES = frozenset({502, 503, 504})

_MIN_CONFERENCE = 2
_MAX_CONFERENCE = 5


class PickyClient:
    """A client for the Picky Assist V2 API, bound to one project's token.

    Use it as ``async with PickyClient(token) as client:``, or call
    :meth:`close` yourself. It opens one ``aiohttp.ClientSession`` on first
    use, or borrows ``session`` (which it then never closes). ``timeout``
    bounds connecting and each wait for the answer, in seconds. ``retry``
    says how to retry requests that could not connect (``None``: never).
    With ``encoding="form"`` the JSON goes in the form field ``data=``, as
    the document allows. Every request says ``User-Agent: picky_async/<version>
    (aiohttp/<version>; python/<version>)``, set per request, so a borrowed
    session's own headers stay as they were.

    Every method raises :class:`PickyError` subclasses: the one for the
    service's status code; :class:`TransportError` when the request certainly
    was not processed (no connection, HTTP 3xx/4xx, 502-504, and
    :class:`RateLimited` for HTTP 429, with the seconds its ``Retry-After``
    header asked for); and :class:`DeliveryUncertain` when it
    went out but no usable answer came (no answer, HTTP 500 and other 5xx, or a
    2xx body that is not a valid answer, such as one not JSON or nested too
    deeply to read): the service may have queued it. Every endpoint raises
    :class:`DeliveryUncertain` for these, since none can tell what the service
    did with the request.

    Without ``token``, the client reads the ``PICKY_TOKEN`` environment
    variable; without ``base_url``, ``PICKY_BASE_URL``, else
    :data:`DEFAULT_BASE_URL`. An argument given wins over the environment.

    Raises:
        ValueError: for an empty token, no token while ``PICKY_TOKEN`` is
            unset, a base URL that is not http(s) with a host or that holds
            the token (as a path segment, query value, ...), a timeout that
            is not positive, an unknown encoding, or a ``default_region``
            that is not an ISO 3166 two-letter region.
        ImportError: for a ``default_region`` without the ``numbers`` extra.
    """

    def __init__(
        self,
        token: str | None = None,
        *,
        base_url: str | None = None,
        session: aiohttp.ClientSession | None = None,
        timeout: float = 30.0,
        retry: RetryPolicy | None = RetryPolicy(),  # noqa: B008 - frozen, so shareable
        encoding: Encoding = "json",
        default_region: str | None = None,
    ) -> None:
        token = token_or_environment(token)
        base_url = base_url_or_environment(base_url, tokens=[token])
        check_timeout(timeout)
        if encoding not in ("json", "form"):
            raise ValueError(f"encoding must be 'json' or 'form', got {encoding!r}")
        self._token = token
        self._base_url = base_url
        self._session = session
        self._owns_session = session is None
        self._closed = False
        self._timeout = aiohttp.ClientTimeout(total=None, connect=timeout, sock_read=timeout)
        self._retry = retry or RetryPolicy(attempts=1)
        self._encoding: Encoding = encoding
        self._default_region = check_region(default_region)

    def __repr__(self) -> str:
        return f"PickyClient(base_url={self._base_url!r}, encoding={self._encoding!r})"

    async def __aenter__(self) -> PickyClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()

    async def close(self) -> None:
        """Close the session if this client opened it; a borrowed one stays open."""
        self._closed = True
        session, self._session = self._session, None
        if self._owns_session and session is not None:
            await session.close()

    async def push(
        self,
        messages: Iterable[Message],
        *,
        application: Application | int = Application.WHATSAPP,
        priority: Priority | int = Priority.LOW,
        global_message: str | None = None,
        global_media: str | None = None,
    ) -> PushResult:
        """Queue messages on the project's phone in one request.

        Each :class:`Message` has its own text (a dynamic push), or leaves it
        empty to get ``global_message`` (a bulk push). The service sends one
        media per push: a message's ``media`` must equal every other's and
        ``global_media`` if given. For SMS the media URL is appended to the text.
        Status 100 means queued, not delivered.

        Raises:
            EmptyNumberList: for no messages.
            EmptyMessage: for a message with no text, global message or media.
            ValueError: for messages with different media, or a priority not 0/1.
            PickyError: see the class docstring.
        """
        prepared = self._prepare_push(messages, application, priority, global_message, global_media)
        return await self._send(
            PushRequest.path, prepared.body, prepared.content_type, _read_push_result
        )

    async def push_msg_ids(
        self,
        messages: Iterable[Message],
        *,
        application: Application | int = Application.WHATSAPP,
        priority: Priority | int = Priority.LOW,
        global_message: str | None = None,
        global_media: str | None = None,
    ) -> tuple[str, list[str | None]]:
        """:meth:`push`, answering only the push id and each message's ``msg_id``.

        For pushing in bulk: it skips building a :class:`Recipient` per
        message. The ids are in the order of ``messages``, ``None`` where the
        answer gave none (older accounts give none at all). Raises what
        :meth:`push` raises.
        """
        prepared = self._prepare_push(messages, application, priority, global_message, global_media)

        def read(answer: object) -> tuple[str, list[str | None]]:
            return read_msg_ids(answer, prepared.numbers)

        return await self._send(PushRequest.path, prepared.body, prepared.content_type, read)

    def _prepare_push(
        self,
        messages: Iterable[Message],
        application: Application | int,
        priority: Priority | int,
        global_message: str | None,
        global_media: str | None,
    ) -> PreparedPush:
        return prepare_push(
            self._token,
            messages,
            application=application,
            priority=priority,
            global_message=global_message,
            global_media=global_media,
            encoding=self._encoding,
        )

    async def conference(
        self,
        numbers: Sequence[str | int],
        *,
        priority: Priority | int = Priority.LOW,
        mute_gateway: bool = False,
        record: bool = False,
        normalize: bool = True,
    ) -> PushResult:
        """Ask the phone to call 2-5 numbers and join them in a conference.

        The numbers are normalized as :class:`Message` numbers are, with the
        client's ``default_region``. The phone dials them through its SIM,
        and some carriers want them with ``+`` or without the country code:
        with ``normalize=False`` each is sent exactly as given, a non-empty str.

        Raises:
            InvalidNumber: for a number refused (see ``normalize_number``), or
                with ``normalize=False`` one that is not a str or is blank.
            EmptyNumberList: for no numbers.
            TooFewContacts: for one number.
            TooManyContacts: for more than five.
            PickyError: see the class docstring.
        """
        read = self._conference_number if normalize else _number_as_given
        request = ConferenceRequest(
            self._token,
            priority=Priority(priority),
            mute_gateway=mute_gateway,
            record=record,
            numbers=_conference_numbers(numbers, read),
        )
        return await self._call(request, PushResult)

    def _conference_number(self, number: str | int) -> str:
        return normalize_number(number, default_region=self._default_region)

    async def conference_report(self, push_id: str | int) -> list[ConferenceCall]:
        """Fetch the calls of a conference, one row per number.

        Raises:
            ValueError: for an empty push id.
            InvalidPushId: when the service knows no such push.
            PickyError: see the class docstring.
        """
        if isinstance(push_id, bool) or not str(push_id).strip():
            raise ValueError(f"push_id must be a push id, got {push_id!r}")
        request = ConferenceReportRequest(self._token, str(push_id).strip())
        return await self._call(request, list[ConferenceCall])

    async def device_status(self) -> DeviceStatus:
        """Fetch the phone's state; the service allows about 3 of these a minute.

        Raises:
            DeviceNotFound: when the project has no phone.
            PickyError: see the class docstring.
        """
        return await self._call(DeviceStatusRequest(self._token), DeviceStatus)

    async def device_action(self, command: DeviceCommand | str) -> ActionResult:
        """Send the phone a remote command, such as restarting the app.

        Raises:
            ValueError: for a command the document does not list.
            PickyError: see the class docstring.
        """
        request = DeviceActionRequest(self._token, DeviceCommand(command))
        return await self._call(request, ActionResult)

    async def _call(self, request: Request, answer_type: type[_T]) -> _T:
        def read(answer: object) -> _T:
            return structure_answer(answer, answer_type)

        body, content_type = encode_body(converter.unstructure(request), self._encoding)
        return await self._send(request.path, body, content_type, read)

    async def _send(
        self, path: str, body: bytes, content_type: str, read: Callable[[object], _T]
    ) -> _T:
        url = f"{self._base_url}/{path}"
        try:
            answered = await self._retry.call(
                self._post, url, body, content_type, on=_NOT_SENT, about=f"POST {url}"
            )
        except _NOT_SENT as exc:
            raise TransportError(f"could not connect to {url}: {exc}") from exc
        status, answer = answered
        try:
            return read(answer)
        except (MalformedPayload, RecursionError) as exc:
            # The service took the request and answered 2xx: it may have queued it.
            reason = "nested too deeply" if isinstance(exc, RecursionError) else exc
            message = f"unusable answer from {url}: {reason}; it may be queued"
            raise DeliveryUncertain(message, status=status) from None

    async def _post(self, url: str, body: bytes, content_type: str) -> tuple[int, object]:
        session = self._session_for_request()
        logger.debug("POST %s (%d bytes)", url, len(body))
        try:
            async with session.post(
                url,
                data=body,
                headers={"Content-Type": content_type, "User-Agent": USER_AGENT},
                timeout=self._timeout,
                allow_redirects=False,
                raise_for_status=False,
            ) as response:
                status = response.status
                payload = await response.read()
        except _NOT_SENT_FOR_GOOD as exc:
            raise TransportError(f"could not send to {url}: {exc}") from exc
        except _NOT_SENT:  # never sent: the retry policy decides (and logs each retry)
            raise
        except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
            message = f"sent to {url} but no answer came ({type(exc).__name__}); it may be queued"
            raise DeliveryUncertain(message) from exc
        logger.debug("%s answered HTTP %d", url, status)
        if status == 429:
            wait = retry_after(response.headers.get("Retry-After"))
            message = f"{url} is over the project's rate limit (HTTP 429)"
            raise RateLimited(message, status=status, retry_after=wait)
        if status in _NOT_PROCESSED_STATUSES or 300 <= status < 500:
            raise TransportError(f"{url} answered HTTP {status}", status=status)
        if not 200 <= status < 300:
            # A 500 may come after the request was processed.
            message = f"{url} answered HTTP {status}; it may be queued"
            raise DeliveryUncertain(message, status=status)
        try:
            return status, json.loads(payload)
        except (ValueError, RecursionError):  # not JSON, or nested too deeply to read
            message = f"{url} answered HTTP {status} with a body that is not JSON; it may be queued"
            raise DeliveryUncertain(message, status=status) from None

    def _session_for_request(self) -> aiohttp.ClientSession:
        if self._closed:
            raise RuntimeError("this PickyClient is closed")
        if self._session is None:
            self._session = aiohttp.ClientSession()
        return self._session


def _read_push_result(answer: object) -> PushResult:
    return structure_answer(answer, PushResult)


def _number_as_given(number: str | int) -> str:
    """A conference number sent untouched, once it is known to be text at all."""
    if not isinstance(number, str):
        raise InvalidNumber(f"number must be a str, not {type(number).__name__}")
    if not number.strip():
        raise InvalidNumber(f"number must not be blank, got {number!r}")
    return number


def _conference_numbers(
    numbers: Sequence[str | int], read: Callable[[str | int], str]
) -> tuple[str, ...]:
    if isinstance(numbers, (str, bytes, int)):
        raise TypeError("conference() takes a sequence of numbers, not a single number")
    normalized = tuple(map(read, numbers))
    if not normalized:
        raise EmptyNumberList("a conference needs at least two numbers")
    if len(normalized) < _MIN_CONFERENCE:
        raise TooFewContacts(f"a conference needs at least 2 numbers, got {len(normalized)}")
    if len(normalized) > _MAX_CONFERENCE:
        raise TooManyContacts(f"a conference takes at most 5 numbers, got {len(normalized)}")
    return normalized
