"""Reading webhook bodies and building instant replies (no server involved)."""

from __future__ import annotations

import json
import pathlib
import re
import urllib.parse

import pytest
from hypothesis import given
from hypothesis import strategies as st

import picky_async as pa
from picky_async.wire import converter
from picky_async.wire._inbound import INBOUND_KEYS

DATA = pathlib.Path(__file__).parent / "data"
FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
SAMPLE_MEDIA = "https://upload.wikimedia.org/wikipedia/commons/5/57/PT05_ubt.jpeg"


def test_documents_form_sample() -> None:
    body = (DATA / "webhook_form.txt").read_bytes().strip()
    inbound = pa.parse_webhook(body, FORM)
    assert inbound == pa.InboundMessage(
        number="963587413",
        message="test",
        application=pa.Application.WHATSAPP,
        type=pa.MessageType.TEXT,
        media_url=SAMPLE_MEDIA,  # the sample's stray '"' is gone
        unique_id="5672",
        project_id="27",
        extra={"custom-variable": "test"},
    )
    assert inbound.application is pa.Application.WHATSAPP
    assert inbound.type is pa.MessageType.TEXT


def test_documents_json_sample() -> None:
    body = (DATA / "webhook_json.json").read_bytes()
    inbound = pa.parse_webhook(body, "application/json; charset=utf-8")
    assert inbound == pa.InboundMessage(
        number="963587413",
        message="test",
        application=pa.Application.WHATSAPP,
        type=pa.MessageType.TEXT,
        media_url=SAMPLE_MEDIA,
        unique_id="5642",
        project_id="27",
        extra={"custom-variable": "test"},
    )


def test_ids_and_enums_read_as_strings_or_ints() -> None:
    as_strings = {"number": "963587413", "application": "2", "type": "3", "project-id": "27"}
    as_ints = {"number": 963587413, "application": 2, "type": 3, "project-id": 27}
    for fields in (as_strings, as_ints):
        inbound = pa.parse_webhook(json.dumps(fields), JSON)
        assert inbound.number == "963587413"
        assert inbound.application is pa.Application.WHATSAPP_BUSINESS
        assert inbound.type is pa.MessageType.VIDEO
        assert inbound.project_id == "27"


def test_a_decoded_mapping_is_read_as_is() -> None:
    inbound = pa.parse_webhook({"number": 5551234, "message-in": "hi"}, FORM)
    assert (inbound.number, inbound.message) == ("5551234", "hi")


@pytest.mark.parametrize(
    ("encoded", "text"),
    [
        ("hello%20world%21+ok", "hello world! ok"),
        ("50%25%20off", "50% off"),
        ("%2541", "%41"),  # decoded once: a typed "%41" stays "%41"
        ("caf%C3%A9+%F0%9F%91%8D", "café 👍"),
        ("a%26b%3Dc", "a&b=c"),
    ],
)
def test_form_message_is_url_decoded_exactly_once(encoded: str, text: str) -> None:
    inbound = pa.parse_webhook(f"number=1234567&message-in={encoded}", FORM)
    assert inbound.message == text


def test_fields_only_in_the_query_string_are_an_inbound_message() -> None:
    # The document's default method: "data will be posted as raw through URL".
    query = (DATA / "webhook_form.txt").read_text().strip()
    inbound = pa.parse_webhook(b"", "", query=query)
    assert inbound == pa.parse_webhook(query, FORM)
    assert (inbound.number, inbound.message, inbound.unique_id) == ("963587413", "test", "5672")
    assert inbound.extra == {"custom-variable": "test"}


@pytest.mark.parametrize(
    "query", ["number=1&message-in=url&city=pune", {"number": "1", "city": "pune"}]
)
@pytest.mark.parametrize(
    ("body", "content_type"),
    [("number=2&message-in=body", FORM), ('{"number": 2, "message-in": "body"}', JSON)],
)
def test_the_query_and_the_body_are_read_together_and_the_body_wins(
    query: str | dict[str, str], body: str, content_type: str
) -> None:
    inbound = pa.parse_webhook(body, content_type, query=query)
    assert (inbound.number, inbound.message, inbound.extra) == ("2", "body", {"city": "pune"})


@pytest.mark.parametrize("body", [b"", b" \r\n"])
@pytest.mark.parametrize("content_type", ["", "text/plain", FORM, JSON])
def test_an_empty_body_needs_no_content_type(body: bytes, content_type: str) -> None:
    assert pa.parse_webhook(body, content_type, query="number=1").number == "1"


def test_a_query_string_that_is_not_utf8_says_why() -> None:
    with pytest.raises(pa.WebhookError, match="the query string is not valid UTF-8"):
        pa.parse_webhook(b"", "", query="number=1&message-in=%FF")


