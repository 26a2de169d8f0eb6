"""RedisOptOuts: what only a store shared through Redis does, against a real redis-server.

What it promises alike with OptOuts runs on both stores in test_optouts.py,
test_optouts_keywords.py and test_safety_tallies.py.
"""

from __future__ import annotations

import logging
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator

import pytest
import redis

import picky_async as pa
from picky_async.redis import RedisOptOuts
from picky_async.redis._mirror import Mirror
from picky_async.redis._safety_keys import safety_keys
from picky_async.testing import RedisServer, Simulator
from picky_async.webhook._receiver import WebhookReceiver

NUMBER = "919876543210"
OTHER = "442079460958"
DAY = "2026-12-01"


@pytest.fixture
def stores(redis_url: str) -> Iterator[tuple[RedisOptOuts, RedisOptOuts]]:
    """Two stores on one Redis, as two hosts would hold them."""
    with RedisOptOuts(redis_url) as first, RedisOptOuts(redis_url) as second:
        yield first, second


def eventually(check: Callable[[], bool], seconds: float = 2.0) -> bool:
    """Whether ``check`` comes true within ``seconds``: a change in flight through Redis."""
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.001)
    return True


def test_each_store_sees_the_others_changes(stores: tuple[RedisOptOuts, RedisOptOuts]) -> None:
    first, second = stores
    first.add(NUMBER)
    assert NUMBER in first  # its own change at once
    assert eventually(lambda: NUMBER in second)
    assert second.remove(NUMBER)
    assert NUMBER not in second
    assert eventually(lambda: NUMBER not in first)


def test_a_new_store_loads_every_number_at_once(redis_url: str) -> None:
    with RedisOptOuts(redis_url) as first:
        first.add(NUMBER)
        first.add(OTHER)
        first.remove(OTHER)
        with RedisOptOuts(redis_url) as late:
            assert (NUMBER in late, OTHER in late) == (True, False)


def test_another_process_changes_arrive(redis_url: str) -> None:
    with RedisOptOuts(redis_url) as store:
        assert NUMBER not in store
        code = (
            "from picky_async.redis import RedisOptOuts\n"
            f"with RedisOptOuts({redis_url!r}) as s: s.add('+91 98765 43210')\n"
        )
        subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
        assert eventually(lambda: NUMBER in store)


def test_many_quick_changes_arrive_in_order(stores: tuple[RedisOptOuts, RedisOptOuts]) -> None:
    first, second = stores
    numbers = [f"9198{n:08d}" for n in range(50)]
    for round_ in range(4):  # each number flips four times; odd ones end opted out
        for n, number in enumerate(numbers):
            if round_ % 2 == 0:
                first.add(number)
            elif n % 2 == 0:
                first.remove(number)
    expected = {number for n, number in enumerate(numbers) if n % 2}
    assert eventually(lambda: {number for number in numbers if number in second} == expected)


def test_a_later_change_is_never_undone_by_an_earlier_one(redis_url: str) -> None:
    with redis.Redis.from_url(redis_url, decode_responses=True) as client:
        mirror = Mirror(client, safety_keys("ordered"))
        try:
            mirror.apply(2, NUMBER, opted_out=True)  # this process's own add, reported first
            mirror.apply(1, NUMBER, opted_out=False)  # an older remove, arriving late
            assert NUMBER in mirror
            mirror.apply(3, NUMBER, opted_out=False)
            mirror.apply(2, NUMBER, opted_out=True)  # the same change twice
            assert NUMBER not in mirror
        finally:
            mirror.close()


