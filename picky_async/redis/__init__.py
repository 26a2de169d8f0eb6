"""Dispatchers in several processes and hosts sharing the same projects through Redis.

Needs the ``redis`` extra: ``pip install 'picky_async[redis]'``. See
:class:`RedisLedger` and the "Deploying with several workers" page.
"""

from __future__ import annotations

from ._ledger import RedisLedger

__all__ = ["RedisLedger"]
