"""PINs: the original's rules, generation, and storage only as a salted scrypt hash.

Weak PINs, as the original defined them: three sequential digits (123, 987), three repeated digits
(111), or any four digits that appear in a row in one of the user's phone numbers.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from collections.abc import Iterable

# scrypt parameters (RFC 7914): 2**14 x 8 x 1 takes ~30 ms and 16 MB; stored with each hash so
# they can be raised later without breaking old hashes.
_N, _R, _P = 2**14, 8, 1
_PREFIX = "scrypt"


def hash_pin(pin: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(pin.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    encode = base64.b64encode
    return f"{_PREFIX}${_N}${_R}${_P}${encode(salt).decode()}${encode(digest).decode()}"


def verify_pin(pin: str, stored: str) -> bool:
    try:
        prefix, n, r, p, salt, digest = stored.split("$")
    except ValueError:
        return False
    if prefix != _PREFIX:
        return False
    expected = base64.b64decode(digest)
    actual = hashlib.scrypt(
        pin.encode(), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p), dklen=len(expected)
    )
    return hmac.compare_digest(actual, expected)


def weakness(pin: str, phones: Iterable[str | None] = ()) -> str | None:
    """Why ``pin`` is weak by the original's rules, or None."""
    for i in range(len(pin) - 2):
        a, b, c = (int(d) for d in pin[i : i + 3])
        if a == b == c:
            return f"it repeats a digit three times ({pin[i : i + 3]})"
        if b - a == c - b and abs(b - a) == 1:
            return f"it has three sequential digits ({pin[i : i + 3]})"
    for phone in phones:
        digits = "".join(ch for ch in phone or "" if ch.isdigit())
        for i in range(len(pin) - 3):
            if pin[i : i + 4] in digits:
                return "it contains four digits of the user's phone number"
    return None


def pin_problem(
    pin: str,
    *,
    min_length: int,
    prevent_weak: bool,
    phones: Iterable[str | None] = (),
    history: Iterable[str] = (),
) -> str | None:
    """The reason ``pin`` is refused under the company's PIN rules, or None when it is fine."""
    if not pin.isdigit():
        return "a PIN may contain only digits"
    if len(pin) < min_length:
        return f"a PIN must have at least {min_length} digits"
    if prevent_weak and (reason := weakness(pin, phones)):
        return f"the PIN is weak: {reason}"
    if any(verify_pin(pin, old) for old in history):
        return "the PIN was used recently: choose one not in the PIN history"
    return None


def generate_pin(*, min_length: int, prevent_weak: bool, phones: Iterable[str | None] = ()) -> str:
    """A random PIN of max(4, minimum length) digits that passes the rules (as the original)."""
    length = max(4, min_length)
    phones = list(phones)
    while True:
        pin = "".join(secrets.choice("0123456789") for _ in range(length))
        if not prevent_weak or weakness(pin, phones) is None:
            return pin


def push_history(history_json: str, new_hash: str, keep: int) -> str:
    """Add ``new_hash`` to the stored PIN history, keeping the last ``keep`` hashes."""
    history: list[str] = json.loads(history_json or "[]")
    history.append(new_hash)
    return json.dumps(history[-keep:])
