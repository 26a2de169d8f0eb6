"""Numbers read with the phonenumbers library (the ``numbers`` extra), and without it."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import attrs
import pytest

import picky_async as pa

NATIONAL = [
    ("98765 43210", "IN", "919876543210"),
    ("098765-43210", "IN", "919876543210"),
    ("919876543210", "IN", "919876543210"),  # already with country code: kept
    ("020 7946 0958", "GB", "442079460958"),
    ("0044 20 7946 0958", "GB", "442079460958"),  # the international prefix dialled from GB
    ("07400 123456", "GB", "447400123456"),
    ("(202) 555-0143", "US", "12025550143"),
    ("1-212-555-2368", "US", "12125552368"),
    ("(11) 91234-5678", "BR", "5511912345678"),
    ("11 3456-7890", "BR", "551134567890"),
    ("030 12345678", "DE", "493012345678"),
    ("0151 23456789", "DE", "4915123456789"),
    ("98765 43210", "in", "919876543210"),  # a region's case does not matter
    (9876543210, "IN", "919876543210"),
]

INTERNATIONAL = [
    ("+44 (0)20 7946 0958", "442079460958"),  # the trunk 0 dropped
    ("+49 (0)30 12345678", "493012345678"),
    ("+91 98765 43210", "919876543210"),
    ("+1 (202) 555-0143", "12025550143"),
    ("+55 11 91234-5678", "5511912345678"),
    ("+39 06 1234 5678", "390612345678"),  # Italy keeps its leading 0
]

IMPOSSIBLE = [
    ("123", "IN", "too short for IN"),
    ("98765 43210 1234", "IN", "too long for IN"),
    ("12345", "GB", "local number; give its area code"),
    ("07700 900123", "GB", "not a valid number for GB"),  # a range kept for fiction
    ("555-0143", "US", "local number"),
    ("+999 123456", None, "unknown country code"),
    ("+44 20 1234", None, "local number"),
    ("+44 123", None, "too short for country code \\+44"),
    ("+1 800 FLOWERS", None, "more than digits"),
    ("+44 20 7946 0958 ext 12", None, "more than digits"),
    ("++44 20 7946 0958", None, "more than digits"),
    ("", "IN", "not a phone number"),
]


@pytest.mark.parametrize(("typed", "region", "number"), NATIONAL)
def test_national_numbers_get_their_country_code(
    typed: str | int, region: str, number: str
) -> None:
    assert pa.normalize_number(typed, default_region=region) == number
    assert pa.Message(typed, "hi", default_region=region).number == number


@pytest.mark.parametrize(("typed", "number"), INTERNATIONAL)
def test_international_numbers_need_no_region(typed: str, number: str) -> None:
    assert pa.normalize_number(typed) == number
    assert pa.normalize_number(typed, default_region="IN") == number  # "+" wins over a region


@pytest.mark.parametrize(("typed", "region", "reason"), IMPOSSIBLE)
def test_impossible_numbers_are_refused_saying_why(
    typed: str, region: str | None, reason: str
) -> None:
    with pytest.raises(pa.InvalidNumber, match=reason):
        pa.normalize_number(typed, default_region=region)


def test_without_region_or_plus_the_digits_are_taken_as_given() -> None:
    """Compatibility: digits without ``+`` are assumed to hold their country code."""
    assert pa.normalize_number("9876543210") == "9876543210"
    assert pa.Message("20 7946 0958 1", "hi").number == "20794609581"


@pytest.mark.parametrize(
    ("region", "error"),
    [("UK", ValueError), ("IND", ValueError), ("", ValueError), (91, TypeError)],
)
def test_a_bad_region_is_refused_before_any_request(region: object, error: type) -> None:
    with pytest.raises(error, match="default_region"):
        pa.Message("98765 43210", "hi", default_region=region)  # type: ignore[arg-type]
    with pytest.raises(error, match="default_region"):
        pa.PickyClient("token", base_url="http://127.0.0.1:9", default_region=region)  # type: ignore[arg-type]
    projects = [pa.Project("token")]
    with pytest.raises(error, match="default_region"):
        pa.Dispatcher(projects, base_url="http://127.0.0.1:9", default_region=region)  # type: ignore[arg-type]


def test_a_message_keeps_only_the_normalized_number() -> None:
    message = pa.Message("98765 43210", "hi", default_region="IN")
    assert message == pa.Message("919876543210", "hi")
    assert repr(message) == "Message(number='919876543210', text='hi', media=None, key=None)"
    assert attrs.evolve(message, text="bye") == pa.Message("919876543210", "bye")
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        message.number = "1"  # type: ignore[misc]


@pytest.mark.usefixtures("without_phonenumbers")
class TestWithoutTheLibrary:
    """The hand-written rule alone, and a clear error for what needs the library."""

    def test_numbers_follow_the_hand_written_rule(self) -> None:
        assert pa.normalize_number("+91 98765 43210") == "919876543210"
        assert pa.normalize_number("+44 (0)20 7946 0958") == "4402079460958"  # as it always did
        assert pa.Message("9876543210", "hi").number == "9876543210"

    def test_a_region_asks_for_the_extra(self) -> None:
        install = r"pip install 'picky_async\[numbers\]'"
        with pytest.raises(ImportError, match=install):
            pa.Message("98765 43210", "hi", default_region="IN")
        with pytest.raises(ImportError, match=install):
            pa.PickyClient("token", base_url="http://127.0.0.1:9", default_region="IN")
        with pytest.raises(ImportError, match=install):
            pa.Dispatcher([pa.Project("token")], default_region="IN")


def test_the_package_imports_and_works_when_the_library_cannot_be_imported() -> None:
    script = textwrap.dedent(
        """
        import sys
        sys.modules["phonenumbers"] = None  # makes "import phonenumbers" raise ImportError
        import picky_async as pa
        print(pa.normalize_number("+44 (0)20 7946 0958"))
        try:
            pa.Message("98765 43210", "hi", default_region="IN")
        except ImportError as exc:
            print(exc)
        """
    )
    run = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )
    assert run.stdout.splitlines() == [
        "4402079460958",
        "default_region needs the phonenumbers library: pip install 'picky_async[numbers]'",
    ]
