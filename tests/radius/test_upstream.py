"""The upstream RADIUS target: a real FreeRADIUS; its attributes reach the client intact."""

from __future__ import annotations

from pathlib import Path

from mfa_console.core.radius.config import RadiusTarget
from tests.radius.conftest import (
    UPSTREAM_SECRET,
    UPSTREAM_USERS,
    RadiusEnv,
    add_console_user,
    radclient,
)
from tests.services.freeradius import FreeRadius


def use_upstream(radius: RadiusEnv, upstream: FreeRadius) -> None:
    radius.configure(target="radius")
    radius.services.radius.config.add_target(
        RadiusTarget("127.0.0.1", upstream.auth_port, upstream.acct_port, timeout=2),
        UPSTREAM_SECRET,
    )


def test_unknown_user_without_user_match_passes_with_upstream_attributes(
    radius: RadiusEnv, upstream: FreeRadius
) -> None:
    use_upstream(radius, upstream)
    radius.add_client(require_user_match=False)
    radius.start()
    reply = radius.send("User-Name=carol,User-Password=carol-pw,Message-Authenticator=0x00")
    assert reply.code == "Access-Accept", reply.output
    assert reply.first("Class") == "0x76706e2d7573657273"  # "vpn-users"
    assert reply.first("Cisco-AVPair") == "shell:priv-lvl=15"
    assert reply.first("Filter-Id") == "full-access"
    # radclient decrypts it with our secret: re-encrypted for the client, not passed as is
    assert reply.first("Tunnel-Password:0") == "tunnel-secret-7"
    assert "Message-Authenticator" in reply.attributes

    wrong = radius.send("User-Name=carol,User-Password=nope,Message-Authenticator=0x00")
    assert wrong.code == "Access-Reject"
    assert "Class" not in wrong.attributes


def test_unknown_user_with_user_match_is_rejected(radius: RadiusEnv, upstream: FreeRadius) -> None:
    use_upstream(radius, upstream)
    radius.add_client(require_user_match=True)
    radius.start()
    reply = radius.send("User-Name=carol,User-Password=carol-pw,Message-Authenticator=0x00")
    assert reply.code == "Access-Reject"


def test_challenge_keeps_upstream_attributes_with_the_state(
    radius: RadiusEnv, upstream: FreeRadius
) -> None:
    use_upstream(radius, upstream)
    totp = add_console_user(radius.services, "carol")
    assert totp is not None
    radius.add_client(require_user_match=True)
    radius.start()
    first = radius.send("User-Name=carol,User-Password=carol-pw,Message-Authenticator=0x00")
    assert first.code == "Access-Challenge", first.output
    assert "Class" not in first.attributes and "Tunnel-Password:0" not in first.attributes
    state = first.first("State")
    final = radius.send(
        f"User-Name=carol,User-Password={totp.now()},State={state},Message-Authenticator=0x00"
    )
    assert final.code == "Access-Accept", final.output
    assert final.first("Class") == "0x76706e2d7573657273"
    assert final.first("Cisco-AVPair") == "shell:priv-lvl=15"
    # encrypted anew for the second request's authenticator: radclient reads it right
    assert final.first("Tunnel-Password:0") == "tunnel-secret-7"


def test_accounting_is_answered_after_the_upstream_server_acknowledged_it(
    radius: RadiusEnv, tmp_path: Path
) -> None:
    server = FreeRadius(tmp_path, UPSTREAM_SECRET, UPSTREAM_USERS).start()
    try:
        use_upstream(radius, server)
        radius.add_client()
        radius.start()
        pairs = "User-Name=carol,Acct-Status-Type=Start,Acct-Session-Id=a1"
        assert radclient(radius.acct_port, pairs, kind="acct").code == "Accounting-Response"
    finally:
        server.stop()
    pairs = "User-Name=carol,Acct-Status-Type=Stop,Acct-Session-Id=a1"
    late = radclient(radius.acct_port, pairs, kind="acct", timeout=3, retries=0)
    assert late.code == ""  # not acknowledged upstream: no answer, the client keeps it
