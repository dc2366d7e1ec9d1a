"""The RADIUS status: one report for ``radius status --json``, the RADIUS pane and the Status
pane's RADIUS section, from a real server answering radclient and pyrad, with a real FreeRADIUS
upstream (for a challenge) and the background service's heartbeat."""

from __future__ import annotations

import io
import json
import socket
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest

from mfa_console.cli import run
from mfa_console.core import status
from mfa_console.core.db.lease import Lease
from mfa_console.core.radius import status as radius_status
from mfa_console.ui.panes.radius import RadiusPane
from mfa_console.ui.panes.status import StatusPane
from tests.radius.conftest import SECRET, RadiusEnv, add_console_user
from tests.radius.pyradclient import access_request, exchange
from tests.radius.test_upstream import use_upstream
from tests.services.freeradius import FreeRadius


@pytest.fixture
def heartbeat(radius: RadiusEnv) -> Iterator[None]:
    """The background service's heartbeat, as ``mfa-console service`` keeps it."""
    with Lease(radius.services.db, "service", timedelta(minutes=2)):
        yield


def _wait_until(condition: Callable[[], bool]) -> None:
    """Drops get no answer to wait for: wait for the count (a worker thread may still be on it)."""
    deadline = time.monotonic() + 10
    while not condition():
        assert time.monotonic() < deadline, "not counted in 10 s"
        time.sleep(0.01)


def _section(radius: RadiusEnv) -> status.StatusSection:
    (section,) = status.snapshot(radius.services, [radius_status.status_section])
    return section


def _cli_json(radius: RadiusEnv, monkeypatch: pytest.MonkeyPatch, capsys: Any) -> Any:
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    assert run(["--data", str(radius.services.db.path), "radius", "status", "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_counts_target_and_addresses_are_the_same_everywhere(
    radius: RadiusEnv,
    upstream: FreeRadius,
    heartbeat: None,
    monkeypatch: pytest.MonkeyPatch,
    capsys: Any,
) -> None:
    use_upstream(radius, upstream)
    totp = add_console_user(radius.services, "carol")
    assert totp is not None
    radius.add_client(require_user_match=True)
    radius.start()
    pairs = "User-Name={},User-Password={},Message-Authenticator=0x00"
    assert radius.send(pairs.format("carol", "carol-pw")).code == "Access-Challenge"
    assert radius.send(pairs.format("carol", "wrong-pw")).code == "Access-Reject"
    assert radius.send(pairs.format("nobody", "x")).code == "Access-Reject"
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as stranger:
        stranger.bind(("127.0.0.2", 0))
        stranger.sendto(
            access_request(SECRET, "x", "y").RequestPacket(), ("127.0.0.1", radius.auth_port)
        )
    bare = access_request(SECRET, "carol", "x", authenticator=False)  # dropped: no M-A
    assert exchange(radius.auth_port, bare.RequestPacket(), timeout=1) is None
    assert radius.runner is not None
    _wait_until(lambda: radius.runner.counts.last_hour().get("dropped") == 2)  # type: ignore[union-attr]
    radius.start()  # a tick writes the counts, as the service does every few seconds

    section = _section(radius)
    assert section.state == status.OK and section.pane == "radius"
    assert section.lines == (
        f"Listening on 127.0.0.1:{radius.auth_port} (authentication), "
        f"127.0.0.1:{radius.acct_port} (accounting).",
        f"Target: RADIUS server(s): 127.0.0.1:{upstream.auth_port}.",
        "Last hour: 0 accepted, 2 rejected, 1 challenged, 2 dropped.",
    )
    cli = _cli_json(radius, monkeypatch, capsys)
    assert section.facts == cli  # one core report behind both
    assert cli["listening"] and cli["enabled"] and cli["target"] == "radius"
    assert cli["addresses"][0] == f"127.0.0.1:{radius.auth_port}/udp (auth)"
    assert {k: cli["last_hour"][k] for k in radius_status.MAIN_COUNTS} == {
        "accepted": 0, "rejected": 2, "challenged": 1, "dropped": 2,
    }  # fmt: skip
    assert cli["reason"] == ""


def test_why_an_enabled_server_does_not_listen(
    radius: RadiusEnv, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    radius.add_client()
    radius.configure(enabled=False)
    assert _section(radius).state == status.NOT_CONFIGURED
    assert _section(radius).lines == ("RADIUS authentication is off.",)

    radius.configure(enabled=True)  # the service never ran on this file
    section = _section(radius)
    assert section.state == status.ERROR
    assert section.lines[0] == (
        f"Not listening: the background service is not running. {radius_status.START}"
    )
    assert _cli_json(radius, monkeypatch, capsys)["reason"] == section.facts["reason"]

    with Lease(radius.services.db, "service", timedelta(minutes=2)):
        assert _section(radius).facts["reason"] == radius_status.NO_RADIUS  # runs, no report
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as other:
            other.bind(("127.0.0.1", radius.auth_port))  # another program holds the port
            radius.start()
            section = _section(radius)
        assert section.state == status.ERROR
        assert (
            f"UDP port {radius.auth_port} on 127.0.0.1 is used by another program"
            in (section.lines[0])
        )
        radius.configure(enabled=False)
        radius.start()  # the service stops the server (no error left)
        radius.configure(enabled=True)  # ...and the service has not read this yet
        assert _section(radius).facts["reason"] == radius_status.NOT_APPLIED
        radius.start()
        assert _section(radius).facts["listening"]

    with Lease(radius.services.db, "service", timedelta(seconds=-1)):  # a heartbeat gone stale
        reason = _section(radius).facts["reason"]
    assert reason.startswith("the background service is not running (last seen ")
    assert reason.endswith(radius_status.START)


def test_status_pane_and_radius_pane_show_it(
    qtbot: Any, radius: RadiusEnv, heartbeat: None
) -> None:
    radius.add_client("127.0.0.1", message_authenticator=False)
    radius.start()
    pane = StatusPane(radius.services)
    qtbot.addWidget(pane)
    pane.resize(1000, 680)
    pane.show()
    qtbot.waitUntil(lambda: "radius" in pane.cards, timeout=10_000)
    card = pane.cards["radius"]
    text = " ".join(w.text() for w in card.findChildren(type(pane._updated)))
    assert f"Listening on 127.0.0.1:{radius.auth_port} (authentication)" in text
    assert "Target: None (the one-time code alone)." in text
    assert "127.0.0.1 may send requests without Message-Authenticator" in text
    assert card.link is not None and card.link.text() == "Open RADIUS Authentication"

    radius_pane = RadiusPane(radius.services)
    qtbot.addWidget(radius_pane)
    shown = radius_pane.status.text()
    assert f"Listening on 127.0.0.1:{radius.auth_port} (authentication)" in shown
    assert "Warning: 127.0.0.1 may send requests without Message-Authenticator" in shown
