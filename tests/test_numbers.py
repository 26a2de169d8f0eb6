"""normalize_number's hand-written rule: what the service accepts, whatever the user typed.

These run without the phonenumbers library, as the rule does (see
``test_numbers_regional.py`` for numbers read with it), except where a test
asks for ``library`` to run both with and without it.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import picky_async as pa
from picky_async.core import _numbers

VALID = re.compile(r"[1-9][0-9]{4,14}")

digits = st.from_regex(VALID, fullmatch=True)
separators = st.sampled_from([" ", "-", ".", "(", ")", "  "])

# The library is set aside once per test, not per example, which is what hypothesis warns of.
once_per_test = settings(suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture(params=["installed", "missing"])
def library(request: pytest.FixtureRequest) -> None:
    """Run the test with and without the ``numbers`` extra."""
    if request.param == "missing":
        request.getfixturevalue("without_phonenumbers")


@st.composite
def typed_numbers(draw: st.DrawFn) -> tuple[str, str]:
    """A valid number as a person might type it, and the digits it stands for."""
    number = draw(digits)
    typed = "".join(char + draw(st.one_of(st.just(""), separators)) for char in number)
    prefix = draw(st.sampled_from(["", "+", " +", "("]))
    return prefix + typed, number


@pytest.mark.usefixtures("without_phonenumbers")
@once_per_test
@given(typed_numbers())
def test_separators_and_one_plus_are_removed(case: tuple[str, str]) -> None:
    typed, number = case
    assert pa.normalize_number(typed) == number


@given(st.integers(min_value=10_000, max_value=10**15 - 1))
def test_ints_are_their_digits(number: int) -> None:
    assert pa.normalize_number(number) == str(number)


@pytest.mark.usefixtures("library")
@once_per_test
@given(st.text(max_size=30))
def test_any_text_gives_a_valid_number_or_invalid_number(text: str) -> None:
    try:
        normalized = pa.normalize_number(text)
    except pa.InvalidNumber:
        return
    assert VALID.fullmatch(normalized)
    assert pa.normalize_number(normalized) == normalized


@pytest.mark.usefixtures("library")
@pytest.mark.parametrize(
    "number",
    ["0919876543210", "1234", "1234567890123456", "++919876543210", "91 98x76", "", True, 1.5],
)
def test_refused(number: object) -> None:
    with pytest.raises(pa.InvalidNumber):
        pa.normalize_number(number)  # type: ignore[arg-type]


class Typed(str):
    """A str subclass: the fast path takes only an exact ``str``, so this takes the slow one."""


def outcome(number: object) -> tuple[object, type]:
    """What ``normalize_number`` makes of ``number``: the result or error, and its type."""
    try:
        result: object = pa.normalize_number(number)  # type: ignore[arg-type]
    except pa.InvalidNumber:
        result = pa.InvalidNumber
    return result, type(result)


@pytest.mark.usefixtures("library")
@once_per_test
@given(st.one_of(st.text(max_size=20), st.from_regex(r"[0-9+ ]{0,17}", fullmatch=True), digits))
def test_the_fast_path_agrees_with_the_slow_one(text: str) -> None:
    assert outcome(text) == outcome(Typed(text))


def test_clean_digits_skip_the_separators(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_numbers, "_SEPARATORS", None)  # the slow path would fail on it
    assert pa.normalize_number("919876543210") == "919876543210"