@pytest.mark.parametrize(
    "body",
    [
        b'{"number": "1234567", "message-in": "a+b %41", "city": "pune"}',
        b' \n{"number": 1234567, "message-in": "a+b %41", "city": "pune"}\n',
    ],
)
def test_a_form_body_that_is_a_json_object_is_read_as_json(body: bytes) -> None:
    inbound = pa.parse_webhook(body, FORM)
    assert (inbound.number, inbound.message, inbound.extra) == (
        "1234567",
        "a+b %41",
        {"city": "pune"},
    )


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b'{"number": "1"} & more', "not valid JSON"),
        (b'{"number": ' + b"[" * 100_000, "too deeply"),
        (b'{"number": "1", "x": ' + b"[" * 100 + b"]" * 100 + b"}", "nested"),
    ],
)
def test_a_form_body_that_starts_like_json_must_be_json(body: bytes, reason: str) -> None:
    with pytest.raises(pa.WebhookError, match=reason):
        pa.parse_webhook(body, FORM)


TYPED = "1+1 = 2 & 50% off, caf\u00e9 \U0001f44d"
ENCODED = urllib.parse.quote_plus(TYPED)  # how the service URL-encodes message-in


def _request(fields: dict[str, str], path: str) -> tuple[str, str, str]:
    """``fields`` as (body, content type, query) by one of the three ways they arrive."""
    if path == "form":
        return urllib.parse.urlencode(fields), FORM, ""
    if path == "json":
        return json.dumps(fields), JSON, ""
    return "", "", urllib.parse.urlencode(fields)


PATHS = ["form", "json", "query"]


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("text", ["a+b", "50%25 off", "%F0%9F", "a%2Bb+c", TYPED])
def test_message_in_is_kept_as_received(path: str, text: str) -> None:
    body, content_type, query = _request({"number": "1", "message-in": text}, path)
    assert pa.parse_webhook(body, content_type, query=query).message == text


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("encoded", [False, True])
def test_message_in_raw_is_preferred(path: str, encoded: bool) -> None:
    fields = {"number": "1", "message-in": ENCODED, "message_in_raw": TYPED, "city": "pune"}
    body, content_type, query = _request(fields, path)
    inbound = pa.parse_webhook(body, content_type, query=query, message_in_encoded=encoded)
    assert inbound.message == TYPED
    assert inbound.extra == {"city": "pune"}  # message_in_raw is no custom variable


@pytest.mark.parametrize("path", PATHS)
def test_message_in_encoded_decodes_it_once_more(path: str) -> None:
    body, content_type, query = _request({"number": "1", "message-in": ENCODED}, path)
    assert pa.parse_webhook(body, content_type, query=query).message == ENCODED
    inbound = pa.parse_webhook(body, content_type, query=query, message_in_encoded=True)
    assert inbound.message == TYPED


def test_message_in_encoded_refuses_what_is_not_encoded_utf8() -> None:
    body = json.dumps({"number": "1", "message-in": "caf%E9"})
    with pytest.raises(pa.WebhookError, match="bad 'message-in'"):
        pa.parse_webhook(body, JSON, message_in_encoded=True)


def test_form_honours_its_charset() -> None:
    body = "number=1234567&message-in=caf\xe9&note=%E9t%E9".encode("latin-1")
    inbound = pa.parse_webhook(body, f"{FORM}; charset=ISO-8859-1")
    assert inbound.message == "café"
    assert inbound.extra == {"note": "été"}


def test_custom_variables_are_kept_as_text() -> None:
    body = {"number": "1234567", "city": "picky-newyork", "count": 5, "vip": True, "tags": [1]}
    inbound = pa.parse_webhook(json.dumps({**body, "none": None}), JSON)
    assert inbound.extra == {
        "city": "picky-newyork",
        "count": "5",
        "vip": "true",
        "tags": "[1]",
        "none": "",
    }


def test_unknown_application_and_type_are_kept_as_raw_ints() -> None:
    inbound = pa.parse_webhook("number=1234567&application=10&type=42", FORM)
    assert inbound.application == 10
    assert type(inbound.application) is int
    assert inbound.type == 42
    assert type(inbound.type) is int


def test_type_seven_is_location_too() -> None:
    assert pa.parse_webhook("number=1234567&type=7", FORM).type is pa.MessageType.LOCATION
    assert pa.parse_webhook("number=1234567&type=5", FORM).type is pa.MessageType.LOCATION


def test_inbound_messages_are_hashable_despite_extra() -> None:
    first = pa.InboundMessage(number="1234567", unique_id="9", extra={"a": "1"})
    assert hash(first) == hash(pa.InboundMessage(number="1234567", unique_id="9"))
    assert len({first, pa.InboundMessage(number="1234567", unique_id="10")}) == 2


