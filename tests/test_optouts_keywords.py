"""Opt-out keywords: which texts stop or start messages, and applying them to a sender."""

from __future__ import annotations

import logging

import pytest
from safety_stores import Store

import picky_async as pa
from picky_async.safety import START_WORDS, STOP_WORDS

NUMBER = "919876543210"


@pytest.fixture
def opt_outs(safety_store: Store) -> Store:
    """Each test runs on OptOuts (SQLite), then on RedisOptOuts."""
    return safety_store


@pytest.mark.parametrize(
    ("text", "action"),
    [
        ("STOP", "stop"),
        ("stop", "stop"),
        ("  Stop \n", "stop"),
        ("unsubscribe", "stop"),
        ("OptOut", "stop"),
        ("\uff33\uff34\uff2f\uff30", "stop"),  # full-width STOP, as some keyboards type it
        ("start", "start"),
        (" Yes ", "start"),
        ("please stop", None),
        ("STOP sending me this", None),
        ("stop!", None),
        ("st op", None),
        ("", None),
        ("STARTS", None),
    ],
)
def test_the_whole_trimmed_text_is_compared_case_folded(
    opt_outs: Store, text: str, action: str | None
) -> None:
    assert opt_outs.keyword_action(text) == action


def test_the_defaults() -> None:
    assert {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "OPTOUT"} == STOP_WORDS
    assert {"START", "UNSTOP", "YES"} == START_WORDS


def test_extra_words_add_to_the_defaults() -> None:
    opt_outs = pa.OptOuts(stop_words=["ALTO", "parar", "रोकें"], start_words=["Sí"])
    opt_outs.close()  # keywords need no database
    assert [opt_outs.keyword_action(t) for t in ("alto", "PARAR", " रोकें ", "STOP")] == ["stop"] * 4
    assert [opt_outs.keyword_action(t) for t in ("SÍ", "start")] == ["start", "start"]


def test_bad_word_lists_are_refused() -> None:
    with pytest.raises(ValueError, match="blank"):
        pa.OptOuts(stop_words=[" "])
    with pytest.raises(ValueError, match="both stop and start"):
        pa.OptOuts(start_words=["stop"])
    with pytest.raises(TypeError, match="list"):
        pa.OptOuts(stop_words="ALTO")


def _inbound(text: str, number: str = NUMBER) -> pa.InboundMessage:
    return pa.InboundMessage(number, text, unique_id="7")


def test_record_applies_a_keyword_to_its_sender(opt_outs: Store) -> None:
    assert opt_outs.record(_inbound(" Stop ", "+91 98765 43210")) == "stop"
    assert NUMBER in opt_outs
    assert opt_outs.record(_inbound("hello")) is None
    assert NUMBER in opt_outs
    assert opt_outs.record(_inbound("START")) == "start"
    assert NUMBER not in opt_outs


def test_record_skips_groups_and_names(opt_outs: Store, caplog: pytest.LogCaptureFixture) -> None:
    assert opt_outs.record(_inbound("STOP", f"Family @{NUMBER}")) is None
    assert not caplog.records
    with caplog.at_level(logging.WARNING, logger="picky_async.safety"):
        assert opt_outs.record(_inbound("STOP", "Asha Rao")) is None
    assert len(opt_outs) == 0
    [warning] = caplog.records
    assert "inbound message 7" in warning.getMessage()
    assert "Asha" not in warning.getMessage()
