"""The upstream RADIUS target: a real FreeRADIUS; its attributes reach the client intact."""

from __future__ import annotations

from mfa_console.core.radius.config import RadiusTarget
from tests.radius.conftest import UPSTREAM_SECRET, RadiusEnv
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
