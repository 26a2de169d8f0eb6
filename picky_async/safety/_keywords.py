"""Opt-out keywords: which inbound texts stop messages, and which start them again."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from typing import Literal

__all__ = ["START_WORDS", "STOP_WORDS", "KeywordAction", "Keywords"]

KeywordAction = Literal["stop", "start"]

STOP_WORDS = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "OPTOUT"})
"""The words that always opt a sender out, as the SMS carriers' conventions have them."""
START_WORDS = frozenset({"START", "UNSTOP", "YES"})
"""The words that always opt a sender back in."""


def _folded(text: str) -> str:
    """``text`` as compared: NFKC (one spelling per character), trimmed, case-folded."""
    return unicodedata.normalize("NFKC", text).strip().casefold()


class Keywords:
    """The stop and start words: the defaults, and the extra ones given.

    The defaults always apply, so a list for another language can never
    switch STOP off. Raises ``ValueError`` for a blank word, or one that is
    both a stop and a start word.
    """

    def __init__(self, stop_words: Iterable[str] = (), start_words: Iterable[str] = ()) -> None:
        self._stop = _word_set(STOP_WORDS, stop_words)
        self._start = _word_set(START_WORDS, start_words)
        if both := self._stop & self._start:
            raise ValueError(f"words both stop and start messages: {sorted(both)}")

    def action(self, text: str) -> KeywordAction | None:
        """``"stop"`` or ``"start"`` when the WHOLE text is such a word, else ``None``."""
        folded = _folded(text)
        if folded in self._stop:
            return "stop"
        return "start" if folded in self._start else None


def _word_set(defaults: Iterable[str], extra: Iterable[str]) -> frozenset[str]:
    if isinstance(extra, str):
        raise TypeError("give the words as a list, not one string")
    words = frozenset(_folded(word) for word in (*defaults, *extra))
    if "" in words:
        raise ValueError("a keyword must not be blank: every empty message would match it")
    return words
