"""The LDAP bind target on the Samba AD DC: UPN and DOMAIN\\user, and refused binds (wrong,
locked, expired, disabled) rejected with AD's reason, never challenged."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from mfa_console.core.auth.models import AuthLogRow
from mfa_console.core.resolution import UsernameResolution
from tests.radius.conftest import RadiusEnv, add_console_user
from tests.services.fixtures import TestCAs
from tests.services.samba_ad import LOCKOUT_THRESHOLD, SambaDC
from tests.sync.conftest import configure_ad


def _pairs(user: str, password: str, state: str = "") -> str:
    user = user.replace("\\", "\\\\")
    extra = f",State={state}" if state else ""
    return f'User-Name="{user}",User-Password="{password}",Message-Authenticator=0x00{extra}'


def test_ad_upn_domain_user_and_refused_binds(
    radius: RadiusEnv, samba_ad: SambaDC, test_cas: TestCAs
) -> None:
    services = radius.services
    configure_ad(services, samba_ad, test_cas)
    services.settings.save(UsernameResolution(upn_suffix="example.test"))
    radius.configure(target="ldap")
    ou = samba_ad.create_ou(f"radius{uuid.uuid4().hex[:6]}")
    names = {}
    for role in ("ok", "wrong", "locked", "expired", "change", "off"):
        sam = f"r{role}{uuid.uuid4().hex[:5]}"
        samba_ad.create_user(sam, ou)
        names[role] = sam
        totp = add_console_user(services, f"{sam}@example.test")
        assert totp is not None
        if role == "ok":
            ok_totp = totp
    dn = {role: f"CN={sam},{ou}" for role, sam in names.items()}
    samba_ad.modify(dn["expired"], accountExpires="1")  # expired long ago
    samba_ad.modify(dn["change"], pwdLastSet="0")  # must change the password
    samba_ad.set_disabled(dn["off"])
    radius.add_client(require_user_match=True)
    radius.start()
    pw = samba_ad.user_pw

    upn = radius.send(_pairs(f"{names['ok']}@example.test", pw))
    assert upn.code == "Access-Challenge", upn.output
    domain_user = radius.send(_pairs(f"EXAMPLE\\{names['ok']}", pw))
    assert domain_user.code == "Access-Challenge", domain_user.output
    answer = radius.send(
        _pairs(f"EXAMPLE\\{names['ok']}", ok_totp.now(), domain_user.first("State"))
    )
    assert answer.code == "Access-Accept", answer.output

    assert radius.send(_pairs(f"{names['wrong']}@example.test", "Not-the-pw1")).code == (
        "Access-Reject"
    )
    for _ in range(LOCKOUT_THRESHOLD):
        radius.send(_pairs(f"{names['locked']}@example.test", "Not-the-pw1"))
    for role in ("locked", "expired", "change", "off"):
        reply = radius.send(_pairs(f"{names[role]}@example.test", pw))
        assert reply.code == "Access-Reject", (role, reply.output)

    assert radius.auth_log is not None
    radius.auth_log.flush()
    with services.db.read() as session:
        rows = session.execute(
            select(AuthLogRow.username, AuthLogRow.result, AuthLogRow.reason).where(
                AuthLogRow.result == "FAILED_PRIMARY_AUTH"
            )
        ).all()
    reasons = {row.username.split("@")[0]: row.reason for row in rows}
    assert reasons[names["wrong"]].startswith("wrong password")
    assert "account locked (AD code 775)" in [
        row.reason for row in rows if row.username.startswith(names["locked"])
    ]
    assert reasons[names["expired"]] == "account expired (AD code 701)"
    assert reasons[names["change"]] == "password must be changed (AD code 773)"
    assert reasons[names["off"]] == "account disabled (AD code 533)"
