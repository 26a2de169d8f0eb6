"""Processes and hosts sharing the same projects, and the same opt-outs, through Redis.

Needs the ``redis`` extra: ``pip install 'picky_async[redis]'``. See
:class:`RedisLedger`, :class:`RedisOptOuts` and the "Deploying with several
workers" page.
"""

from __future__ import annotations

from ._ledger import RedisLedger
from ._optouts import RedisOptOuts

__all__ = ["RedisLedger", "RedisOptOuts"]
