"""The push bodies real third-party clients send, posted raw: each is one the service takes.

The document's table gives ``number`` and ``message`` as top-level variables
while its samples use a ``data`` list, and its samples spell keys and values
several ways; clients copy either. Each case is the exact bytes such a client
posts, with the Content-Type it sends (``None``: no header at all).
"""

from __future__ import annotations

import json
from typing import Any

import aiohttp
import pytest

from picky_async.testing import Simulator

pytestmark = [
    pytest.mark.looptime,
    pytest.mark.picky_simulator(projects=1, seconds_per_message=0.001),
]

TOKEN = "{token}"  # where each body carries the project's token
ONE, TWO = "919876500001", "919876500002"

JSON = "application/json"
FORM = "application/x-www-form-urlencoded"  # curl's when the caller sets none

# (body with TOKEN for the token, Content-Type, [(number, text, priority, application)])
SPELLINGS = [
    pytest.param(
        '{"token":"{token}","number":"919876500001","message":"hi"}',
        JSON,
        [(ONE, "hi", 0, 1)],
        id="table-form-top-level-number-and-message",
    ),
    pytest.param(
        '{"token":"{token}","application":1,"number":919876500001,"message":"hi"}',
        JSON,
        [(ONE, "hi", 0, 1)],
        id="top-level-integer-number",
    ),
    pytest.param(
        '{"token":"{token}","application":"3","number":"919876500001","globalmessage":"otp 1"}',
        JSON,
        [(ONE, "otp 1", 0, 3)],
        id="top-level-number-with-globalmessage",
    ),
    pytest.param(
        '{"token":"{token}","priority ":"1","application":"1","globalmessage":"",'
        '"globalmedia":"","data":[{"number":"919876500001","message":"a"},'
        '{"number":"919876500002","message":"b"}]}',
        JSON,
        [(ONE, "a", 1, 1), (TWO, "b", 1, 1)],
        id="document-sample-spacey-priority-empty-globalmedia",
    ),
    pytest.param(
        '{"token":"{token}","application":3,"priority":1,"globalmessage":"sale",'
        '"data":[{"number":919876500001},{"number":919876500002,"message":""}]}',
        JSON,
        [(ONE, "sale", 1, 3), (TWO, "sale", 1, 3)],
        id="integers-everywhere",
    ),
    pytest.param(
        '{"token":"{token}","application":"1","priority":"0","sleep":5,"schedule":"",'
        '"globalmessage":"hi","data":[{"number":"919876500001","message":"","name":"Ann"}]}',
        JSON,
        [(ONE, "hi", 0, 1)],
        id="extra-keys",
    ),
    pytest.param(
        '{"token":"{token}","application":"2","globalmessage":"hi",'
        '"data":[{"number":"919876500001"}]}',
        JSON,
        [(ONE, "hi", 0, 2)],
        id="no-priority",
    ),
    pytest.param(
        '{"token":"{token}","application":"1","number":"919876500001","message":"hi"}',
        None,
        [(ONE, "hi", 0, 1)],
        id="no-content-type",
    ),
    pytest.param(
        '{"token":"{token}","data":[{"number":"919876500001","message":"hi"}]}',
        "text/plain;charset=UTF-8",
        [(ONE, "hi", 0, 1)],
        id="text-plain-from-fetch",
    ),
    pytest.param(
        '{"token":"{token}","data":[{"number":"919876500001","message":"a=b&data=c"}]}',
        FORM,
        [(ONE, "a=b&data=c", 0, 1)],
        id="raw-json-as-curls-default-form",
    ),
]


async def post_raw(simulator: Simulator, body: str, content_type: str | None) -> Any:
    """Post ``body`` with the project's token as it is, and return the JSON answer."""
    data = body.replace(TOKEN, simulator.projects[0].token).encode()
    headers = {} if content_type is None else {"Content-Type": content_type}
    skip = ["Content-Type"] if content_type is None else []
    async with (
        aiohttp.ClientSession(skip_auto_headers=skip) as session,
        session.post(f"{simulator.base_url}/push", data=data, headers=headers) as response,
    ):
        assert response.status == 200
        return json.loads(await response.read())


@pytest.mark.parametrize(("body", "content_type", "sent"), SPELLINGS)
async def test_push_takes_every_spelling_clients_send(
    picky_simulator: Simulator,
    body: str,
    content_type: str | None,
    sent: list[tuple[str, str, int, int]],
) -> None:
    answer = await post_raw(picky_simulator, body, content_type)
    assert answer["status"] == 100
    assert [row["number"] for row in answer["data"]] == [number for number, *_ in sent]
    await picky_simulator.wait_sent()
    phone = [(r.number, r.text, r.priority, r.application) for r in picky_simulator.sent]
    assert sorted(phone) == sorted(sent)


async def test_a_body_with_data_and_a_top_level_number_is_read_by_its_data(
    picky_simulator: Simulator,
) -> None:
    body = (
        '{"token":"{token}","number":"919876500001","message":"top",'
        '"data":[{"number":"919876500002","message":"row"}]}'
    )
    answer = await post_raw(picky_simulator, body, JSON)
    assert answer["status"] == 100
    await picky_simulator.wait_sent()
    assert [(r.number, r.text) for r in picky_simulator.sent] == [(TWO, "row")]


@pytest.mark.parametrize(
    ("body", "code"),
    [
        pytest.param('{"token":"{token}","number":"+91 98765 00001","message":"hi"}', 406, id="+"),
        pytest.param('{"token":"{token}","number":null,"message":"hi"}', 406, id="null"),
        pytest.param('{"token":"{token}","number":"919876500001","message":""}', 407, id="empty"),
        pytest.param(
            '{"token":"{token}","number":"919876500001","message":"hi","data":[]}',
            402,
            id="empty-data-wins",
        ),
    ],
)
async def test_a_top_level_number_is_refused_as_a_data_entry_would_be(
    picky_simulator: Simulator, body: str, code: int
) -> None:
    answer = await post_raw(picky_simulator, body, JSON)
    assert answer["status"] == code
    assert not picky_simulator.messages


async def test_a_conference_with_one_top_level_number_has_too_few_contacts(
    picky_simulator: Simulator,
) -> None:
    url = f"{picky_simulator.base_url}/conference-request"
    body = {"token": picky_simulator.projects[0].token, "application": 4, "number": ONE}
    async with aiohttp.ClientSession() as session, session.post(url, json=body) as response:
        answer = await response.json()
    assert answer["status"] == 505  # read as a one-entry data list, not as no list (402)
