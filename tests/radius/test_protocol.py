"""What reaches the server and what it answers: secrets, Message-Authenticator, clients by
subnet, Status-Server, accounting, ports taken by another program."""

from __future__ import annotations

import socket

import pytest
from pyrad import packet as rp

from mfa_console.core.radius.server import PortInUseError, bind_udp
from tests.radius.conftest import SECRET, RadiusEnv, radclient
from tests.radius.pyradclient import access_request, ask, exchange


def test_unknown_client_and_wrong_secret_are_dropped(radius: RadiusEnv) -> None:
    radius.add_client("10.9.9.9")
    radius.start()
    assert ask(radius.auth_port, access_request(SECRET, "bob", "x"), timeout=1) is None
    radius.add_client("127.0.0.0/8", secret="another-secret")
    radius.start()  # the next tick reloads the client list
    assert ask(radius.auth_port, access_request(SECRET, "bob", "x"), timeout=1) is None
    reply = ask(radius.auth_port, access_request("another-secret", "bob", "x"))
    assert reply is not None and reply.code == rp.AccessReject  # bob is no console user
    counts = radius.runner.counts.last_hour()  # type: ignore[union-attr]
    assert counts["dropped"] == 2 and counts["rejected"] == 1


def test_message_authenticator_required_unless_the_client_is_exempted(radius: RadiusEnv) -> None:
    radius.add_client()
    radius.start()
    bare = access_request(SECRET, "bob", "x", authenticator=False)
    assert exchange(radius.auth_port, bare.RequestPacket(), timeout=1) is None
    signed = ask(radius.auth_port, access_request(SECRET, "bob", "x"))
    assert signed is not None and signed.code == rp.AccessReject
    assert signed.message_authenticator  # replies are always signed

    radius.services.radius.config.save_client(
        radius.services.radius.config.clients()[0].__class__(
            "127.0.0.1", "old VPN", message_authenticator=False
        ),
        None,
        replace="127.0.0.1",
    )
    radius.start()
    data = exchange(radius.auth_port, bare.RequestPacket())
    assert data is not None
    reply = bare.CreateReply(packet=data)
    assert bare.VerifyReply(reply, data, enforce_ma=True)  # still signed for the old client


def test_radclient_status_server_and_accounting(radius: RadiusEnv) -> None:
    radius.add_client()
    radius.start()
    status = radclient(radius.auth_port, "Message-Authenticator=0x00", kind="status")
    assert status.code == "Access-Accept", status.output
    acct = radclient(
        radius.acct_port,
        "User-Name=bob,Acct-Status-Type=Start,Acct-Session-Id=s1,NAS-IP-Address=10.0.0.1",
        kind="acct",
    )
    assert acct.code == "Accounting-Response", acct.output
    wrong = radclient(
        radius.acct_port,
        "User-Name=bob,Acct-Status-Type=Stop",
        kind="acct",
        secret="wrong-one!",
        timeout=1,
        retries=0,
    )
    assert wrong.code == ""


def test_port_taken_by_another_program_is_reported(radius: RadiusEnv) -> None:
    radius.add_client()
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as other:
        other.bind(("127.0.0.1", radius.auth_port))
        radius.start()
        status = radius.services.radius.status()
        assert not status.is_listening
        assert f"UDP port {radius.auth_port} on 127.0.0.1 is used by another program" in (
            status.error
        )
        with pytest.raises(PortInUseError, match="used by another program"):
            bind_udp("127.0.0.1", radius.auth_port)
    radius.start()  # the next tick tries again and succeeds
    status = radius.services.radius.status()
    assert status.is_listening and status.error == ""
    assert status.listening[0] == f"127.0.0.1:{radius.auth_port}/udp (auth)"
