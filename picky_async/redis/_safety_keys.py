"""Redis key names of a shared safety store: message keys and tally names hashed.

A key name shows nothing a dispatcher was given: a message key (an invoice
number, say) or a tally name (which may name a project) appears only as a
BLAKE2b hash. Numbers are stored as members, since exporting needs them.
"""

from __future__ import annotations

import hashlib

import attrs

__all__ = ["SafetyKeys", "safety_keys"]


@attrs.frozen
class SafetyKeys:
    """The keys of one namespace's safety store.

    ``numbers`` and ``version`` share a hash tag (``{...}``): a Redis Cluster
    keeps them on one node, where one script changes both.
    """

    prefix: str
    numbers: str  # hash: opted-out number -> "opted_out_at reason"
    version: str  # counter: the changes made to ``numbers``
    changes: str  # pub/sub channel: "version add|remove number", each change
    contacts: str  # set: the numbers that wrote to us

    def sent(self, key: str) -> str:
        """The key holding when a message with ``key`` was last accepted."""
        return f"{self.prefix}:sent:{_hashed(key)}"

    def daily(self, tally: str, day: str) -> str:
        """The key counting ``tally`` on ``day``."""
        return f"{self.prefix}:daily:{_hashed(tally)}:{day}"

    def first_day(self, tally: str) -> str:
        """The key holding the day ``tally`` was first used."""
        return f"{self.prefix}:first-day:{_hashed(tally)}"


def safety_keys(namespace: str) -> SafetyKeys:
    """The keys of the safety store of ``namespace``."""
    prefix = f"{namespace}:optouts"
    return SafetyKeys(
        prefix=prefix,
        numbers=f"{prefix}:{{numbers}}",
        version=f"{prefix}:{{numbers}}:version",
        changes=f"{prefix}:changes",
        contacts=f"{prefix}:contacts",
    )


def _hashed(name: str) -> str:
    return hashlib.blake2b(name.encode(), digest_size=16, person=b"picky-optouts").hexdigest()
