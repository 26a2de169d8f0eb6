"""The push endpoint's hand-written fast paths agree with cattrs' generated ones."""

from __future__ import annotations

import decimal
import json
import pathlib
from typing import Any

import cattrs
import pytest
from cattrs.gen import make_dict_unstructure_fn, override
from hypothesis import given
from hypothesis import strategies as st

import picky_async as pa
from picky_async import wire
from picky_async.wire import _push

DATA = pathlib.Path(__file__).parent / "data"
TOKEN = "SECRET-TOKEN-123"

# What the push answer's fields may hold: the usual spellings and odd ones.
texts = st.one_of(st.text(max_size=8), st.integers(0, 10**12), st.none(), st.booleans())
credits = st.one_of(
    st.just("0.005"),
    st.just(""),
    st.none(),
    st.integers(0, 9),
    st.just("lots"),
    st.lists(st.none()),
)
rows = st.fixed_dictionaries(
    {},
    optional={"msg_id": texts, "number": texts, "credit": credits, "extra": texts},
)
answers = st.fixed_dictionaries(
    {},
    optional={
        "push_id": texts,
        "status": st.one_of(st.just(100), st.just("100"), st.just(True), st.just(1.0)),
        "message": texts,
        "data": st.one_of(st.lists(rows, max_size=4), st.just(""), st.none(), rows, texts),
    },
)


def detailed(answer: Any) -> object:
    """What cattrs alone makes of an answer: the result, or the type of its error."""
    try:
        return _push._structure_push_result(answer, pa.PushResult)
    except Exception as error:
        return type(error)


def fast(answer: object) -> object:
    try:
        return _push._read_push_result(answer)
    except Exception as error:
        return type(error)


