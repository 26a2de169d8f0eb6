"""Redis key names for one project, from a keyed hash: the token never reaches Redis."""

from __future__ import annotations

import hashlib

import attrs

__all__ = ["ProjectKeys", "project_keys"]


@attrs.frozen
class ProjectKeys:
    """The keys of one project's shared ledger.

    They share one hash tag (``{...}``), so a Redis Cluster keeps them on one
    node, where a script may use them together.
    """

    state: str
    pushes: str
    statuses: str
    push_lease: str
    probe_lease: str
    high_claim: str


def project_keys(namespace: str, token: str, secret: bytes) -> ProjectKeys:
    """The keys of the project with ``token`` in ``namespace``.

    A BLAKE2b hash keyed with ``secret`` names the project: the same for
    every process that has the token (and the secret), and nothing from which
    a reader of Redis could recover the token, or even test a guess at it
    without the secret.
    """
    digest = hashlib.blake2b(
        f"{namespace}\0{token}".encode(), key=secret, digest_size=16, person=b"picky-ledger"
    ).hexdigest()
    prefix = f"picky:{namespace}:{{{digest}}}"
    return ProjectKeys(
        state=f"{prefix}:state",
        pushes=f"{prefix}:pushes",
        statuses=f"{prefix}:statuses",
        push_lease=f"{prefix}:push-lease",
        probe_lease=f"{prefix}:probe-lease",
        high_claim=f"{prefix}:high-claim",
    )
