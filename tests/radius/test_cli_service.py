"""``mfa-console radius ...`` in-process, and the RADIUS server inside a real
``mfa-console service`` process: killed and restarted while a client keeps sending."""

from __future__ import annotations

import io
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from mfa_console.app import open_services
from mfa_console.cli import run
from tests.radius.conftest import SECRET, UPSTREAM_SECRET, radclient
from tests.services.freeradius import FreeRadius, free_udp_port

CAROL = "User-Name=carol,User-Password=carol-pw,Message-Authenticator=0x00"


def _cli(data: Path, monkeypatch: pytest.MonkeyPatch, *args: str, stdin: str = "") -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    return run(["--data", str(data), "radius", *args])


def _configure(data: Path, monkeypatch: pytest.MonkeyPatch, upstream: FreeRadius) -> int:
    port = free_udp_port()
    acct = free_udp_port()
    assert _cli(data, monkeypatch, "configure", "--enable", "--auth-port", str(port),
                "--accounting-port", str(acct), "--target", "radius", "--listen",
                "127.0.0.1") == 0  # fmt: skip
    assert _cli(data, monkeypatch, "client", "add", "127.0.0.0/24", "--name", "Office VPN",
                "--secret-stdin", stdin=SECRET + "\n") == 0  # fmt: skip
    assert _cli(data, monkeypatch, "target", "add", "127.0.0.1", "--port",
                str(upstream.auth_port), "--accounting-port", str(upstream.acct_port),
                "--timeout", "2", "--secret-stdin", stdin=UPSTREAM_SECRET + "\n") == 0  # fmt: skip
    return port


def test_cli_lists_warns_and_refuses_bad_input(
    data_file: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any, upstream: FreeRadius
) -> None:
    _configure(data_file, monkeypatch, upstream)
    assert _cli(data_file, monkeypatch, "client", "add", "10.1.2.3", "--name", "Old NAS",
                "--secret-stdin", "--no-message-authenticator", "--append-code",
                stdin="another-secret\n") == 0  # fmt: skip
    captured = capsys.readouterr()
    assert "BlastRADIUS" in captured.err and "another-secret" not in captured.out + captured.err
    assert _cli(data_file, monkeypatch, "client", "list", "--json") == 0
    clients = json.loads(capsys.readouterr().out)
    assert [c["address"] for c in clients] == ["127.0.0.0/24", "10.1.2.3"]
    assert clients[1]["append_code"] and not clients[1]["message_authenticator"]
    assert _cli(data_file, monkeypatch, "target", "list", "--json") == 0
    assert json.loads(capsys.readouterr().out)[0]["auth_port"] == upstream.auth_port
    assert _cli(data_file, monkeypatch, "client", "add", "10.1.2.300", "--name", "x",
                "--secret-stdin", stdin="long-enough-secret\n") == 1  # fmt: skip
    assert "is not an IP address or a subnet" in capsys.readouterr().err
    assert _cli(data_file, monkeypatch, "client", "add", "10.1.2.4", "--name", "x",
                "--secret-stdin", stdin="short\n") == 1  # fmt: skip
    assert "8 to 128 characters" in capsys.readouterr().err
    assert _cli(data_file, monkeypatch, "client", "remove", "10.1.2.3") == 0
    assert "removed" in capsys.readouterr().out
    assert _cli(data_file, monkeypatch, "status", "--json") == 0
    status = json.loads(capsys.readouterr().out)
    assert status["enabled"] and not status["listening"]
    services = open_services(data_file)
    try:
        assert services.radius.config.client_secret("10.1.2.3") is None  # removed with it
        assert services.radius.config.client_secret("127.0.0.0/24") == SECRET
    finally:
        services.close()


def _service(data: Path, log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "mfa_console", "--data", str(data), "service", "--tick", "0.2"],
        stdout=subprocess.DEVNULL,
        stderr=log.open("ab"),
    )


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _wait_for(condition: Callable[[], bool], log: Path) -> None:
    deadline = time.monotonic() + 30
    while not condition():
        assert time.monotonic() < deadline, log.read_text()
        time.sleep(0.2)


def _wait_listening(data: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any) -> dict:  # type: ignore[type-arg]
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert _cli(data, monkeypatch, "status", "--json") == 0
        status = json.loads(capsys.readouterr().out)
        if status["listening"]:
            return status  # type: ignore[no-any-return]
        time.sleep(0.2)
    raise AssertionError("the service did not start listening")


@pytest.mark.slow
def test_service_killed_and_restarted_while_a_client_sends(
    data_file: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: Any,
    upstream: FreeRadius,
) -> None:
    port = _configure(data_file, monkeypatch, upstream)
    capsys.readouterr()
    log = tmp_path / "service.log"
    service = _service(data_file, log)
    try:
        status = _wait_listening(data_file, monkeypatch, capsys)
        assert status["addresses"][0] == f"127.0.0.1:{port}/udp (auth)"
        assert radclient(port, CAROL).code == "Access-Accept"
        os.kill(service.pid, signal.SIGKILL)
        service.wait()
        # the server's own process follows the killed service: the port is free again
        _wait_for(lambda: _port_free(port), log)
        # radclient retries while the service is down and gets its answer once it is back
        client = subprocess.Popen(
            ["radclient", "-t", "2", "-r", "10", f"127.0.0.1:{port}", "auth", SECRET],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        assert client.stdin is not None
        client.stdin.write(CAROL + "\n")
        client.stdin.close()
        time.sleep(1)
        service = _service(data_file, log)  # the killed one left its heartbeat: still starts
        assert client.stdout is not None
        out = client.stdout.read()  # radclient gives up after 11 tries of 2 s
        client.wait(timeout=10)
        assert "Received Access-Accept" in out, log.read_text()
        # (the killed service's server process may have answered in its last half second)
        _wait_for(lambda: log.read_text().count("RADIUS server listening") == 2, log)
        os.kill(service.pid, signal.SIGTERM)
        assert service.wait(timeout=20) == 0
        assert "RADIUS server stopped." in log.read_text()
    finally:
        if service.poll() is None:
            service.kill()
            service.wait()
