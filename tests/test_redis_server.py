"""RedisServer: a redis-server of the test's own, stopped, killed and restarted by its pid."""

from __future__ import annotations

import os
import stat
import sys
import tempfile
from pathlib import Path

import pytest
import redis
from redis_servers import REQUIRE, flush_all, require_redis_server

from picky_async.testing import RedisServer


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _program(directory: Path, script: str) -> str:
    """An executable shell script standing in for redis-server."""
    path = directory / "redis-server"
    path.write_text(f"#!/bin/sh\n{script}\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return str(path)


@pytest.fixture
def in_tmp_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Servers make their directories in ``tmp_path``, where a test can see them."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    return tmp_path


def test_a_started_server_answers_on_loopback(own_redis_server: RedisServer) -> None:
    assert own_redis_server.running
    assert own_redis_server.url == f"redis://127.0.0.1:{own_redis_server.port}/0"
    with redis.Redis.from_url(own_redis_server.url) as client:
        assert client.ping()


def test_stop_ends_the_process_and_start_brings_the_data_back(
    own_redis_server: RedisServer,
) -> None:
    with redis.Redis.from_url(own_redis_server.url) as client:
        client.set("kept", "yes")
        pid, port = own_redis_server.pid, own_redis_server.port
        assert pid is not None
        own_redis_server.stop()
        assert not _alive(pid)
        assert not own_redis_server.running
        assert own_redis_server.pid is None
        own_redis_server.start()
        assert own_redis_server.port == port
        assert own_redis_server.pid != pid
        assert client.get("kept") == b"yes"


def test_kill_loses_what_was_written_since_the_last_save(own_redis_server: RedisServer) -> None:
    with redis.Redis.from_url(own_redis_server.url) as client:
        client.set("saved", "yes")
        own_redis_server.stop()  # saves
        own_redis_server.start()
        client.set("unsaved", "yes")
        pid = own_redis_server.pid
        assert pid is not None
        own_redis_server.kill()
        assert not _alive(pid)
        own_redis_server.start()
        assert client.get("saved") == b"yes"
        assert client.get("unsaved") is None


def test_starting_a_running_server_is_refused(own_redis_server: RedisServer) -> None:
    with pytest.raises(RuntimeError, match="already running"):
        own_redis_server.start()


def test_the_context_manager_removes_the_servers_directory(in_tmp_path: Path) -> None:
    with require_redis_server() as server:
        server.stop()
        (directory,) = in_tmp_path.iterdir()
        assert {path.name for path in directory.iterdir()} == {"dump.rdb", "redis.log"}
    assert list(in_tmp_path.iterdir()) == []
    assert not server.running


@pytest.mark.parametrize("turn", ["first", "second"])
def test_each_test_gets_the_shared_server_empty(redis_url: str, turn: str) -> None:
    with redis.Redis.from_url(redis_url) as client:
        assert client.set("written by an earlier test", turn, nx=True)


def test_flush_all_empties_every_database(own_redis_server: RedisServer) -> None:
    other = own_redis_server.url.removesuffix("/0") + "/1"
    for url in (own_redis_server.url, other):
        with redis.Redis.from_url(url) as client:
            client.set("key", "value")
    flush_all(own_redis_server.url)
    for url in (own_redis_server.url, other):
        with redis.Redis.from_url(url) as client:
            assert client.dbsize() == 0


def test_a_missing_program_is_a_file_not_found_error_that_says_how_to_install(
    tmp_path: Path,
) -> None:
    with pytest.raises(FileNotFoundError, match="install Redis"):
        RedisServer(str(tmp_path / "redis-server"))


def test_a_server_that_exits_at_start_shows_its_log(in_tmp_path: Path) -> None:
    program = _program(in_tmp_path, "echo 'Bad directive or wrong number of arguments'; exit 1")
    with pytest.raises(RuntimeError, match="exited at start:\nBad directive"), RedisServer(program):
        pass
    assert [path.name for path in in_tmp_path.iterdir()] == ["redis-server"]


def test_a_server_that_never_answers_is_killed_and_shows_its_log(in_tmp_path: Path) -> None:
    server = RedisServer(
        _program(
            in_tmp_path, f"echo 'Loading'; exec {sys.executable} -c 'import time; time.sleep(60)'"
        ),
        timeout=0.2,
    )
    with pytest.raises(RuntimeError, match=r"did not answer PING in 0\.2s:\nLoading"), server:
        pass
    assert not server.running
    assert [path.name for path in in_tmp_path.iterdir()] == ["redis-server"]


_DEAF_TO_SIGTERM = """
import signal, socket, sys
signal.signal(signal.SIGTERM, signal.SIG_IGN)
listener = socket.create_server(("127.0.0.1", int(sys.argv[sys.argv.index("--port") + 1])))
while True:
    connection, _ = listener.accept()
    connection.recv(64)
    connection.sendall(b"+PONG\\r\\n")
    connection.close()
"""


def test_a_server_deaf_to_sigterm_is_killed_after_the_timeout(in_tmp_path: Path) -> None:
    deaf = in_tmp_path / "deaf.py"
    deaf.write_text(_DEAF_TO_SIGTERM)
    server = RedisServer(_program(in_tmp_path, f'exec {sys.executable} {deaf} "$@"'), timeout=0.2)
    server.start()
    pid = server.pid
    assert pid is not None
    server.stop()
    assert not _alive(pid)
    server.close()


def test_without_redis_server_the_tests_skip(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv(REQUIRE, raising=False)
    with pytest.raises(pytest.skip.Exception, match="not found on PATH"):
        require_redis_server()


def test_without_redis_server_ci_fails_and_says_how_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setenv(REQUIRE, "1")
    with pytest.raises(pytest.fail.Exception, match="apt-get install redis-server"):
        require_redis_server()


def test_with_redis_server_on_path_it_is_the_one_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    program = _program(tmp_path, "exit 1")
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setenv(REQUIRE, "1")
    assert require_redis_server().executable == program
