"""A throwaway redis-server on loopback, for tests and benchmarks of Redis-backed code.

Each :class:`RedisServer` is one ``redis-server`` process of its own, in its own
temporary directory, so a test can stop, kill and restart it without touching a
server anyone else uses. It speaks to the server through a raw socket, so it
works without the ``redis`` extra.
"""

from __future__ import annotations

import contextlib
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType

__all__ = ["RedisServer"]

_PING = b"*1\r\n$4\r\nPING\r\n"
_LOG_TAIL = 2000  # characters of the log an error shows


class RedisServer:
    """One ``redis-server`` on 127.0.0.1, started and stopped by its process id.

    ``with RedisServer() as server:`` starts it and, on the way out, stops it and
    removes its directory. The port is chosen once, so a restart comes back on
    the same :attr:`url`. :meth:`stop` lets Redis save its data, which the next
    :meth:`start` loads again; :meth:`kill` does not.

    ``executable`` is a program looked up on ``PATH``, or a path to one;
    ``timeout`` is the seconds :meth:`start` waits for PING and :meth:`stop` for
    an exit. Raises ``FileNotFoundError`` (whose message says how to install
    Redis) when there is no such program. ``port`` is the free port it serves on.
    """

    def __init__(self, executable: str = "redis-server", *, timeout: float = 10.0) -> None:
        found = shutil.which(executable)
        if found is None:
            raise FileNotFoundError(
                f"{executable!r} not found on PATH: install Redis "
                "(Debian/Ubuntu: apt-get install redis-server; macOS: brew install redis)"
            )
        self.executable = found
        self.timeout = timeout
        self._directory: Path | None = None
        self._process: subprocess.Popen[bytes] | None = None
        with socket.socket() as probe:  # a free port: the OS picks one nobody holds
            probe.bind(("127.0.0.1", 0))
            self.port: int = probe.getsockname()[1]

    @property
    def url(self) -> str:
        """The ``redis://`` URL of database 0, for any Redis client."""
        return f"redis://127.0.0.1:{self.port}/0"

    @property
    def pid(self) -> int | None:
        """The server's process id, ``None`` before :meth:`start` and after it stopped."""
        return None if self._process is None else self._process.pid

    @property
    def running(self) -> bool:
        """Whether the process started last is still alive."""
        return self._process is not None and self._process.poll() is None

    def start(self) -> None:
        """Launch the server and return once it answers PING (or raise ``RuntimeError``)."""
        if self.running:
            raise RuntimeError(f"redis-server is already running as pid {self.pid}")
        if self._directory is None:
            self._directory = Path(tempfile.mkdtemp(prefix="picky-redis-"))
        # A SIGTERM shutdown writes dump.rdb because a save point is set; start reloads it.
        options = ["--bind", "127.0.0.1", "--port", str(self.port), "--daemonize", "no"]
        options += ["--dir", str(self._directory), "--save", "3600 1", "--appendonly", "no"]
        with open(self._directory / "redis.log", "ab") as log:
            self._process = subprocess.Popen(
                [self.executable, *options], stdout=log, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + self.timeout
        while not self._answers_ping():
            if not self.running:
                self._process = None
                raise RuntimeError(f"redis-server exited at start:\n{self._log_tail()}")
            if time.monotonic() > deadline:
                self.kill()
                raise RuntimeError(
                    f"redis-server did not answer PING in {self.timeout}s:\n{self._log_tail()}"
                )
            time.sleep(0.01)

    def stop(self) -> None:
        """SIGTERM, so Redis saves and exits; SIGKILL if it is still alive after ``timeout``."""
        if self._process is not None:
            self._process.send_signal(signal.SIGTERM)
            try:
                self._process.wait(self.timeout)
            except subprocess.TimeoutExpired:
                self.kill()
        self._process = None

    def kill(self) -> None:
        """SIGKILL: the server dies at once, without saving, as in a crash."""
        if self._process is not None:
            self._process.kill()
            self._process.wait()
        self._process = None

    def close(self) -> None:
        """Stop the server and remove its directory with the data and log."""
        self.stop()
        if self._directory is not None:
            shutil.rmtree(self._directory, ignore_errors=True)
            self._directory = None

    def __enter__(self) -> RedisServer:
        try:
            self.start()
        except BaseException:
            self.close()  # __exit__ does not run when __enter__ raises
            raise
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def _answers_ping(self) -> bool:
        # -LOADING while it reads dump.rdb, or refused before it listens: not yet.
        with (
            contextlib.suppress(OSError),
            socket.create_connection(("127.0.0.1", self.port), timeout=1.0) as connection,
        ):
            connection.sendall(_PING)
            return connection.recv(64).startswith(b"+PONG")
        return False

    def _log_tail(self) -> str:
        assert self._directory is not None
        text = (self._directory / "redis.log").read_text(errors="replace")
        return text[-_LOG_TAIL:]
