"""Sender safety: protections that keep a phone's number and its recipients' trust.

It stands on ``core`` only; the webhook records opt-outs with it, and the
dispatcher will refuse opted-out numbers with it.
"""

from __future__ import annotations

from ._keywords import START_WORDS, STOP_WORDS, KeywordAction
from ._optouts import OptOuts
from ._store import SafetyStore

__all__ = ["START_WORDS", "STOP_WORDS", "KeywordAction", "OptOuts", "SafetyStore"]