@pytest.mark.parametrize("name", ["push_answer.json", "push_answer_with_recipients.json"])
def test_samples_take_the_fast_path_and_agree(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    answer = json.loads((DATA / name).read_text())
    expected = detailed(answer)

    def not_expected(*_: object) -> None:
        raise AssertionError("the usual spelling went the slow way")

    monkeypatch.setattr(_push, "_structure_push_result", not_expected)
    assert wire.structure_answer(answer, pa.PushResult) == expected


def test_fast_recipients_are_typed_as_before() -> None:
    answer = {"push_id": "7", "data": [{"msg_id": "1", "number": "5511", "credit": "0.5"}]}
    (recipient,) = wire.structure_answer(answer, pa.PushResult).recipients
    assert recipient == pa.Recipient("1", "5511", decimal.Decimal("0.5"))
    assert type(recipient.credit) is decimal.Decimal


@given(answers)
def test_fast_path_agrees_with_cattrs_on_any_spelling(answer: dict[str, Any]) -> None:
    assert fast(answer) == detailed(answer)


def ids(answer: object, numbers: list[str]) -> object:
    """What read_msg_ids makes of an answer, or the type of its error."""
    try:
        return _push.read_msg_ids(answer, numbers)
    except Exception as error:
        return type(error)


@given(answers)
def test_msg_ids_agree_with_the_push_result(answer: dict[str, Any]) -> None:
    numbers: list[str] = []
    try:
        result: object = wire.structure_answer(answer, pa.PushResult)
    except Exception as error:
        result = type(error)
    if isinstance(result, pa.PushResult):
        numbers = [r.number for r in result.recipients]
        result = (result.push_id, [r.msg_id for r in result.recipients])
    assert ids(answer, numbers) == result


def test_msg_ids_of_the_sample_take_the_fast_path(monkeypatch: pytest.MonkeyPatch) -> None:
    answer = json.loads((DATA / "push_answer_with_recipients.json").read_text())
    expected = wire.structure_answer(answer, pa.PushResult)
    numbers = [r.number for r in expected.recipients]
    monkeypatch.setattr(_push, "structure_request", None)  # calling it would fail
    push_id, msg_ids = _push.read_msg_ids(answer, numbers)
    assert push_id == expected.push_id
    assert msg_ids == [r.msg_id for r in expected.recipients]
    assert msg_ids


@pytest.mark.parametrize(
    "answer",
    [
        {"status": 100},
        {"push_id": "1", "data": [{"number": "5511"}]},
        {"push_id": "1", "data": [{"msg_id": "1", "number": "5511", "credit": "lots"}]},
        {"push_id": "1", "data": ["row"]},
        {"push_id": None},
        {"push_id": "1", "data": {"msg_id": "1"}},
    ],
)
def test_bad_shapes_still_raise_malformed_payload(answer: dict[str, Any]) -> None:
    with pytest.raises(wire.MalformedPayload):
        wire.structure_answer(answer, pa.PushResult)
    with pytest.raises(cattrs.BaseValidationError):
        _push._read_push_result(answer)
    with pytest.raises(wire.MalformedPayload):
        _push.read_msg_ids(answer, ["5511"])


generated_write = make_dict_unstructure_fn(
    wire.PushRequest,
    wire.converter,
    global_message=override(rename="globalmessage"),
    global_media=override(rename="globalmedia", omit_if_default=True),
)
requests = st.builds(
    wire.PushRequest,
    st.just(TOKEN),
    application=st.one_of(st.sampled_from(pa.Application), st.integers(0, 20)),
    priority=st.sampled_from(pa.Priority),
    global_message=st.text(max_size=5),
    global_media=st.one_of(st.none(), st.text(max_size=5)),
    data=st.lists(st.builds(wire.PushItem, st.text(max_size=5), st.text(max_size=5))).map(tuple),
)


@given(requests)
def test_push_body_is_written_as_cattrs_would(request: wire.PushRequest) -> None:
    body = wire.converter.unstructure(request)
    assert body == generated_write(request)
    assert json.dumps(body) == json.dumps(generated_write(request))


def test_msg_ids_match_by_position_or_else_by_number() -> None:
    numbers = ["919800000001", "919800000002", "919800000001"]

    def answer(*pairs: tuple[str, str]) -> dict[str, Any]:
        return {"push_id": "p", "data": [{"number": n, "msg_id": m} for n, m in pairs]}

    def matched(*pairs: tuple[str, str]) -> list[str | None]:
        return _push.read_msg_ids(answer(*pairs), numbers)[1]

    assert matched(("919800000001", "a"), ("919800000002", "b"), ("919800000001", "c")) == [
        "a",
        "b",
        "c",
    ]
    shuffled = [("919800000002", "b"), ("919800000001", "a"), ("919800000001", "c")]
    assert matched(*shuffled) == ["a", "b", "c"]
    assert matched(("919800000002", "b")) == [None, "b", None]
    assert matched(*shuffled[::2]) == ["c", "b", None]
    assert matched() == [None, None, None]
    assert _push.read_msg_ids({"push_id": "p"}, numbers) == ("p", [None, None, None])


@given(
    token=st.text(min_size=1, max_size=20),
    texts=st.lists(st.text(max_size=20), max_size=5),
    global_message=st.text(max_size=10),
    global_media=st.one_of(st.none(), st.text(max_size=10)),
    priority=st.sampled_from(pa.Priority),
)
def test_push_json_is_the_push_body_as_text(
    token: str,
    texts: list[str],
    global_message: str,
    global_media: str | None,
    priority: pa.Priority,
) -> None:
    messages = [pa.Message(f"9198{n:08d}", text) for n, text in enumerate(texts)]
    options: dict[str, Any] = {
        "application": pa.Application.SMS,
        "priority": priority,
        "global_message": global_message,
        "global_media": global_media,
    }
    text = _push.push_json(token, messages, **options)
    rows = [{"number": m.number, "message": m.text} for m in messages]
    assert json.loads(text) == _push.push_body(token, rows, **options)
    # as compact as the encoder, and UTF-8 rather than \u escapes (only key order differs)
    assert len(text) == len(wire.encode_body(json.loads(text), "json")[0].decode())