def test_missing_and_empty_values_read_as_unknown() -> None:
    inbound = pa.parse_webhook("number=1234567&type=&application=&unique-id=&media-url=", FORM)
    assert inbound == pa.InboundMessage(number="1234567")
    assert inbound.message == ""
    assert pa.parse_webhook('{"number": "1", "message-in": null}', JSON).message == ""


@pytest.mark.parametrize(
    ("number", "group", "sender"),
    [
        ("Family @Ann", "Family", "Ann"),
        ("Cafe @ Home @919876543210", "Cafe @ Home", "919876543210"),
        ("919876543210", None, None),
        ("ann@example", None, None),
        (" @Ann", None, None),
        ("Family @ ", None, None),
    ],
)
def test_group_helpers(number: str, group: str | None, sender: str | None) -> None:
    inbound = pa.InboundMessage(number=number)
    assert inbound.is_group is (group is not None)
    assert inbound.group_name == group
    assert inbound.sender == sender


@pytest.mark.parametrize(
    ("body", "content_type", "reason"),
    [
        (b"[1, 2]", JSON, "expected a JSON object, got list"),
        (b'"963587413"', JSON, "expected a JSON object, got str"),
        (b"{number: 1}", JSON, "not valid JSON"),
        (b"", JSON, "no 'number'"),  # an empty body: the fields would be in the URL
        (b'{"number": "\xff"}', JSON, "not valid JSON"),
        (b'{"number": 1, "x": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", JSON, "too deeply"),
        (b'{"message-in": "hi"}', JSON, "no 'number'"),
        (b'{"number": "  "}', JSON, "no 'number'"),
        (b'{"number": null}', JSON, "no 'number'"),
        (b'{"number": ["1"]}', JSON, "bad 'number': expected text"),
        (b"message-in=hi", FORM, "no 'number'"),
        (b"", FORM, "no 'number'"),
        (b"number=1&message-in=\xff", FORM, "not valid utf-8 text"),
        (b"number=1&message-in=%FF", FORM, "not valid utf-8 text"),
        (b"number=1", f"{FORM}; charset=klingon", "unknown charset 'klingon'"),
        (b"number=1&type=abc", FORM, "bad 'type': expected an integer, got 'abc'"),
        (b'{"number": "1", "application": [1]}', JSON, "bad 'application'"),
        (b"number=1", "text/plain", "unsupported content type 'text/plain'"),
        (b"number=1", "", "unsupported content type ''"),
    ],
)
def test_unreadable_bodies_say_why(body: bytes, content_type: str, reason: str) -> None:
    with pytest.raises(pa.WebhookError, match=re.escape(reason)) as caught:
        pa.parse_webhook(body, content_type)
    assert isinstance(caught.value, ValueError)


def test_several_bad_values_are_all_named() -> None:
    with pytest.raises(pa.WebhookError) as caught:
        pa.parse_webhook("number=1&type=x&application=y", FORM)
    assert "'type'" in str(caught.value)
    assert "'application'" in str(caught.value)


@pytest.mark.parametrize("delay", [0, 1, 3600])
def test_reply_delay_in_range(delay: int) -> None:
    assert pa.InstantReply("hi", delay=delay).delay == delay


@pytest.mark.parametrize("delay", [-1, 3601, 1.5, True, "10"])
def test_reply_delay_out_of_range(delay: object) -> None:
    with pytest.raises(ValueError, match="delay must be whole seconds from 0 to 3600"):
        pa.InstantReply("hi", delay=delay)  # type: ignore[arg-type]


@pytest.mark.parametrize("application", [0, 1, 2, 3, pa.Application.SMS])
def test_reply_application_in_range(application: int) -> None:
    assert pa.InstantReply("hi", application=application).application == application


@pytest.mark.parametrize("application", [4, -1, pa.Application.CALL, True])
def test_reply_application_out_of_range(application: int) -> None:
    with pytest.raises(ValueError, match="application must be 0"):
        pa.InstantReply("hi", application=application)


@pytest.mark.parametrize("text", ["", "   "])
def test_reply_needs_text_or_media(text: str) -> None:
    with pytest.raises(pa.EmptyMessage, match="needs a text or a media_url"):
        pa.InstantReply(text)


def test_reply_options_are_keyword_only() -> None:
    with pytest.raises(TypeError):
        pa.InstantReply("hi", 5)  # type: ignore[call-arg]


def test_reply_to_dict_text_only() -> None:
    answer = pa.InstantReply("thanks!").to_dict()
    assert answer == {"message-out": "thanks!", "delay": 0, "application": 0}


def test_reply_to_json_is_the_json_text_of_to_dict() -> None:
    reply = pa.InstantReply("merci, à bientôt", delay=3)
    text = reply.to_json()
    assert isinstance(text, str)
    assert json.loads(text) == reply.to_dict()
    assert "à bientôt" in text  # UTF-8 text, not \u escapes


def test_reply_to_dict_with_everything() -> None:
    reply = pa.InstantReply(
        "caption", delay=10, media_url=SAMPLE_MEDIA, application=pa.Application.SMS
    )
    answer = reply.to_dict()
    assert answer == {
        "message-out": "caption",
        "delay": 10,
        "media-url": SAMPLE_MEDIA,
        "application": 3,
    }
    assert type(answer["application"]) is int
    assert list(answer) == ["message-out", "delay", "media-url", "application"]
    assert converter.unstructure(reply) == answer


def test_media_only_reply() -> None:
    answer = pa.InstantReply(media_url=SAMPLE_MEDIA).to_dict()
    assert answer == {"message-out": "", "delay": 0, "media-url": SAMPLE_MEDIA, "application": 0}


def test_reply_keys_are_the_documents() -> None:
    # The document's sample is not valid JSON (a comma is missing); compare its keys.
    sample = (DATA / "webhook_reply.txt").read_text()
    documented = set(re.findall(r'^\s*"([a-z-]+)":', sample, flags=re.MULTILINE))
    answer = pa.InstantReply("x", media_url=SAMPLE_MEDIA).to_dict()
    assert set(answer) == documented


_text = st.text(st.characters(exclude_categories=["Cs"]), max_size=40)
_custom_key = st.from_regex(r"[a-z][a-z0-9_-]{0,12}", fullmatch=True).filter(
    lambda key: key not in INBOUND_KEYS
)


@given(
    number=_text.filter(str.strip),
    message=_text,
    application=st.integers(0, 20),
    kind=st.integers(1, 30).filter(lambda kind: kind != 7),
    media_url=st.none() | st.from_regex(r"https://[a-z]{1,8}\.example/[\w.]{0,12}", fullmatch=True),
    unique_id=st.integers(1, 10**12),
    extra=st.dictionaries(_custom_key, _text, max_size=4),
    spell=st.sampled_from([str, int]),
    method=st.sampled_from([FORM, JSON]),
)
def test_round_trip_through_either_method(
    number: str,
    message: str,
    application: int,
    kind: int,
    media_url: str | None,
    unique_id: int,
    extra: dict[str, str],
    spell: type,
    method: str,
) -> None:
    fields: dict[str, object] = {
        **extra,
        "number": number,
        "message-in": message,
        "application": spell(application),
        "type": spell(kind),
        "unique-id": spell(unique_id),
        "project-id": spell(27),
    }
    if media_url is not None:
        fields["media-url"] = media_url
    as_text = {key: str(value) for key, value in fields.items()}
    body = urllib.parse.urlencode(as_text) if method == FORM else json.dumps(fields)
    inbound = pa.parse_webhook(body.encode(), method)
    assert inbound == pa.InboundMessage(
        number=number,
        message=message,
        application=application,
        type=kind,
        media_url=media_url,
        unique_id=str(unique_id),
        project_id="27",
        extra=extra,
    )


def _nested(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.mark.parametrize("depth", [65, 500, 990, 1_000, 100_000])
def test_deep_json_anywhere_is_a_webhook_error(depth: int) -> None:
    body = f'{{"number": "1234567", "custom": {_nested(depth)}}}'
    with pytest.raises(pa.WebhookError, match="nested"):
        pa.parse_webhook(body, JSON)


def test_deep_values_in_a_decoded_mapping_are_a_webhook_error() -> None:
    deep: list[object] = []
    for _ in range(1_000):
        deep = [deep]
    with pytest.raises(pa.WebhookError, match="nested"):
        pa.parse_webhook({"number": "1234567", "custom": deep}, FORM)


def test_nesting_up_to_the_limit_is_kept_as_json_text() -> None:
    body = f'{{"number": "1234567", "custom": {_nested(64)}}}'
    assert pa.parse_webhook(body, JSON).extra == {"custom": _nested(64)}


@pytest.mark.parametrize(
    "charset", ["punycode", "idna", "utf-8\x00", "klingon", "base64", "unicode_escape", "undefined"]
)
@pytest.mark.parametrize("media_type", [FORM, JSON])
def test_a_charset_that_is_not_a_text_codec_is_a_webhook_error(
    charset: str, media_type: str
) -> None:
    body = b'{"number": "1"}' if media_type == JSON else b"number=1&message-in=a%FF="
    with pytest.raises(pa.WebhookError, match="charset"):
        pa.parse_webhook(body, f"{media_type}; charset={charset}")


@given(text=_text)
def test_any_text_survives_being_url_encoded(text: str) -> None:
    body = urllib.parse.urlencode({"number": "1", "message-in": urllib.parse.quote_plus(text)})
    assert pa.parse_webhook(body, FORM, message_in_encoded=True).message == text
