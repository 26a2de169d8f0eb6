"""What PickyClient's calls and parse_webhook return, as a type checker sees them."""

from __future__ import annotations

from typing_extensions import assert_type

import picky_async as pa


async def client_calls(client: pa.PickyClient, batch: list[pa.Message]) -> None:
    assert_type(await client.push(batch), pa.PushResult)
    assert_type(await client.push_msg_ids(batch), tuple[str, list[str | None]])
    assert_type(await client.conference(["919876543210", 919876543211]), pa.PushResult)
    assert_type(await client.conference_report("42"), list[pa.ConferenceCall])
    assert_type(await client.device_status(), pa.DeviceStatus)
    assert_type(await client.device_action(pa.DeviceCommand.RESTART), pa.ActionResult)
    assert_type(await client.close(), None)


def push_result_fields(result: pa.PushResult) -> None:
    assert_type(result.push_id, str)
    assert_type(result.recipients, tuple[pa.Recipient, ...])
    recipient = result.recipients[0]
    assert_type(recipient.msg_id, str)
    assert_type(recipient.number, str)


def webhook(body: bytes) -> None:
    inbound = pa.parse_webhook(body, "application/json", query="secret=s")
    assert_type(inbound, pa.InboundMessage)
    assert_type(inbound.number, str)
    assert_type(inbound.message, str)
    assert_type(inbound.media_url, str | None)
    assert_type(pa.parse_webhook({"number": "919876543210"}, ""), pa.InboundMessage)
