"""PICKY_TOKEN and PICKY_BASE_URL stand in for arguments the code leaves out."""

from __future__ import annotations

import logging
import socket

import pytest

import picky_async as pa
from picky_async.testing import SimProject, Simulator

SECRET = "tok-from-the-environment-SECRET"


def closed_port() -> int:
    """A loopback port nobody listens on: connecting is refused at once."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


async def test_a_client_without_arguments_reads_both_variables(
    picky_simulator: Simulator, picky_project: SimProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PICKY_TOKEN", picky_project.token)
    monkeypatch.setenv("PICKY_BASE_URL", picky_simulator.base_url + "/")
    async with pa.PickyClient() as client:
        await client.push([pa.Message("919876543210", "hi")])
    assert [(r.endpoint, r.project) for r in picky_simulator.requests] == [
        ("push", picky_project.name)
    ]
    assert repr(client) == f"PickyClient(base_url={picky_simulator.base_url!r}, encoding='json')"


async def test_arguments_win_over_the_environment(
    picky_simulator: Simulator, picky_project: SimProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PICKY_TOKEN", "tok-of-another-project")
    monkeypatch.setenv("PICKY_BASE_URL", f"http://127.0.0.1:{closed_port()}/api")
    client = pa.PickyClient(picky_project.token, base_url=picky_simulator.base_url)
    async with client:
        await client.push([pa.Message("919876543210", "hi")])
    assert [r.project for r in picky_simulator.requests] == [picky_project.name]


def test_without_a_base_url_anywhere_the_service_is_used() -> None:
    assert (
        repr(pa.PickyClient("tok"))
        == f"PickyClient(base_url={pa.DEFAULT_BASE_URL!r}, encoding='json')"
    )


@pytest.mark.parametrize("variable", [None, ""])
def test_no_token_anywhere_names_the_variable(
    variable: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    if variable is not None:
        monkeypatch.setenv("PICKY_TOKEN", variable)
    with pytest.raises(ValueError, match="no token given: pass one or set the PICKY_TOKEN"):
        pa.PickyClient()


def test_an_explicit_empty_token_is_refused_even_with_the_variable_set(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PICKY_TOKEN", SECRET)
    with pytest.raises(ValueError, match="token must not be empty"):
        pa.PickyClient("")


@pytest.mark.parametrize(
    ("base_url", "reason"),
    [
        (f"https://pickyassist.com/{SECRET}/api", "must not contain a token"),
        (f"ftp://127.0.0.1/?key={SECRET}", "http"),
        ("ftp://127.0.0.1/api", "http"),
    ],
)
def test_a_bad_base_url_variable_is_named_and_never_shows_the_token(
    base_url: str, reason: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PICKY_TOKEN", SECRET)
    monkeypatch.setenv("PICKY_BASE_URL", base_url)
    with pytest.raises(ValueError, match=f"^PICKY_BASE_URL: .*{reason}") as caught:
        pa.PickyClient()
    assert SECRET not in str(caught.value)


async def test_the_token_from_the_environment_stays_out_of_errors_reprs_and_logs(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="picky_async")
    monkeypatch.setenv("PICKY_TOKEN", SECRET)
    monkeypatch.setenv("PICKY_BASE_URL", f"http://127.0.0.1:{closed_port()}/api")
    async with pa.PickyClient(retry=pa.RetryPolicy(attempts=2, wait_initial=0)) as client:
        with pytest.raises(pa.TransportError) as caught:
            await client.device_status()
    assert caplog.messages
    assert SECRET not in " ".join(
        [repr(client), str(caught.value), repr(caught.value), caplog.text]
    )


async def test_the_dispatcher_reads_the_base_url_variable(
    picky_simulator: Simulator, picky_project: SimProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PICKY_BASE_URL", picky_simulator.base_url)
    project = pa.Project(picky_project.token, name="only")
    async with pa.Dispatcher([project]) as dispatcher:
        receipt = await dispatcher.send("919876543210", "hi")
    assert receipt.project == "only"
    assert {r.project for r in picky_simulator.requests} == {picky_project.name}


def test_the_dispatcher_names_a_bad_base_url_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PICKY_BASE_URL", f"http://127.0.0.1/{SECRET}")
    with pytest.raises(ValueError, match=r"^PICKY_BASE_URL: .*must not contain a token") as caught:
        pa.Dispatcher([pa.Project(SECRET)])
    assert SECRET not in str(caught.value)


async def test_the_dispatchers_own_base_url_wins(
    picky_simulator: Simulator, picky_project: SimProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PICKY_BASE_URL", f"http://127.0.0.1:{closed_port()}/api")
    project = pa.Project(picky_project.token, name="only")
    async with pa.Dispatcher([project], base_url=picky_simulator.base_url) as dispatcher:
        await dispatcher.send("919876543210", "hi")
    assert {r.project for r in picky_simulator.requests} == {picky_project.name}
