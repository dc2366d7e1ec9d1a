"""Fixtures of the second factor: users with tokens on a real data file, codes from pyotp."""

from __future__ import annotations

import base64

import pyotp
import pytest

from mfa_console.app import Services
from mfa_console.core.users.records import UserInput


def totp_for(
    secret_b32: str, *, digits: int = 6, period: int = 30, digest: str = "sha1"
) -> pyotp.TOTP:
    """An independent TOTP (pyotp) to compute the codes a real token or app would show."""
    import hashlib

    return pyotp.TOTP(secret_b32, digits=digits, interval=period, digest=getattr(hashlib, digest))


def b32(seed: bytes) -> str:
    return base64.b32encode(seed).decode().rstrip("=")


@pytest.fixture
def alice(services: Services) -> str:
    services.users.add(UserInput(username="alice@example.test", first_name="Alice",
                                 last_name="Liddell", email="alice@example.test", phone="555-123-4567",
                                 method="phone-call"))  # fmt: skip
    return "alice@example.test"


@pytest.fixture
def enrolled(services: Services, alice: str) -> pyotp.TOTP:
    """Alice with a software token (pending until its first code)."""
    secret = services.auth.generate_software(alice)
    return totp_for(secret.secret)
