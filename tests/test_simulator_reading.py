"""The Simulator's bulk readers and written answers agree with the one-by-one ones.

A push's numbers and texts are checked in one pass when they are plain
strings, and its answer rows are written as text; each must give exactly what
reading the values one at a time, or ``json.dumps``, gives.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from picky_async.core import StatusCode
from picky_async.testing._answers import json_answer, push_answer
from picky_async.testing._reading import Refused, number_of, numbers_of, text_of, texts_of

_NUMBERISH: st.SearchStrategy[Any] = st.one_of(
    st.from_regex(r"[1-9][0-9]{4,14}", fullmatch=True),
    st.from_regex(r" ?[0-9+, ]{3,17} ?", fullmatch=True),
    st.integers(min_value=-1, max_value=10**16),
    st.sampled_from([None, True, 1.5, [], ""]),
)
_TEXTISH: st.SearchStrategy[Any] = st.one_of(
    st.text(max_size=5), st.none(), st.sampled_from([0, False, 7, 0.0, []])
)


def _one_by_one(numbers: list[Any]) -> list[str] | int:
    try:
        return [number_of(number) for number in numbers]
    except Refused as refused:
        return refused.code


def _in_bulk(numbers: list[Any]) -> list[str] | int:
    try:
        return numbers_of([{"number": number} for number in numbers])
    except Refused as refused:
        return refused.code


@given(st.lists(_NUMBERISH, min_size=1, max_size=6))
def test_numbers_in_bulk_are_read_as_one_by_one(numbers: list[Any]) -> None:
    assert _in_bulk(numbers) == _one_by_one(numbers)


@pytest.mark.parametrize(
    "numbers",
    [["919876500001,919876500002"], ["919876500001", "91987,6500002"], ["919876500001 "]],
)
def test_a_comma_or_space_inside_a_number_is_not_taken_for_a_joint(numbers: list[str]) -> None:
    expected = _one_by_one(numbers)
    assert _in_bulk(numbers) == expected
    assert expected in (StatusCode.INVALID_NUMBER, [number.strip() for number in numbers])


@given(st.lists(_TEXTISH, min_size=1, max_size=6), st.text(max_size=3))
def test_texts_in_bulk_are_read_as_one_by_one(messages: list[Any], global_text: str) -> None:
    entries = [{"message": message} for message in messages]
    expected = [text_of(message) or global_text for message in messages]
    assert texts_of(entries, global_text) == expected


def test_a_falsy_number_as_message_is_its_digits_not_the_global_text() -> None:
    assert texts_of([{"message": 0}, {"message": False}, {}], "all") == ["0", "False", "all"]


@given(
    st.integers(min_value=1, max_value=10**9),
    st.lists(st.from_regex(r"[1-9][0-9]{4,14}", fullmatch=True), max_size=5),
)
def test_the_push_answer_is_the_text_json_dumps_writes(push_id: int, numbers: list[str]) -> None:
    msg_ids = [str(push_id + n) for n in range(len(numbers))]
    rows = [
        {"msg_id": msg_id, "number": number, "credit": "0.005"}
        for msg_id, number in zip(msg_ids, numbers, strict=True)
    ]
    body = {"status": 100, "push_id": str(push_id), "message": "Success", "data": rows}
    assert push_answer(str(push_id), msg_ids, numbers) == json_answer(200, body)
    assert push_answer(str(push_id), msg_ids, numbers).text == json.dumps(body)


def test_answers_without_a_status_count_as_successes() -> None:
    assert json_answer(200, [{"call_id": "1"}]).status == StatusCode.SUCCESS
    assert json_answer(429, {"status": "429", "message": "x"}).status == 429
