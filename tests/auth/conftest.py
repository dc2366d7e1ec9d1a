"""Fixtures of the second factor: users with tokens on a real data file, codes from pyotp."""

from __future__ import annotations

import base64

import pyotp
import pytest

from mfa_console.app import Services
from mfa_console.core.users.records import UserInput
from tests.mail.conftest import certs, mail_services, shared_server, smtpd  # noqa: F401 (fixtures)


def totp_for(
    secret_b32: str, *, digits: int = 6, period: int = 30, digest: str = "sha1"
) -> pyotp.TOTP:
    """An independent TOTP (pyotp) to compute the codes a real token or app would show."""
    import hashlib

    return _Totp(secret_b32, digits=digits, interval=period, digest=getattr(hashlib, digest))


class _Totp(pyotp.TOTP):
    min_secret_length_bits = 80  # hardware tokens' 80-bit seeds (pyotp defaults to 112)


def b32(seed: bytes) -> str:
    return base64.b32encode(seed).decode().rstrip("=")


@pytest.fixture
def alice(services: Services) -> str:
    services.users.add(
        UserInput(
            username="alice@example.test",
            first_name="Alice",
            last_name="Liddell",
            email="alice@example.test",
            phone="555-123-4567",
            method="phone-call",
        )
    )
    return "alice@example.test"


@pytest.fixture
def enrolled(services: Services, alice: str) -> pyotp.TOTP:
    """Alice with a software token (pending until its first code)."""
    secret = services.auth.generate_software(alice)
    return totp_for(secret.secret)