def test_a_change_missed_while_unsubscribed_is_loaded_on_reconnect(
    redis_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    keys = safety_keys("picky")
    with RedisOptOuts(redis_url) as store, redis.Redis.from_url(redis_url) as client:
        # A change whose message never reached this store: in Redis, not published.
        client.hset(keys.numbers, NUMBER, f"{DAY}T00:00:00+00:00 stop")
        client.incr(keys.version)
        assert NUMBER not in store
        with caplog.at_level(logging.WARNING, "picky_async.redis"):
            client.client_kill_filter(_type="pubsub")
            assert eventually(lambda: NUMBER in store)  # reloaded after resubscribing
        assert "lost Redis's changes" in caplog.text
        assert "following Redis's changes again" in caplog.text


def test_a_change_whose_publish_was_lost_is_loaded_by_the_version_check(
    redis_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A subscription that dies without a word misses changes: the mirror's periodic
    read of the version sees one it never got, and reloads."""
    monkeypatch.setattr("picky_async.redis._mirror._CHECK_EVERY", 0.1)
    keys = safety_keys("lost")
    with RedisOptOuts(redis_url, namespace="lost") as store:
        client = redis.Redis.from_url(redis_url, decode_responses=True)
        with client.pipeline(transaction=True) as pipe:  # a change, its PUBLISH lost
            pipe.hset(keys.numbers, NUMBER, "2026-12-01T00:00:00+00:00 STOP")
            pipe.incr(keys.version)
            pipe.execute()
        client.close()
        assert eventually(lambda: NUMBER in store, 5.0)


def test_changes_remembered_since_the_snapshot_are_folded_into_a_new_one(
    redis_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each change's version is kept to order the next ones; a reload keeps that bounded."""
    monkeypatch.setattr("picky_async.redis._mirror._RELOAD_AFTER", 5)
    monkeypatch.setattr("picky_async.redis._mirror._CHECK_EVERY", 0.05)
    numbers = [f"9198000{n:05d}" for n in range(20)]
    with RedisOptOuts(redis_url) as first, RedisOptOuts(redis_url) as second:
        for number in numbers:
            first.add(number)
        first.remove(numbers[0])
        assert eventually(lambda: len(second._mirror._changed) <= 5, 5.0)
        assert [number in second for number in numbers] == [False] + [True] * 19


def test_while_redis_is_down_lookups_answer_from_the_copy(
    own_redis_server: RedisServer, caplog: pytest.LogCaptureFixture
) -> None:
    url = own_redis_server.url
    with RedisOptOuts(url) as first, RedisOptOuts(url) as second:
        first.add(NUMBER)
        assert eventually(lambda: NUMBER in second)
        with caplog.at_level(logging.WARNING, "picky_async.redis"):
            own_redis_server.stop()
            assert NUMBER in second
            with pytest.raises(redis.ConnectionError):
                first.add(OTHER)  # a write needs Redis
            time.sleep(0.4)  # several tries to resubscribe fail meanwhile
            assert NUMBER in second
            own_redis_server.start()  # it saved its data on the way down
            first.add(OTHER)
            assert eventually(lambda: OTHER in second, 10.0)
            assert eventually(lambda: caplog.text.count("following Redis's changes again") == 2)
        assert caplog.text.count("lost Redis's changes") == 2  # once for each store
        assert NUMBER in second


def test_threads_together_never_pass_the_limit(stores: tuple[RedisOptOuts, RedisOptOuts]) -> None:
    taken: list[int] = []

    def take(store: RedisOptOuts) -> None:
        taken.append(sum(store.take_daily("cap", DAY, 3, 500) for _ in range(100)))

    threads = [threading.Thread(target=take, args=(stores[n % 2],)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(taken) == 500
    assert stores[0].daily_count("cap", DAY) == 500


def test_keys_expire_and_name_no_message_key_or_tally(redis_url: str) -> None:
    with RedisOptOuts(redis_url, namespace="shop", keep_keys=3600) as store:
        store.record_sent(["invoice-7"])
        store.take_daily("cap:Shop front", DAY, 1, 10)
        store.first_day("cap:Shop front", DAY)
        store.add(NUMBER)
        store.record(pa.InboundMessage(OTHER, "hi", unique_id="1"))
    with redis.Redis.from_url(redis_url, decode_responses=True) as client:
        names = client.keys("*")
        assert len(names) == 6
        assert all(name.startswith("shop:optouts:") for name in names)
        assert not any("invoice" in name or "Shop" in name for name in names)
        ttls = {name.split(":")[2]: client.ttl(name) for name in names}
    assert 3590 < ttls["sent"] <= 3600
    assert 2 * 86_400 < ttls["daily"] <= 3 * 86_400
    assert ttls["first-day"] == ttls["contacts"] == ttls["{numbers}"] == -1  # kept


async def test_a_dispatcher_refuses_a_number_another_host_opted_out(
    stores: tuple[RedisOptOuts, RedisOptOuts], redis_url: str
) -> None:
    webhook_host, sender_host = stores
    receiver = WebhookReceiver(_Silent(), opt_outs=webhook_host)
    answer = await receiver.answer(b"", content_type="", query=f"number={NUMBER}&message-in=STOP")
    assert answer.status == 200
    assert NUMBER in webhook_host
    assert webhook_host.wrote(NUMBER)
    assert eventually(lambda: NUMBER in sender_host)
    token = "a-secret-token-0123456789"
    async with Simulator() as sim:
        sim.add_project(token, seconds_per_message=0.001)
        project = pa.Project(token, seconds_per_message=0.001)
        async with pa.Dispatcher([project], base_url=sim.base_url, opt_outs=sender_host) as d:
            with pytest.raises(pa.OptedOut, match=NUMBER):
                await d.send(NUMBER, "hello")
            await d.send(OTHER, "hello", key="invoice-7")
            with pytest.raises(pa.Duplicate):
                await d.send(OTHER, "hello again", key="invoice-7")
    assert [message.number for message in sim.messages] == [OTHER]
    assert webhook_host.sent_at("invoice-7") is not None  # the key reached the other host
    contents = redis_contents(redis_url)
    assert NUMBER in contents
    assert not any(token in item for item in contents)


def redis_contents(url: str) -> list[str]:
    """Every key name in the Redis at ``url``, and every string its keys hold."""
    with redis.Redis.from_url(url, decode_responses=True) as client:
        return [item for key in client.scan_iter() for item in (key, *_held(client, key))]


def _held(client: redis.Redis, key: str) -> list[str]:
    kind = client.type(key)
    if kind == "string":
        held = [client.get(key)]
    elif kind == "hash":
        held = [*client.hkeys(key), *client.hvals(key)]
    else:
        held = [*client.smembers(key)]
    return [str(item) for item in held]


class _Silent:
    """A webhook callback with nothing to say."""

    async def __call__(self, inbound: pa.InboundMessage) -> None:
        return None


def test_no_password_in_the_repr_or_errors(own_redis_server: RedisServer) -> None:
    with redis.Redis.from_url(own_redis_server.url) as client:
        client.config_set("requirepass", "hunter2")
    url = own_redis_server.url.replace("redis://", "redis://:hunter2@")
    with RedisOptOuts(url, namespace="shop") as store:
        store.add(NUMBER)
        assert repr(store) == (
            f"<RedisOptOuts redis://:***@127.0.0.1:{own_redis_server.port}/0 namespace='shop'>"
        )
    with pytest.raises(ConnectionError, match=r"127\.0\.0\.1") as failed:
        RedisOptOuts(url.replace("hunter2", "wrong-one"))
    assert "wrong-one" not in str(failed.value)


def test_bad_options_are_refused_before_any_connection() -> None:
    with pytest.raises(ValueError, match="redis://"):
        RedisOptOuts("")
    with pytest.raises(ValueError, match="redis://"):
        RedisOptOuts("http://127.0.0.1:6379")
    with pytest.raises(ValueError, match="namespace"):
        RedisOptOuts(namespace="")
    with pytest.raises(ValueError, match="keep_keys"):
        RedisOptOuts(keep_keys=0)
    with pytest.raises(ValueError, match="both stop and start"):
        RedisOptOuts(start_words=["stop"])


def test_an_unreachable_redis_is_named_without_its_password() -> None:
    with socket.socket() as probe:  # a port nobody serves
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(ConnectionError, match=rf"127\.0\.0\.1:{port}") as failed:
        RedisOptOuts(f"redis://:hunter2@127.0.0.1:{port}/0")
    assert "hunter2" not in str(failed.value)


def test_a_closed_store_is_unusable(redis_url: str) -> None:
    store = RedisOptOuts(redis_url)
    store.add(NUMBER)
    store.close()
    with pytest.raises(RuntimeError, match="closed"):
        NUMBER in store  # noqa: B015 - the lookup itself raises
