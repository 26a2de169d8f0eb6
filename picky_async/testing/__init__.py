"""A local Picky Assist service for tests, demos and benchmarks.

:class:`Simulator` serves the V2 endpoints on 127.0.0.1 with one simulated
phone per project, the service's rate limits, project states and injectable
faults, and records what it saw for assertions. The pytest plugin
(``picky_async.testing.plugin``) offers it as the ``picky_simulator`` fixture;
``python -m picky_async.testing`` runs one standalone. :class:`RedisServer`
runs a throwaway ``redis-server`` for tests of Redis-backed code.
"""

from __future__ import annotations

from ._faults import Fault, FaultKind, Faults
from ._project import ProjectState, SimProject
from ._records import MessageRecord, RequestRecord, Stats
from ._redis import RedisServer
from ._simulator import DEFAULT_PUSH_LIMIT, DEFAULT_STATUS_LIMIT, Simulator
from ._webhooks import InboundResult

__all__ = [
    "DEFAULT_PUSH_LIMIT",
    "DEFAULT_STATUS_LIMIT",
    "Fault",
    "FaultKind",
    "Faults",
    "InboundResult",
    "MessageRecord",
    "ProjectState",
    "RedisServer",
    "RequestRecord",
    "SimProject",
    "Simulator",
    "Stats",
]
