"""A project of the simulated service: one token, one phone, its limits and state."""

from __future__ import annotations

import enum
import random
from collections.abc import Mapping

from ..core import RateLimit, SlidingWindow, StatusCode
from ._conference import Conference
from ._phone import Phone
from ._records import Journal

__all__ = ["ENDPOINTS", "ProjectState", "SimProject"]

ENDPOINTS = ("push", "conference-request", "conference-report", "device-status", "device-action")
"""The service's endpoints, as paths under the base URL."""


class ProjectState(str, enum.Enum):
    """What the service thinks of a project; set ``project.state`` at run time.

    | state         | answers                                  | phone runs |
    |---------------|------------------------------------------|------------|
    | ONLINE        | normally                                 | yes        |
    | OFFLINE       | 404 (501 for conference-request)         | no         |
    | NO_DEVICE     | 504 device-status/-action, 404 push, 501 | no         |
    | NO_BALANCE    | 403 on push and conference-request       | yes        |
    | PLAN_INACTIVE | 405 on every endpoint                    | yes        |
    | INACTIVE      | 408 on every endpoint                    | no         |
    | INVALID_USER  | 409 on every endpoint                    | yes        |

    A phone that does not run keeps its queue and carries on where it stopped.
    """

    ONLINE = "online"
    OFFLINE = "offline"
    NO_DEVICE = "no-device"
    NO_BALANCE = "no-balance"
    PLAN_INACTIVE = "plan-inactive"
    INACTIVE = "inactive"
    INVALID_USER = "invalid-user"


# The status a state answers on each endpoint; endpoints not named work normally.
REFUSALS: Mapping[ProjectState, Mapping[str, StatusCode]] = {
    ProjectState.ONLINE: {},
    ProjectState.OFFLINE: {
        "push": StatusCode.DEVICE_UNREACHABLE,
        "conference-request": StatusCode.CALL_NOT_CONNECTED,
        "device-status": StatusCode.DEVICE_UNREACHABLE,
        "device-action": StatusCode.DEVICE_UNREACHABLE,
    },
    ProjectState.NO_DEVICE: {
        "push": StatusCode.DEVICE_UNREACHABLE,
        "conference-request": StatusCode.CALL_NOT_CONNECTED,
        "device-status": StatusCode.DEVICE_NOT_FOUND,
        "device-action": StatusCode.DEVICE_NOT_FOUND,
    },
    ProjectState.NO_BALANCE: {
        "push": StatusCode.INSUFFICIENT_BALANCE,
        "conference-request": StatusCode.INSUFFICIENT_BALANCE,
    },
    ProjectState.PLAN_INACTIVE: dict.fromkeys(ENDPOINTS, StatusCode.PLAN_NOT_ACTIVE),
    ProjectState.INACTIVE: dict.fromkeys(ENDPOINTS, StatusCode.PROJECT_INACTIVE),
    ProjectState.INVALID_USER: dict.fromkeys(ENDPOINTS, StatusCode.INVALID_USER),
}

_PHONE_STOPPED = frozenset({ProjectState.OFFLINE, ProjectState.NO_DEVICE, ProjectState.INACTIVE})


class SimProject:
    """One project of a :class:`Simulator`: its token, phone, limits and records.

    Made by :meth:`Simulator.add_project`. Change ``state`` (a
    :class:`ProjectState`), ``supports_calls`` (``False`` answers 502 to
    conference requests, an Android too old) or ``seconds_per_message`` at
    run time. The repr never shows the token.
    """

    __slots__ = (
        "_state",
        "call_seconds",
        "conferences",
        "dial_seconds",
        "name",
        "phone",
        "project_id",
        "push_window",
        "status_window",
        "supports_calls",
        "token",
        "webhook_method",
        "webhook_url",
        "webhook_variables",
    )

    def __init__(
        self,
        token: str,
        *,
        name: str,
        project_id: str,
        seconds_per_message: float,
        jitter: float,
        push_limit: RateLimit,
        status_limit: RateLimit,
        webhook_url: str | None,
        webhook_method: str,
        webhook_variables: Mapping[str, str],
        dial_seconds: float,
        call_seconds: float,
        restart_seconds: float,
        rng: random.Random,
        journal: Journal,
    ) -> None:
        self.token = token
        self.name = name
        self.project_id = project_id
        self.push_window = SlidingWindow(push_limit)
        self.status_window = SlidingWindow(status_limit)
        self.webhook_url = webhook_url
        self.webhook_method = webhook_method
        self.webhook_variables = dict(webhook_variables)
        self.dial_seconds = dial_seconds
        self.call_seconds = call_seconds
        self.supports_calls = True
        self.conferences: dict[str, Conference] = {}
        self._state = ProjectState.ONLINE
        self.phone = Phone(
            seconds_per_message=seconds_per_message,
            jitter=jitter,
            restart_seconds=restart_seconds,
            rng=rng,
            on_sent=journal.message_sent,
            on_deleted=journal.messages_deleted,
        )

    def __repr__(self) -> str:
        return (
            f"SimProject(name={self.name!r}, project_id={self.project_id!r}, "
            f"state={self._state.value}, queued={self.message_queue_count})"
        )

    @property
    def state(self) -> ProjectState:
        """The project's state; setting it takes effect at once."""
        return self._state

    @state.setter
    def state(self, state: ProjectState) -> None:
        self._state = ProjectState(state)
        self.phone.set_online(self._state not in _PHONE_STOPPED)

    @property
    def seconds_per_message(self) -> float:
        """Mean seconds the phone takes per message; settable at run time."""
        return self.phone.seconds_per_message

    @seconds_per_message.setter
    def seconds_per_message(self, seconds: float) -> None:
        self.phone.seconds_per_message = seconds

    @property
    def message_queue_count(self) -> int:
        """Messages on the phone not yet sent, the one being sent included."""
        return len(self.phone.messages)

    @property
    def call_queue_count(self) -> int:
        """Conferences on the phone not yet completed, the current one included."""
        return len(self.phone.calls)

    def refusal(self, endpoint: str) -> StatusCode | None:
        """The status the project's state answers on ``endpoint``, if it refuses."""
        return REFUSALS[self._state].get(endpoint)
