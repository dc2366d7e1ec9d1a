"""TOTP (RFC 6238) over the standard library's HMAC: any seed length, SHA-1/256/512.

``cryptography``'s TOTP refuses seeds under 128 bits, and many hardware tokens carry 80-bit seeds;
the computation is a few lines, checked in the tests against pyotp.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import struct
from urllib.parse import quote, urlencode

ALGORITHMS = {"SHA1": hashlib.sha1, "SHA256": hashlib.sha256, "SHA512": hashlib.sha512}
MIN_SEED_BYTES = 10  # 80 bits
SOFTWARE_SEED_BYTES = 20  # 160 bits


def code_at(seed: bytes, step: int, *, digits: int = 6, algorithm: str = "SHA1") -> str:
    mac = hmac.new(seed, struct.pack(">Q", step), ALGORITHMS[algorithm]).digest()
    offset = mac[-1] & 0x0F
    value = struct.unpack(">I", mac[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(value % 10**digits).zfill(digits)


def step_at(unix_time: float, period: int) -> int:
    return int(unix_time // period)


def matching_step(
    seed: bytes, code: str, center: int, window: int, *, digits: int, algorithm: str
) -> int | None:
    """The step in ``center ± window`` whose code is ``code`` (the nearest first), else None."""
    for delta in sorted(range(-window, window + 1), key=abs):
        if hmac.compare_digest(
            code_at(seed, center + delta, digits=digits, algorithm=algorithm), code
        ):
            return center + delta
    return None


def b32encode(seed: bytes) -> str:
    return base64.b32encode(seed).decode("ascii").rstrip("=")


def b32decode(text: str) -> bytes:
    """Base32 as authenticator apps and token vendors write it: any case, spaces, no padding."""
    cleaned = "".join(text.split()).replace("-", "").upper().rstrip("=")
    try:
        return base64.b32decode(cleaned + "=" * (-len(cleaned) % 8))
    except (binascii.Error, ValueError):
        raise ValueError("not a Base32 secret") from None


def otpauth_uri(
    seed: bytes, account: str, issuer: str, *, digits: int = 6, period: int = 30,
    algorithm: str = "SHA1",
) -> str:  # fmt: skip
    label = quote(f"{issuer}:{account}", safe="@:")
    query = urlencode({
        "secret": b32encode(seed), "issuer": issuer, "algorithm": algorithm,
        "digits": digits, "period": period,
    })  # fmt: skip
    return f"otpauth://totp/{label}?{query}"
